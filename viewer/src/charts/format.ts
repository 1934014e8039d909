// How numbers read in tooltips, tables and legends: compact, ASCII minus (easy to copy and parse).
import { formatLocale } from "d3"

const locale = formatLocale({
  decimal: ".",
  thousands: ",",
  grouping: [3],
  currency: ["", ""],
  minus: "-"
})
const significant = locale.format(".6~g")
const percent = locale.format(".1%")

/** A value with up to six significant digits; integers of reasonable size are shown exactly. */
export function formatValue(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e12) return String(value === 0 ? 0 : value)
  return significant(value)
}

/** A fraction (0..1) as a percentage with one decimal, e.g. "42.5%". */
export function formatPercent(fraction: number): string {
  return percent(fraction)
}
