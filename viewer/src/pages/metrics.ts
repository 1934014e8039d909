// The summary metrics the explorer tabulates and compares, with which direction is better.
import type { PolicySummary } from "../data/runFiles.ts"

export interface Metric {
  readonly label: string
  readonly value: (s: PolicySummary) => number
  readonly better: "lower" | "higher" | "none"
  readonly format: (x: number) => string
}

const seconds = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1))
const ratio = (x: number) => x.toFixed(3)

export const metrics: ReadonlyArray<Metric> = [
  { label: "jobs", value: (s) => s.jobs, better: "none", format: (x) => String(x) },
  { label: "completion mean (s)", value: (s) => s.completionTime.mean, better: "lower", format: seconds },
  { label: "completion p95 (s)", value: (s) => s.completionTime.p95, better: "lower", format: seconds },
  { label: "wait mean (s)", value: (s) => s.wait.mean, better: "lower", format: seconds },
  { label: "wait p95 (s)", value: (s) => s.wait.p95, better: "lower", format: seconds },
  { label: "bounded slowdown mean", value: (s) => s.boundedSlowdown.mean, better: "lower", format: (x) => x.toFixed(2) },
  { label: "bounded slowdown p95", value: (s) => s.boundedSlowdown.p95, better: "lower", format: (x) => x.toFixed(2) },
  { label: "makespan (h)", value: (s) => s.makespan / 3600, better: "lower", format: (x) => x.toFixed(1) },
  { label: "utilisation", value: (s) => s.utilisation, better: "higher", format: ratio },
  { label: "goodput", value: (s) => s.goodput, better: "higher", format: ratio },
  { label: "retried", value: (s) => s.retried, better: "lower", format: (x) => String(x) },
  { label: "lost", value: (s) => s.lost, better: "lower", format: (x) => String(x) }
]

/** Index of the best value among `values` for the metric, or -1 when there is no better or a tie for all. */
export const bestIndex = (metric: Metric, values: ReadonlyArray<number>): number => {
  if (metric.better === "none" || values.length < 2) return -1
  const target = metric.better === "lower" ? Math.min(...values) : Math.max(...values)
  if (values.every((v) => v === target)) return -1
  return values.indexOf(target)
}

/** Relative change from a to b in percent, and whether it is an improvement. */
export const change = (metric: Metric, a: number, b: number): { readonly percent: number; readonly verdict: "better" | "worse" | "same" } => {
  const percent = a === 0 ? (b === 0 ? 0 : Infinity) : ((b - a) / Math.abs(a)) * 100
  if (Math.abs(percent) < 0.05 || metric.better === "none") return { percent, verdict: "same" }
  const improved = metric.better === "lower" ? b < a : b > a
  return { percent, verdict: improved ? "better" : "worse" }
}
