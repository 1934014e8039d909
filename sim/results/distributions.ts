// Per-policy distributions precomputed when a run is written (distributions.json), so the results
// explorer draws CDFs and histograms without reading a million-row jobs.csv in the browser.
import { Status } from "../../core/coordinator/JobTable.ts"
import { boundedSlowdown, quantileSorted } from "../../core/metrics/stats.ts"
import type { WorldResult } from "../world/World.ts"

export interface Histogram {
  /** Bin i holds values in [edges[i], edges[i+1]); the last edge may be Infinity (written as null). */
  readonly edges: ReadonlyArray<number | null>
  readonly counts: ReadonlyArray<number>
}

export interface PolicyDistributions {
  /** Cumulative distribution as [seconds, fraction of jobs at or below] at 201 evenly spaced fractions. */
  readonly completionTimeS: ReadonlyArray<readonly [number, number]>
  readonly waitS: ReadonlyArray<readonly [number, number]>
  readonly boundedSlowdown: Histogram
}

export const slowdownEdges: ReadonlyArray<number> = [1, 1.1, 1.5, 2, 5, 10, 100, Infinity]

const round = (x: number) => Math.round(x * 1000) / 1000

const cdf = (values: Float64Array, points = 200): Array<readonly [number, number]> => {
  if (values.length === 0) return []
  const sorted = Float64Array.from(values).sort()
  const out: Array<readonly [number, number]> = []
  for (let i = 0; i <= points; i++) out.push([round(quantileSorted(sorted, i / points)), i / points])
  return out
}

export const distributionsOf = (r: WorldResult): PolicyDistributions => {
  const j = r.coordinator.jobs
  const completion: Array<number> = []
  const wait: Array<number> = []
  const counts = new Array<number>(slowdownEdges.length - 1).fill(0)
  for (let i = 0; i < j.count; i++) {
    const s = j.status[i]
    if (s !== Status.succeeded && s !== Status.failed) continue
    const responseS = (j.endMs[i]! - j.submitMs[i]!) / 1000
    const runS = (j.endMs[i]! - j.startMs[i]!) / 1000
    completion.push(responseS)
    wait.push((j.startMs[i]! - j.submitMs[i]!) / 1000)
    const b = boundedSlowdown(responseS, runS)
    let k = 0
    while (k < counts.length - 1 && b >= slowdownEdges[k + 1]!) k++
    counts[k]!++
  }
  return {
    completionTimeS: cdf(Float64Array.from(completion)),
    waitS: cdf(Float64Array.from(wait)),
    boundedSlowdown: { edges: slowdownEdges.map((e) => (Number.isFinite(e) ? e : null)), counts }
  }
}
