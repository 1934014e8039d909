// The portal's figures as pure functions of what the coordinator holds: job facts (from the jobs
// table), ledger entries (from the book) and traffic counts. Sums are taken in micro-credits and
// converted once, so totals are exact.
import { creditsFromMicroCredits } from "../../core/ledger/accounts.ts"
import type { LedgerEntry } from "../../core/ledger/entry.ts"
import type { Analytics, InvoiceSummary, Period, Slice, Traffic, UtilisationPoint } from "./InsightsApi.ts"
import { jobOfEntry, netOn } from "./visibility.ts"

export interface JobFact {
  readonly id: number
  readonly owner: string
  readonly payer: string | null
  readonly state: string
  readonly image: string
  readonly vcpus: number
  readonly memoryMiB: number
  readonly submittedAtMs: number
  readonly startedAtMs: number | null
  readonly endedAtMs: number | null
  readonly costMicro: number
}

export interface TrafficCount {
  readonly route: string
  readonly requests: number
  readonly bytesIn: number
  readonly bytesOut: number
}

/** `YYYY-MM` of an instant, in UTC. */
export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7)

/** `YYYY-MM-DD` of an instant, in UTC. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

export const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/

/** Every month [from, to) touches, oldest first. */
export const monthsOf = (period: Period): Array<string> => {
  const out: Array<string> = []
  if (period.toMs <= period.fromMs) return out
  const d = new Date(period.fromMs)
  let y = d.getUTCFullYear(), m = d.getUTCMonth()
  for (;;) {
    const start = Date.UTC(y, m, 1)
    if (start >= period.toMs) return out
    out.push(monthOf(start))
    m += 1
    if (m === 12) { m = 0; y += 1 }
  }
}

export const within = (period: Period, ms: number): boolean => ms >= period.fromMs && ms < period.toMs

const byCount = (counts: Map<string, number>): Array<Slice> =>
  [...counts].map(([label, value]) => ({ label, value })).sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : 1))

const tally = <T>(items: ReadonlyArray<T>, key: (t: T) => string, weight: (t: T) => number = () => 1): Array<Slice> => {
  const counts = new Map<string, number>()
  for (const t of items) counts.set(key(t), (counts.get(key(t)) ?? 0) + weight(t))
  return byCount(counts)
}

export const countByState = (jobs: ReadonlyArray<JobFact>): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const j of jobs) out[j.state] = (out[j.state] ?? 0) + 1
  return out
}

/** Failed and lost jobs out of all that ended other than by cancellation; 0 when none did. */
export const failureRate = (byState: Readonly<Record<string, number>>): number => {
  const bad = (byState["failed"] ?? 0) + (byState["lost"] ?? 0)
  const ended = bad + (byState["succeeded"] ?? 0)
  return ended === 0 ? 0 : bad / ended
}

export const sumTraffic = (counts: ReadonlyArray<TrafficCount>): Traffic =>
  counts.reduce((t, c) => ({ requests: t.requests + c.requests, bytesIn: t.bytesIn + c.bytesIn, bytesOut: t.bytesOut + c.bytesOut }), { requests: 0, bytesIn: 0, bytesOut: 0 })

/** What a settlement entry paid out of a job's escrow (to the lender and the platform), in micro-credits. */
export const chargeOf = (entry: LedgerEntry): number => {
  if (entry.kind !== "settle") return 0
  let paid = 0
  for (const p of entry.postings) if (p.account.startsWith("escrow:") && p.amount < 0) paid -= p.amount
  return paid
}

/** Settlement charges of the given jobs within the period, in micro-credits. */
export const chargesMicro = (entries: ReadonlyArray<LedgerEntry>, jobs: ReadonlySet<number>, period: Period): number => {
  let sum = 0
  for (const e of entries) {
    if (e.kind !== "settle" || !within(period, e.timeMs)) continue
    const job = jobOfEntry(e)
    if (job !== null && jobs.has(job)) sum += chargeOf(e)
  }
  return sum
}

