// EASY backfilling over any queue order: jobs start in priority order until one fits nowhere
// (the head); the head gets a reservation (see Reservation); then up to `scanDepth` candidates,
// in candidate order, start now if they fit on another node, or on the reserved node if they are
// expected to end by the shadow time. The `f1`, `wfp3`, `unicep` and `easy++` policies.
import type { SchedulingContext, SchedulingPolicy } from "../policy.ts"
import { firstAllowedFit } from "../selectors.ts"
import { QueueHeap, type JobKey } from "./queueHeap.ts"
import { type EndEstimate, Reservation, requestedEnd } from "../reservation.ts"

export interface BackfillingOptions {
  /** Queue order (lower first); arrival order when absent. */
  readonly priority?: JobKey
  /** Order in which backfill candidates are tried; the queue order when absent. */
  readonly candidates?: JobKey
  /** Run time the policy expects at reference speed, for the "ends by the shadow time" test. */
  readonly runtimeMs: (ctx: SchedulingContext, job: number) => number
  /** Expected end of placed and running jobs, for the shadow time. */
  readonly endOf: EndEstimate
  /** Told after each placement the policy makes. */
  readonly placed?: (ctx: SchedulingContext, job: number, node: number) => void
}

export const requestedRuntimeMs = (ctx: SchedulingContext, job: number): number => ctx.jobs.requestedMs[job]!

export class PriorityBackfilling implements SchedulingPolicy {
  private readonly heap = new QueueHeap()
  private readonly candidateHeap = new QueueHeap()
  private readonly reservation: Reservation

  constructor(readonly name: string, private readonly options: BackfillingOptions) {
    this.reservation = new Reservation(options.endOf)
  }

  nodeChanged(node: number): void {
    this.reservation.nodeChanged(node)
  }

  schedule(ctx: SchedulingContext): void {
    const { queue, cluster } = ctx
    // Nothing can start on a full cluster, and a reservation only matters once something can.
    if (cluster.maxFreeCpu() <= 0) return
    const { priority, candidates } = this.options
    let head = -1
    let cursor = -1
    if (priority !== undefined) {
      this.heap.load(ctx, priority)
      for (let job = this.heap.pop(); job >= 0; job = this.heap.pop()) {
        const node = firstAllowedFit(ctx, job, 0)
        if (node < 0) {
          head = job
          break
        }
        this.place(ctx, job, node)
      }
    } else {
      for (cursor = queue.next(0); cursor >= 0; cursor = queue.next(cursor + 1)) {
        const job = queue.jobAt(cursor)
        const node = firstAllowedFit(ctx, job, 0)
        if (node < 0) {
          head = job
          break
        }
        this.place(ctx, job, node)
      }
    }
    if (head < 0) {
      this.reservation.clear()
      return
    }
    if (candidates !== undefined) this.candidateHeap.load(ctx, candidates, head)
    let reserved = false
    for (let scanned = 0; scanned < ctx.scanDepth; scanned++) {
      if (cluster.maxFreeCpu() <= 0) return
      let job: number
      if (candidates !== undefined) job = this.candidateHeap.pop()
      else if (priority !== undefined) job = this.heap.pop()
      else {
        cursor = queue.next(cursor + 1)
        job = cursor < 0 ? -1 : queue.jobAt(cursor)
      }
      if (job < 0) return
      let node = firstAllowedFit(ctx, job, 0)
      if (node < 0) continue
      if (!reserved) {
        this.reservation.reserve(ctx, head)
        reserved = true
      }
      const r = this.reservation
      if (node === r.node && ctx.now + this.options.runtimeMs(ctx, job) / cluster.speed[node]! > r.shadowMs) {
        node = firstAllowedFit(ctx, job, node + 1)
      }
      if (node >= 0) this.place(ctx, job, node)
    }
  }

  private place(ctx: SchedulingContext, job: number, node: number): void {
    ctx.place(job, node)
    this.options.placed?.(ctx, job, node)
  }
}

/** EASY backfilling with the queue ordered by a priority function and requested times as estimates. */
export const priorityBackfilling = (name: string, priority: JobKey): SchedulingPolicy =>
  new PriorityBackfilling(name, { priority, runtimeMs: requestedRuntimeMs, endOf: requestedEnd })
