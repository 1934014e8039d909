// The API's dashboard and analytics figures as the explorer's charts take them (slices, series,
// bar groups): d3 does the arithmetic here, the chart components draw.
import { sum } from "d3"
import type { BarGroup, Series, Slice } from "../charts/types.ts"
import type { Analytics } from "./api/schemas.ts"
import { stateOrder } from "./jobStats.ts"

/** Slices for a pie, or null when nothing is positive (a pie of nothing cannot be drawn). */
export const slicesOf = (rows: ReadonlyArray<{ readonly label: string; readonly value: number }>): ReadonlyArray<Slice> | null => {
  const slices = rows.filter((r) => Number.isFinite(r.value) && r.value >= 0).map((r) => ({ name: r.label, value: r.value }))
  return sum(slices, (s) => s.value) > 0 ? slices : null
}

/** Job counts per state, in lifecycle order. */
export const stateSlices = (byState: Readonly<Record<string, number>>): ReadonlyArray<Slice> | null => {
  const known: ReadonlyArray<string> = stateOrder
  const names = [...known, ...Object.keys(byState).filter((s) => !known.includes(s)).sort()]
  return slicesOf(names.filter((s) => byState[s] !== undefined).map((s) => ({ label: s, value: byState[s] ?? 0 })))
}

export interface Bars {
  readonly categories: ReadonlyArray<string>
  readonly groups: ReadonlyArray<BarGroup>
}

/** One bar per row, or null when there are no rows. */
export const barsOf = (name: string, rows: ReadonlyArray<{ readonly label: string; readonly value: number }>): Bars | null =>
  rows.length === 0 ? null : { categories: rows.map((r) => r.label), groups: [{ name, values: rows.map((r) => r.value) }] }

export const monthlyCostBars = (monthly: Analytics["monthlyCost"]): Bars | null =>
  barsOf("cost (credits)", [...monthly].sort((a, b) => a.month.localeCompare(b.month)).map((m) => ({ label: m.month, value: m.credits })))

/** Utilisation as lines over hours since the period's start: vCPUs and running jobs, and memory separately (another scale). */
export const utilisationSeries = (points: Analytics["utilisation"], fromMs: number): { readonly cpu: ReadonlyArray<Series>; readonly memory: ReadonlyArray<Series> } | null => {
  if (points.length === 0) return null
  const sorted = [...points].sort((a, b) => a.tMs - b.tMs)
  const x = (tMs: number) => (tMs - fromMs) / 3_600_000
  return {
    cpu: [
      { name: "vCPUs allocated", points: sorted.map((p) => [x(p.tMs), p.vcpus] as const) },
      { name: "running jobs", points: sorted.map((p) => [x(p.tMs), p.runningJobs] as const) }
    ],
    memory: [{ name: "memory allocated (MiB)", points: sorted.map((p) => [x(p.tMs), p.memoryMiB] as const) }]
  }
}