export const monthlyCost = (entries: ReadonlyArray<LedgerEntry>, jobs: ReadonlySet<number>, period: Period): Analytics["monthlyCost"] => {
  const byMonth = new Map(monthsOf(period).map((m) => [m, 0]))
  for (const e of entries) {
    if (e.kind !== "settle" || !within(period, e.timeMs)) continue
    const job = jobOfEntry(e)
    if (job === null || !jobs.has(job)) continue
    const m = monthOf(e.timeMs)
    byMonth.set(m, (byMonth.get(m) ?? 0) + chargeOf(e))
  }
  return [...byMonth].map(([month, micro]) => ({ month, credits: creditsFromMicroCredits(micro) }))
}

/**
 * Time-weighted means per bucket of [from, to) of what the jobs held while running (from their last
 * start to their end, or to `nowMs` while still running). The last bucket may be cut short by `to`.
 */
export const utilisation = (jobs: ReadonlyArray<JobFact>, period: Period, bucketMs: number, nowMs: number): Array<UtilisationPoint> => {
  const n = Math.max(0, Math.ceil((period.toMs - period.fromMs) / bucketMs))
  const cpu = new Float64Array(n), mem = new Float64Array(n), count = new Float64Array(n)
  for (const j of jobs) {
    if (j.startedAtMs === null) continue
    const start = Math.max(j.startedAtMs, period.fromMs)
    const end = Math.min(j.endedAtMs ?? Math.max(nowMs, j.startedAtMs), period.toMs)
    if (end <= start) continue
    const first = Math.floor((start - period.fromMs) / bucketMs)
    const last = Math.min(n - 1, Math.floor((end - 1 - period.fromMs) / bucketMs))
    for (let b = first; b <= last; b++) {
      const b0 = period.fromMs + b * bucketMs
      const overlap = Math.min(end, b0 + bucketMs) - Math.max(start, b0)
      if (overlap <= 0) continue
      cpu[b]! += overlap * j.vcpus
      mem[b]! += overlap * j.memoryMiB
      count[b]! += overlap
    }
  }
  return Array.from({ length: n }, (_, b) => {
    const b0 = period.fromMs + b * bucketMs
    const width = Math.min(bucketMs, period.toMs - b0)
    return { tMs: b0, vcpus: cpu[b]! / width, memoryMiB: mem[b]! / width, runningJobs: count[b]! / width }
  })
}

const mean = (xs: ReadonlyArray<number>): number | null => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length)

export const keyMetrics = (jobs: ReadonlyArray<JobFact>): Analytics["keyMetrics"] => {
  const started = jobs.filter((j) => j.startedAtMs !== null)
  const ran = started.filter((j) => j.endedAtMs !== null)
  return {
    jobs: jobs.length,
    succeeded: jobs.filter((j) => j.state === "succeeded").length,
    failed: jobs.filter((j) => j.state === "failed").length,
    meanRunS: mean(ran.map((j) => (j.endedAtMs! - j.startedAtMs!) / 1000)),
    meanWaitS: mean(started.map((j) => (j.startedAtMs! - j.submittedAtMs) / 1000)),
    costCredits: creditsFromMicroCredits(jobs.reduce((s, j) => s + j.costMicro, 0))
  }
}

export const jobsByState = (jobs: ReadonlyArray<JobFact>): Array<Slice> => tally(jobs, (j) => j.state)
export const jobsByImage = (jobs: ReadonlyArray<JobFact>): Array<Slice> => tally(jobs, (j) => j.image)
export const requestsByRoute = (counts: ReadonlyArray<TrafficCount>): Array<Slice> => tally(counts, (c) => c.route, (c) => c.requests)

/** One invoice per UTC month with entries, oldest first; totals are the account's net movement. */
export const invoices = (entries: ReadonlyArray<LedgerEntry>, account: string): Array<InvoiceSummary> => {
  const byMonth = new Map<string, { micro: number; jobs: Set<number>; entries: number }>()
  for (const e of entries) {
    const m = monthOf(e.timeMs)
    const acc = byMonth.get(m) ?? { micro: 0, jobs: new Set<number>(), entries: 0 }
    acc.micro += netOn(e, account)
    acc.entries += 1
    const job = jobOfEntry(e)
    if (job !== null) acc.jobs.add(job)
    byMonth.set(m, acc)
  }
  return [...byMonth]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([month, acc]) => ({ month, totalCredits: creditsFromMicroCredits(acc.micro), jobs: acc.jobs.size, entries: acc.entries }))
}
