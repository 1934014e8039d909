// The chart components' public entry: importing it defines <cc-line-chart>, <cc-bar-chart> and
// <cc-pie-chart> (each module registers its own element); it only re-exports.
export { BAR_CHART_TAG, BarChart } from "./BarChart.ts"
export { ChartBase, DEFAULT_HEIGHT, FALLBACK_WIDTH } from "./ChartBase.ts"
export { colorAt } from "./colors.ts"
export { formatPercent, formatValue } from "./format.ts"
export { LINE_CHART_TAG, LineChart } from "./LineChart.ts"
export { nearestPoint, sortByX, type Point } from "./nearest.ts"
export { PIE_CHART_TAG, PieChart } from "./PieChart.ts"
export type { BarGroup, ScaleKind, Series, Slice } from "./types.ts"
export { validateBars, validateSeries, validateSlices } from "./validate.ts"
