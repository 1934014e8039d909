// Turns a run's files into the series and bar groups the chart components take.
import type { BarGroup, Series } from "../charts/types.ts"
import type { RunData, TimePoint } from "../data/runFiles.ts"

/** CDF points for a log axis: values at or below zero cannot be placed, so they start the curve at the first positive one. */
export const cdfSeries = (name: string, points: ReadonlyArray<readonly [number, number]>, positiveOnly: boolean): Series => ({
  name,
  points: positiveOnly ? points.filter(([x]) => x > 0) : points
})

export const completionCdf = (run: RunData, policies: ReadonlyArray<string>, prefix = ""): Array<Series> =>
  policies.flatMap((p) => {
    const d = run.distributions.policies[p]
    return d ? [cdfSeries(prefix + p, d.completionTimeS, true)] : []
  })

export const waitCdf = (run: RunData, policies: ReadonlyArray<string>): Array<Series> =>
  policies.flatMap((p) => {
    const d = run.distributions.policies[p]
    return d ? [cdfSeries(p, d.waitS, false)] : []
  })

export const slowdownBars = (run: RunData, policies: ReadonlyArray<string>): { categories: Array<string>; groups: Array<BarGroup> } => {
  const first = policies.map((p) => run.distributions.policies[p]).find((d) => d !== undefined)
  if (first === undefined) return { categories: [], groups: [] }
  const e = first.boundedSlowdown.edges
  const categories = first.boundedSlowdown.counts.map((_, i) => (e[i + 1] === null || e[i + 1] === undefined ? `≥ ${e[i]}` : `${e[i]}–${e[i + 1]}`))
  const groups = policies.flatMap((p) => {
    const d = run.distributions.policies[p]
    if (!d) return []
    const total = d.boundedSlowdown.counts.reduce((a, b) => a + b, 0)
    return [{ name: p, values: d.boundedSlowdown.counts.map((c) => (total > 0 ? c / total : 0)) }]
  })
  return { categories, groups }
}

export const overTime = (run: RunData, policies: ReadonlyArray<string>, value: (p: TimePoint) => number, prefix = ""): Array<Series> =>
  policies.map((policy) => ({
    name: prefix + policy,
    points: run.timeseries.filter((t) => t.policy === policy).map((t) => [t.timeS / 3600, value(t)] as const)
  }))
