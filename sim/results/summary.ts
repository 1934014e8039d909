// Turns a finished run into the per-policy summary that `summary.json` carries (times in seconds).
import { Status } from "../../core/coordinator/JobTable.ts"
import { boundedSlowdown, describe, type Distribution4, gini } from "../../core/metrics/stats.ts"
import type { VerificationSummary } from "../economy/VerificationTally.ts"
import type { WorldResult } from "../world/World.ts"

/** Credits moved by the run's ledger (credits, not micro-credits). */
export interface EconomicsSummary {
  readonly borrowerSpend: number
  readonly lenderEarnings: number
  /** Inequality of earnings over all lender nodes, idle ones included. */
  readonly lenderEarningsGini: number
  /** Platform fees plus collateral slashed from cheaters. */
  readonly platformRevenue: number
  readonly collateralSlashed: number
  /** What each borrower job cost, over the jobs that ended. */
  readonly costPerJob: Distribution4
  /** Jobs refused because the borrower could not cover their maximum cost. */
  readonly refusedForCredits: number
}

export interface PolicySummary {
  readonly jobs: number
  readonly succeeded: number
  readonly failed: number
  readonly cancelled: number
  readonly lost: number
  readonly unfinished: number
  readonly rejected: number
  readonly completionTime: Distribution4
  readonly wait: Distribution4
  readonly boundedSlowdown: Distribution4
  /** Seconds from the first submission to the last completion. */
  readonly makespan: number
  /** Allocated vCPU-time over online vCPU-time during the makespan. */
  readonly utilisation: number
  /** Fraction of allocated vCPU-time spent on attempts that completed (the rest was lost with nodes). */
  readonly goodput: number
  /** Retry attempts after attempts lost with a node. */
  readonly retried: number
  /** Simulated events processed. */
  readonly events: number
  readonly economics: EconomicsSummary
  /** Present when results were verified (replication, adaptive checks or cheaters). */
  readonly verification?: VerificationSummary
}

const micro = 1_000_000
const credits = (m: number): number => Math.round(m) / micro

const economicsOf = (r: WorldResult): EconomicsSummary => {
  const m = r.market
  let earnings = 0
  for (let i = 0; i < m.lenderEarningsMicro.length; i++) earnings += m.lenderEarningsMicro[i]!
  const cost = describe(Float64Array.from(m.jobCostMicro, (x) => x / micro))
  return {
    borrowerSpend: credits(m.borrowerSpendMicro),
    lenderEarnings: credits(earnings),
    lenderEarningsGini: round(gini(m.lenderEarningsMicro)),
    platformRevenue: credits(m.platformFeesMicro + m.collateralSlashedMicro),
    collateralSlashed: credits(m.collateralSlashedMicro),
    costPerJob: roundAll(cost),
    refusedForCredits: m.refusedForCredits
  }
}

const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x)
const roundAll = (d: Distribution4): Distribution4 => ({ mean: round(d.mean), p50: round(d.p50), p95: round(d.p95), p99: round(d.p99) })

export const summarise = (r: WorldResult): PolicySummary => {
  const j = r.coordinator.jobs
  const n = j.count
  const completion = new Float64Array(n)
  const wait = new Float64Array(n)
  const slowdown = new Float64Array(n)
  let done = 0
  const counts = { succeeded: 0, failed: 0, cancelled: 0, lost: 0 }
  let firstSubmit = Infinity
  let lastEnd = 0
  let usefulCpuMs = 0
  let lostCpuMs = 0
  let retried = 0
  for (let i = 0; i < n; i++) {
    const s = j.status[i]!
    firstSubmit = Math.min(firstSubmit, j.submitMs[i]!)
    lostCpuMs += j.lostCpuMs[i]!
    retried += j.retries[i]!
    if (s === Status.succeeded || s === Status.failed) {
      if (s === Status.succeeded) counts.succeeded++
      else counts.failed++
      const responseS = (j.endMs[i]! - j.submitMs[i]!) / 1000
      const runS = (j.endMs[i]! - j.startMs[i]!) / 1000
      completion[done] = responseS
      wait[done] = (j.startMs[i]! - j.submitMs[i]!) / 1000
      slowdown[done] = boundedSlowdown(responseS, runS)
      done++
      usefulCpuMs += (j.endMs[i]! - j.startMs[i]!) * j.cpu[i]!
      lastEnd = Math.max(lastEnd, j.endMs[i]!)
    } else if (s === Status.cancelled) {
      counts.cancelled++
      lastEnd = Math.max(lastEnd, j.endMs[i]!)
    } else if (s === Status.lost) {
      counts.lost++
      lastEnd = Math.max(lastEnd, j.endMs[i]!)
    }
  }
  const makespanMs = n > 0 ? Math.max(0, lastEnd - firstSubmit) : 0
  const allocatedCpuMs = usefulCpuMs + lostCpuMs
  return {
    jobs: n,
    ...counts,
    unfinished: n - counts.succeeded - counts.failed - counts.cancelled - counts.lost,
    rejected: r.rejected,
    completionTime: roundAll(describe(completion.subarray(0, done))),
    wait: roundAll(describe(wait.subarray(0, done))),
    boundedSlowdown: roundAll(describe(slowdown.subarray(0, done))),
    makespan: round(makespanMs / 1000),
    utilisation: round(r.capacityCpuMs > 0 ? allocatedCpuMs / r.capacityCpuMs : 0),
    goodput: round(allocatedCpuMs > 0 ? usefulCpuMs / allocatedCpuMs : 0),
    retried,
    events: r.events,
    economics: economicsOf(r),
    ...(r.verification !== undefined ? { verification: r.verification } : {})
  }
}
