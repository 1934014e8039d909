// HTCondor-style matchmaking. Each negotiation cycle (a pass) visits submitters in fair-share
// order, least accumulated usage first, and each submitter's jobs in submit order. A job's
// requirements are that it fits and may run on the node; its rank prefers faster nodes, then the
// lower node id. Usage is vCPU-ms: charged when a job is placed at its expected wall time
// (requested time on that node's speed), corrected to the actual wall time when the attempt
// ends, and decayed with a half-life (HTCondor's PRIORITY_HALFLIFE, one day by default).
// Simplification: each submitter takes all it can in turn; HTCondor caps each at its share of the
// pool per cycle ("pie spin"). Jobs that match nothing are passed over, at most `scanDepth` a pass.
import { withRoomFor } from "../../collections/typedArrays.ts"
import type { ClusterState } from "../ClusterState.ts"
import type { AttemptOutcome, SchedulingContext, SchedulingPolicy } from "../policy.ts"
import { firstAllowedFit } from "../selectors.ts"

export const defaultUsageHalfLifeMs = 86_400_000

export class HTCondorMatchmaking implements SchedulingPolicy {
  /** Decayed usage per user (vCPU-ms), as of `usageAtMs`. */
  private usage = new Float64Array(64)
  private usageAtMs = new Float64Array(64)
  /** Per job: the charge made at placement, and when, while its attempt is open. */
  private chargedCpuMs = new Float64Array(1024)
  private placedAtMs = new Float64Array(1024)
  private open = new Uint8Array(1024)
  // Per-pass buckets of queued jobs by user (counting sort, reused).
  private counts = new Int32Array(64)
  private starts = new Int32Array(64)
  private byUser = new Int32Array(1024)
  private readonly users: Array<number> = []
  /** Node ids by rank: speed descending, then id ascending. */
  private ranked = new Int32Array(0)

  constructor(readonly name = "htcondor", private readonly usageHalfLifeMs = defaultUsageHalfLifeMs) {}

  /** A user's usage decayed to `now` (vCPU-ms). */
  usageOf(user: number, now: number): number {
    this.decay(user, now)
    return this.usage[user]!
  }

  schedule(ctx: SchedulingContext): void {
    const { queue, cluster, jobs, now } = ctx
    if (cluster.maxFreeCpu() <= 0) return
    this.rank(cluster)
    let maxUser = -1
    for (let cursor = queue.next(0); cursor >= 0; cursor = queue.next(cursor + 1)) {
      maxUser = Math.max(maxUser, jobs.owner[queue.jobAt(cursor)]!)
    }
    this.counts = withRoomFor(this.counts, maxUser + 1)
    this.starts = withRoomFor(this.starts, maxUser + 1)
    const counts = this.counts, starts = this.starts
    counts.fill(0, 0, maxUser + 1)
    for (let cursor = queue.next(0); cursor >= 0; cursor = queue.next(cursor + 1)) counts[jobs.owner[queue.jobAt(cursor)]!]!++
    const users = this.users
    users.length = 0
    let total = 0
    for (let u = 0; u <= maxUser; u++) {
      starts[u] = total
      total += counts[u]!
      if (counts[u]! > 0) users.push(u)
      counts[u] = 0
    }
    this.byUser = withRoomFor(this.byUser, total)
    const byUser = this.byUser
    for (let cursor = queue.next(0); cursor >= 0; cursor = queue.next(cursor + 1)) {
      const job = queue.jobAt(cursor)
      const u = jobs.owner[job]!
      byUser[starts[u]! + counts[u]!++] = job
    }
    for (const u of users) this.decay(u, now)
    const usage = this.usage
    users.sort((a, b) => usage[a]! - usage[b]! || a - b)
    let skipped = 0
    for (const u of users) {
      for (let k = 0; k < counts[u]!; k++) {
        if (cluster.maxFreeCpu() <= 0) return
        const job = byUser[starts[u]! + k]!
        const node = this.match(ctx, job)
        if (node < 0) {
          if (++skipped >= ctx.scanDepth) return
          continue
        }
        ctx.place(job, node)
        this.charge(ctx, job, node)
      }
    }
  }

  attemptEnded(ctx: SchedulingContext, job: number, _node: number, _outcome: AttemptOutcome): void {
    if (job >= this.open.length || this.open[job] === 0) return
    this.open[job] = 0
    const user = ctx.jobs.owner[job]!
    this.decay(user, ctx.now)
    const actual = ctx.jobs.cpu[job]! * (ctx.now - this.placedAtMs[job]!)
    this.usage[user] = Math.max(0, this.usage[user]! + actual - this.chargedCpuMs[job]!)
  }

  /** The best-ranked node the job may run on now, or -1. */
  private match(ctx: SchedulingContext, job: number): number {
    if (firstAllowedFit(ctx, job, 0) < 0) return -1
    const { cluster: c, jobs } = ctx
    const cpu = jobs.cpu[job]!, mem = jobs.mem[job]!, disk = jobs.disk[job]!
    for (let i = 0; i < c.count; i++) {
      const n = this.ranked[i]!
      if (c.fitsOn(n, cpu, mem, disk) && !ctx.excluded(job, n)) return n
    }
    return -1
  }

  private charge(ctx: SchedulingContext, job: number, node: number): void {
    const { jobs, cluster, now } = ctx
    const user = jobs.owner[job]!
    this.decay(user, now)
    const charge = jobs.cpu[job]! * (jobs.requestedMs[job]! / cluster.speed[node]!)
    this.usage[user] = this.usage[user]! + charge
    this.chargedCpuMs = withRoomFor(this.chargedCpuMs, job + 1)
    this.placedAtMs = withRoomFor(this.placedAtMs, job + 1)
    this.open = withRoomFor(this.open, job + 1)
    this.chargedCpuMs[job] = charge
    this.placedAtMs[job] = now
    this.open[job] = 1
  }

  private decay(user: number, now: number): void {
    if (user >= this.usage.length) {
      this.usage = withRoomFor(this.usage, user + 1)
      this.usageAtMs = withRoomFor(this.usageAtMs, user + 1)
    }
    const dt = now - this.usageAtMs[user]!
    if (dt > 0 && Number.isFinite(this.usageHalfLifeMs)) this.usage[user] = this.usage[user]! * Math.pow(2, -dt / this.usageHalfLifeMs)
    this.usageAtMs[user] = now
  }

  private rank(c: ClusterState): void {
    if (this.ranked.length === c.count) return
    const ranked = new Int32Array(c.count)
    for (let i = 0; i < c.count; i++) ranked[i] = i
    ranked.sort((a, b) => c.speed[b]! - c.speed[a]! || a - b)
    this.ranked = ranked
  }
}
