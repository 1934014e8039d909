// Statistics over the experiment's rows: per cell (workload, load) each policy's metrics across
// the paired sequences, the best non-oracle baseline, and the AI policy against it (paired
// Wilcoxon signed-rank with Holm correction over all cells, bootstrap CIs, effect sizes).
import { bootstrapCi, bootstrapPairedRelativeChangeCi, type ConfidenceInterval, hodgesLehmann, holm, rankBiserial, wilcoxonSignedRank } from "../../../core/metrics/inference.ts"
import { quantileSorted } from "../../../core/metrics/stats.ts"
import { Prng } from "../../../core/random/prng.ts"
import { aiPolicy, isBaseline, oraclePolicy } from "./protocol.ts"
import type { RunMetrics } from "./runOne.ts"

export const metricNames = ["meanCompletionS", "p95CompletionS", "meanWaitS", "meanBoundedSlowdown", "utilisation", "goodput", "fairness"] as const
export type MetricName = (typeof metricNames)[number]

export interface PolicyCell {
  readonly policy: string
  readonly runs: number
  /** Mean over sequences of each metric. */
  readonly mean: Readonly<Record<MetricName, number>>
  /** Median over sequences of the mean completion time, with a bootstrap 95% CI. */
  readonly medianCompletion: ConfidenceInterval
  readonly unfinished: number
}

export interface Comparison {
  readonly against: string
  readonly policy: string
  /** mean(policy) / mean(against) - 1 for mean completion time: negative is better. */
  readonly relativeChange: ConfidenceInterval
  readonly pValue: number
  pValueHolm: number
  /** Matched-pairs rank-biserial correlation (positive: the policy is faster). */
  readonly rankBiserial: number
  /** Hodges-Lehmann estimate of the paired difference against - policy (s). */
  readonly hodgesLehmannS: number
  readonly pairs: number
}

export interface CellAnalysis {
  readonly workload: string
  readonly load: number
  readonly policies: ReadonlyArray<PolicyCell>
  readonly bestBaseline: string
  readonly ai: Comparison
  readonly ablations: ReadonlyArray<Comparison>
}

const mean = (xs: ReadonlyArray<number>): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length)
const median = (xs: ReadonlyArray<number>): number => quantileSorted(Float64Array.from(xs).sort(), 0.5)

const compare = (rows: Map<string, Array<RunMetrics>>, against: string, policy: string, rng: Prng): Comparison | undefined => {
  const a = rows.get(against), b = rows.get(policy)
  if (a === undefined || b === undefined) return undefined
  const bySeq = new Map(b.map((r) => [r.sequence, r.meanCompletionS]))
  const x: Array<number> = [], y: Array<number> = []
  for (const r of a) {
    const v = bySeq.get(r.sequence)
    if (v !== undefined) {
      x.push(r.meanCompletionS)
      y.push(v)
    }
  }
  return {
    against,
    policy,
    relativeChange: bootstrapPairedRelativeChangeCi(x, y, { resamples: 4000, level: 0.95, rng }),
    pValue: wilcoxonSignedRank(x, y).pValue,
    pValueHolm: NaN,
    rankBiserial: rankBiserial(x, y),
    hodgesLehmannS: hodgesLehmann(x, y),
    pairs: x.length
  }
}

export const analyse = (rows: ReadonlyArray<RunMetrics>): Array<CellAnalysis> => {
  const cells = new Map<string, Map<string, Array<RunMetrics>>>()
  for (const r of rows) {
    const key = `${r.workload}|${r.load}`
    const cell = cells.get(key) ?? new Map<string, Array<RunMetrics>>()
    cells.set(key, cell)
    const list = cell.get(r.policy) ?? []
    list.push(r)
    cell.set(r.policy, list)
  }
  const out: Array<CellAnalysis> = []
  for (const [key, byPolicy] of cells) {
    const [workload, load] = key.split("|") as [string, string]
    const rng = Prng.fromSeed(1, `analysis/${key}`)
    const policies: Array<PolicyCell> = [...byPolicy].map(([policy, runs]) => ({
      policy,
      runs: runs.length,
      mean: Object.fromEntries(metricNames.map((m) => [m, mean(runs.map((r) => r[m]))])) as Record<MetricName, number>,
      medianCompletion: bootstrapCi(runs.map((r) => r.meanCompletionS), median, { resamples: 2000, level: 0.95, rng: rng.split(`median/${policy}`) }),
      unfinished: runs.reduce((s, r) => s + r.unfinished, 0)
    }))
    const baselines = policies.filter((p) => isBaseline(p.policy))
    const best = baselines.reduce((a, b) => (b.mean.meanCompletionS < a.mean.meanCompletionS ? b : a))
    const ai = compare(byPolicy, best.policy, aiPolicy, rng.split("ai"))!
    const ablations = [oraclePolicy, "ai-user-mean", "ai-no-backfill", "ai-no-failure-model"]
      .map((p) => compare(byPolicy, aiPolicy, p, rng.split(p)))
      .filter((c): c is Comparison => c !== undefined)
    out.push({ workload, load: Number(load), policies, bestBaseline: best.policy, ai, ablations })
  }
  // Holm over every AI-vs-best comparison (one family), and separately over the ablations.
  const adjusted = holm(out.map((c) => c.ai.pValue))
  out.forEach((c, i) => (c.ai.pValueHolm = adjusted[i]!))
  const abl = out.flatMap((c) => c.ablations)
  holm(abl.map((c) => c.pValue)).forEach((p, i) => (abl[i]!.pValueHolm = p))
  return out.sort((a, b) => a.workload.localeCompare(b.workload) || a.load - b.load)
}

/** The interface file other tools read: one entry per workload and load level. */
export const summaryJson = (cells: ReadonlyArray<CellAnalysis>) => ({
  entries: cells.map((c) => ({
    workload: c.workload,
    load: c.load,
    policies: Object.fromEntries(c.policies.map((p) => [p.policy, {
      meanCompletionS: round(p.mean.meanCompletionS),
      meanBoundedSlowdown: round(p.mean.meanBoundedSlowdown)
    }])),
    bestBaseline: c.bestBaseline,
    relativeChange: round(c.ai.relativeChange.estimate),
    relativeChangeCi: [round(c.ai.relativeChange.low), round(c.ai.relativeChange.high)],
    pValue: c.ai.pValue,
    pValueHolm: c.ai.pValueHolm,
    rankBiserial: round(c.ai.rankBiserial),
    pairs: c.ai.pairs
  }))
})

const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : x)
