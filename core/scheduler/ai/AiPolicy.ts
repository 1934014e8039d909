// The AI policy: jobs in order of predicted run time, each placed on the node that minimises its
// expected completion time (predicted run time on that node's speed, plus the expected cost of
// re-running work lost if the node goes away), with EASY-style backfilling whose reservation uses
// predictions corrected for under-prediction. It learns only from what the coordinator observes
// (the hooks of SchedulingPolicy), so the same object runs in the simulator and live.
import { withRoomFor } from "../../collections/typedArrays.ts"
import { Status } from "../../coordinator/JobTable.ts"
import type { AttemptOutcome, SchedulingContext, SchedulingPolicy } from "../policy.ts"
import { Reservation } from "../reservation.ts"
import { firstAllowedFit } from "../selectors.ts"
import { NodeHistory, UserHistory } from "./history.ts"
import type { RiskModel } from "./riskModels.ts"
import type { RuntimeModel } from "./runtimeModels.ts"

export interface AiSettings {
  readonly backfilling: boolean
  /** Time a lost attempt costs besides its lost progress and re-run: detection and requeueing. */
  readonly lossPenaltyMs: number
  /** Nodes kept by the cheap session-prior score for the failure model to score. */
  readonly shortlist: number
  /** Most fitting nodes examined per placement, and per reservation (from rotating starts): bounds the cost at 10,000 nodes. */
  readonly nodesExaminedMax: number
  /** Session length assumed for a node before any session has been observed. */
  readonly defaultSessionMs: number
  /** Placement decisions kept for `explain`. */
  readonly explainLast: number
}

export const defaultAiSettings: AiSettings = {
  backfilling: true,
  lossPenaltyMs: 180_000,
  shortlist: 12,
  nodesExaminedMax: 256,
  defaultSessionMs: 3_600_000,
  explainLast: 10_000
}

/** Why a job went where it went. */
export interface PlacementDecision {
  readonly job: number
  readonly node: number
  readonly atMs: number
  readonly runtimeModel: string
  readonly riskModel: string
  /** Predicted work at reference speed, and the run time it means on the chosen node. */
  readonly predictedWorkMs: number
  readonly predictedRunMs: number
  /** Predicted probability that the attempt is lost with the node. */
  readonly failureRisk: number
  /** Expected time to completion from now on the chosen node (lower is better). */
  readonly scoreMs: number
  /** The second-best node and its score (-1 and Infinity when only one node fitted). */
  readonly runnerUpNode: number
  readonly runnerUpScoreMs: number
  /** Whether the job was started past a blocked job's reservation. */
  readonly backfilled: boolean
}

/** What the policy observes and its models read: kept outside so the models can be built first. */
export interface Observations {
  readonly users: UserHistory
  readonly nodes: NodeHistory
}

export const newObservations = (settings: AiSettings = defaultAiSettings): Observations => ({
  users: new UserHistory(),
  nodes: new NodeHistory(settings.defaultSessionMs)
})

export class AiPolicy implements SchedulingPolicy {
  readonly users: UserHistory
  readonly nodes: NodeHistory
  private order: Array<number> = []
  private tokens: Array<number> = []
  private live = 0
  private predicted = new Float64Array(1024)
  private estimatedEnd = new Float64Array(1024)
  private keyVersion = 0
  private cursor = 0
  private readonly decisions = new Map<number, PlacementDecision>()
  private readonly shortNode: Int32Array
  private readonly shortScore: Float64Array
  /** EASY's reservation for the blocked job, by predicted ends (see reservation.ts). */
  private readonly reservation: Reservation
  /** The job the last pass stopped at (it fitted nowhere and holds the reservation); -1 if none. */
  blockedJob = -1

  constructor(
    readonly name: string,
    readonly runtime: RuntimeModel,
    readonly risk: RiskModel,
    readonly settings: AiSettings = defaultAiSettings,
    observations: Observations = newObservations(settings)
  ) {
    this.users = observations.users
    this.nodes = observations.nodes
    this.shortNode = new Int32Array(settings.shortlist)
    this.reservation = new Reservation((ctx, job, node) => this.endOf(ctx, job, node), 8 * settings.nodesExaminedMax)
    this.shortScore = new Float64Array(settings.shortlist)
  }

  /** The last placement decision for a job, if it is among the most recent `explainLast`. */
  explain(job: number): PlacementDecision | undefined {
    return this.decisions.get(job)
  }

  recentDecisions(): ReadonlyArray<PlacementDecision> {
    return [...this.decisions.values()]
  }

