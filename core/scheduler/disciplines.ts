// Queue disciplines: which queued job is offered a node, and when the queue stops.
import type { NodeSelector, SchedulingContext, SchedulingPolicy } from "./policy.ts"
import { Reservation, requestedEnd } from "./reservation.ts"
import { firstAllowedFit } from "./selectors.ts"

/** Strict arrival order: the head waits until it fits, and everything behind it waits too. */
export const strictOrder = (name: string, select: NodeSelector): SchedulingPolicy => ({
  name,
  schedule(ctx) {
    const { queue } = ctx
    for (let cursor = queue.next(0); cursor >= 0; cursor = queue.next(cursor + 1)) {
      const job = queue.jobAt(cursor)
      const node = select(ctx, job)
      if (node < 0) return
      ctx.place(job, node)
    }
  }
})

/**
 * Arrival order, but a job that fits nowhere is passed over, as Kubernetes does with an
 * unschedulable pod; at most `scanDepth` passed-over jobs are examined per pass.
 */
export const passOver = (name: string, select: NodeSelector): SchedulingPolicy => ({
  name,
  schedule(ctx) {
    const { queue, cluster } = ctx
    let skipped = 0
    for (let cursor = queue.next(0); cursor >= 0 && skipped < ctx.scanDepth; cursor = queue.next(cursor + 1)) {
      if (cluster.maxFreeCpu() <= 0) return
      const job = queue.jobAt(cursor)
      const node = select(ctx, job)
      if (node < 0) skipped++
      else ctx.place(job, node)
    }
  }
})

/**
 * EASY backfilling (Lifka 1995) on heterogeneous nodes: the blocked head of the queue gets a
 * reservation on the node where, by requested times, it can start earliest (the shadow time);
 * later jobs may start now if they fit elsewhere, or on the reserved node if they end by then.
 * The reservation is cached and refreshed only for nodes whose allocation changed.
 */
export class EasyBackfilling implements SchedulingPolicy {
  readonly name: string
  private readonly reservation = new Reservation(requestedEnd)

  constructor(name: string, private readonly select: NodeSelector) {
    this.name = name
  }

  nodeChanged(node: number): void {
    this.reservation.nodeChanged(node)
  }

  schedule(ctx: SchedulingContext): void {
    const { queue, jobs, cluster } = ctx
    let cursor = queue.next(0)
    for (; cursor >= 0; cursor = queue.next(cursor + 1)) {
      const job = queue.jobAt(cursor)
      const node = this.select(ctx, job)
      if (node < 0) break
      ctx.place(job, node)
    }
    if (cursor < 0) {
      this.reservation.clear()
      return
    }
    const head = queue.jobAt(cursor)
    // The reservation only matters once a later job fits somewhere now, so it is made lazily:
    // on a full cluster most passes never need it.
    let reserved = false
    let scanned = 0
    const r = this.reservation
    for (cursor = queue.next(cursor + 1); cursor >= 0 && scanned < ctx.scanDepth; cursor = queue.next(cursor + 1)) {
      if (cluster.maxFreeCpu() <= 0) return
      const job = queue.jobAt(cursor)
      scanned++
      let node = firstAllowedFit(ctx, job, 0)
      if (node >= 0 && !reserved) {
        r.reserve(ctx, head)
        reserved = true
      }
      if (node >= 0 && node === r.node && ctx.now + jobs.requestedMs[job]! / cluster.speed[node]! > r.shadowMs) {
        node = firstAllowedFit(ctx, job, node + 1)
      }
      if (node >= 0) ctx.place(job, node)
    }
  }
}