  jobQueued(ctx: SchedulingContext, job: number): void {
    this.predicted = withRoomFor(this.predicted, job + 1)
    this.estimatedEnd = withRoomFor(this.estimatedEnd, job + 1)
    this.predicted[job] = this.runtime.predict(ctx, job)
    const key = this.keyOf(ctx, job)
    let lo = 0
    let hi = this.order.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.before(this.order[mid]!, job, key, ctx)) lo = mid + 1
      else hi = mid
    }
    this.order.splice(lo, 0, job)
    this.tokens.splice(lo, 0, ctx.jobs.queueToken[job]!)
    this.live++
  }

  /** Smallest predicted area (work x vCPUs) first: Smith's rule for mean completion time. */
  private keyOf(ctx: SchedulingContext, job: number): number {
    return this.predicted[job]! * ctx.jobs.cpu[job]!
  }

  private before(a: number, b: number, keyB: number, ctx: SchedulingContext): boolean {
    const ka = this.keyOf(ctx, a)
    if (ka !== keyB) return ka < keyB
    const sa = ctx.jobs.submitMs[a]!, sb = ctx.jobs.submitMs[b]!
    return sa < sb || (sa === sb && a < b)
  }

  private valid(i: number, ctx: SchedulingContext): boolean {
    const job = this.order[i]!
    return ctx.jobs.status[job] === Status.queued && ctx.jobs.queueToken[job] === this.tokens[i]
  }

  attemptEnded(ctx: SchedulingContext, job: number, node: number, outcome: AttemptOutcome): void {
    if (outcome === "cancelled") return
    const lost = outcome === "lost"
    this.nodes.attemptEnded(node, lost)
    this.risk.ended(ctx, job, lost)
    const start = ctx.jobs.startMs[job]!
    if (outcome === "succeeded" && start >= 0) {
      const workMs = (ctx.now - start) * ctx.cluster.speed[node]!
      this.runtime.learn(ctx, job, workMs)
      this.users.record(ctx.jobs.owner[job]!, workMs, ctx.jobs.requestedMs[job]!)
    }
  }

  nodeAvailability(ctx: SchedulingContext, node: number, online: boolean): void {
    if (online) this.nodes.online(node, ctx.now)
    else this.nodes.offline(node, ctx.now)
  }

  schedule(ctx: SchedulingContext): void {
    this.compact(ctx)
    if (this.runtime.version !== this.keyVersion) this.rekey(ctx)
    const c = ctx.cluster
    let head = -1
    let reserved = false
    let examined = 0
    this.blockedJob = -1
    // The job holding the reservation keeps it until it starts, even if smaller jobs that fit
    // nowhere arrive: a wide job is not starved, and the reservation is not rebuilt on every arrival.
    const holder = this.reservation.head
    if (holder >= 0 && ctx.jobs.status[holder] === Status.queued && this.settings.backfilling) {
      if (c.maxFreeCpu() <= 0) return
      if (this.choose(ctx, holder, false) < 0) {
        head = holder
        this.blockedJob = holder
      }
    }
    for (let i = 0; i < this.order.length; i++) {
      if (!this.valid(i, ctx)) continue
      if (c.maxFreeCpu() <= 0) return
      const job = this.order[i]!
      if (job === head) continue
      if (head >= 0) {
        if (++examined > ctx.scanDepth) return
        if (firstAllowedFit(ctx, job, 0) < 0) continue
        if (!reserved) {
          this.reservation.reserve(ctx, head)
          reserved = true
        }
      }
      const node = this.choose(ctx, job, head >= 0)
      if (node >= 0) continue
      if (head < 0) {
        head = job
        this.blockedJob = job
        if (!this.settings.backfilling) return
      }
    }
  }

  /** Scores the nodes where the job may start now and places it on the best; -1 if none. */
  private choose(ctx: SchedulingContext, job: number, backfill: boolean): number {
    const c = ctx.cluster, j = ctx.jobs
    const cpu = j.cpu[job]!, mem = j.mem[job]!, disk = j.disk[job]!
    let n = firstAllowedFit(ctx, job, 0)
    if (n < 0) return -1
    const work = this.predicted[job]!
    const upper = this.runtime.upper(ctx, job, work)
    const penalty = this.settings.lossPenaltyMs
    const k = this.shortNode.length
    let short = 0
    // Start from a rotating node so that, past `nodesExaminedMax`, different nodes get a look.
    const start = this.cursor < c.count ? this.cursor : 0
    let examined = 0
    // Fitting nodes come from the placement index (it skips full subtrees), from `start` round.
    for (let wrapped = false, next = c.firstFit(cpu, mem, disk, start); examined < this.settings.nodesExaminedMax; next = c.firstFit(cpu, mem, disk, n + 1)) {
      if (next < 0) {
        if (wrapped || start === 0) break
        wrapped = true
        next = c.firstFit(cpu, mem, disk, 0)
        if (next < 0) break
      }
      if (wrapped && next >= start) break
      n = next
      if (ctx.excluded(job, n)) continue
      examined++
      if (backfill && n === this.reservation.node && ctx.now + upper / c.speed[n]! > this.reservation.shadowMs) continue
      const d = work / c.speed[n]!
      const s = d + this.risk.prior(ctx, n, d) * (1.5 * d + penalty)
      if (short < k) {
        this.shortNode[short] = n
        this.shortScore[short++] = s
      } else {
        let worst = 0
        for (let q = 1; q < k; q++) if (this.shortScore[q]! > this.shortScore[worst]!) worst = q
        if (s < this.shortScore[worst]!) {
          this.shortNode[worst] = n
          this.shortScore[worst] = s
        }
      }
    }
    if (short === 0) return -1
    this.cursor = start + 1 >= c.count ? 0 : start + 1
    let best = -1, bestScore = Infinity, bestRisk = 0, second = -1, secondScore = Infinity
    for (let q = 0; q < short; q++) {
      const node = this.shortNode[q]!
      const d = work / c.speed[node]!
      const p = this.risk.risk(ctx, node, d)
      const s = d + p * (1.5 * d + penalty)
      if (s < bestScore || (s === bestScore && node < best)) {
        second = best
        secondScore = bestScore
        best = node
        bestScore = s
        bestRisk = p
      } else if (s < secondScore || (s === secondScore && node < second)) {
        second = node
        secondScore = s
      }
    }
    const run = work / c.speed[best]!
    this.estimatedEnd[job] = ctx.now + upper / c.speed[best]!
    this.risk.placed(ctx, job, best, run)
    this.remember({
      job, node: best, atMs: ctx.now, runtimeModel: this.runtime.name, riskModel: this.risk.name,
      predictedWorkMs: work, predictedRunMs: run, failureRisk: bestRisk, scoreMs: bestScore,
      runnerUpNode: second, runnerUpScoreMs: secondScore, backfilled: backfill
    })
    ctx.place(job, best)
    return best
  }

  private remember(d: PlacementDecision): void {
    this.decisions.delete(d.job)
    this.decisions.set(d.job, d)
    if (this.decisions.size > this.settings.explainLast) this.decisions.delete(this.decisions.keys().next().value!)
  }

  nodeChanged(node: number): void {
    this.reservation.nodeChanged(node)
  }

  /** A running job's estimated end; one that outlived its estimate is given until its requested time. */
  private endOf(ctx: SchedulingContext, job: number, node: number): number {
    const e = this.estimatedEnd[job]!
    if (e > ctx.now) return e
    const start = ctx.jobs.startMs[job]! < 0 ? ctx.now : ctx.jobs.startMs[job]!
    return Math.max(ctx.now, start + ctx.jobs.requestedMs[job]! / ctx.cluster.speed[node]!)
  }

  /** Predictions changed (the model was retrained): re-predict queued jobs and re-sort. */
  private rekey(ctx: SchedulingContext): void {
    this.keyVersion = this.runtime.version
    const jobs: Array<number> = []
    for (let i = 0; i < this.order.length; i++) {
      if (!this.valid(i, ctx)) continue
      const job = this.order[i]!
      this.predicted[job] = this.runtime.predict(ctx, job)
      jobs.push(job)
    }
    const submit = ctx.jobs.submitMs
    jobs.sort((a, b) => this.keyOf(ctx, a) - this.keyOf(ctx, b) || submit[a]! - submit[b]! || a - b)
    this.order = jobs
    this.tokens = jobs.map((job) => ctx.jobs.queueToken[job]!)
    this.live = jobs.length
  }

  /** Drops entries of jobs no longer queued once they outnumber the queued ones. */
  private compact(ctx: SchedulingContext): void {
    this.live = ctx.queue.length
    const dead = this.order.length - this.live
    if (dead <= 1024 || dead <= this.live) return
    const order: Array<number> = []
    const tokens: Array<number> = []
    for (let i = 0; i < this.order.length; i++) {
      if (!this.valid(i, ctx)) continue
      order.push(this.order[i]!)
      tokens.push(this.tokens[i]!)
    }
    this.order = order
    this.tokens = tokens
  }
}
