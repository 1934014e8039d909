// Queue disciplines: which queued job is offered a node, and when the queue stops.
import type { NodeSelector, SchedulingContext, SchedulingPolicy } from "./policy.ts"
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
  private headJob = -1
  private reservedNode = -1
  private shadowMs = Infinity
  private dirty: Array<number> = []
  private dirtyFlag = new Uint8Array(0)

  constructor(name: string, private readonly select: NodeSelector) {
    this.name = name
  }

  nodeChanged(node: number): void {
    if (this.headJob < 0) return
    if (node >= this.dirtyFlag.length) {
      const f = new Uint8Array(Math.max(1024, node * 2))
      f.set(this.dirtyFlag)
      this.dirtyFlag = f
    }
    if (this.dirtyFlag[node] === 0) {
      this.dirtyFlag[node] = 1
      this.dirty.push(node)
    }
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
      this.clearReservation()
      return
    }
    const head = queue.jobAt(cursor)
    // The reservation only matters once a later job fits somewhere now, so it is made lazily:
    // on a full cluster most passes never need it.
    let reserved = false
    let scanned = 0
    for (cursor = queue.next(cursor + 1); cursor >= 0 && scanned < ctx.scanDepth; cursor = queue.next(cursor + 1)) {
      if (cluster.maxFreeCpu() <= 0) return
      const job = queue.jobAt(cursor)
      scanned++
      let node = firstAllowedFit(ctx, job, 0)
      if (node >= 0 && !reserved) {
        this.reserve(ctx, head)
        reserved = true
      }
      if (node >= 0 && node === this.reservedNode && ctx.now + jobs.requestedMs[job]! / cluster.speed[node]! > this.shadowMs) {
        node = firstAllowedFit(ctx, job, node + 1)
      }
      if (node >= 0) ctx.place(job, node)
    }
  }

  private clearReservation(): void {
    this.headJob = -1
    this.reservedNode = -1
    this.shadowMs = Infinity
    for (const n of this.dirty) this.dirtyFlag[n] = 0
    this.dirty = []
  }

  private reserve(ctx: SchedulingContext, head: number): void {
    const offline = this.reservedNode >= 0 && ctx.cluster.online[this.reservedNode] === 0
    let full = head !== this.headJob || offline
    if (!full) {
      for (const n of this.dirty) {
        const t = earliestStartMs(ctx, head, n)
        if (n === this.reservedNode) {
          if (t > this.shadowMs) {
            full = true
            break
          }
          this.shadowMs = t
        } else if (t < this.shadowMs || (t === this.shadowMs && n < this.reservedNode)) {
          this.shadowMs = t
          this.reservedNode = n
        }
      }
    }
    for (const n of this.dirty) this.dirtyFlag[n] = 0
    this.dirty = []
    if (!full) return
    this.headJob = head
    this.reservedNode = -1
    this.shadowMs = Infinity
    for (let n = 0; n < ctx.cluster.count; n++) {
      const t = earliestStartMs(ctx, head, n, this.shadowMs)
      if (t < this.shadowMs) {
        this.shadowMs = t
        this.reservedNode = n
      }
    }
  }
}

const scratch: Array<number> = []

/**
 * When `job` could start on `node` if its jobs end at their requested times (Infinity: never).
 * A node whose soonest job end is not before `beat` cannot improve on it and is not examined further.
 */
export const earliestStartMs = (ctx: SchedulingContext, job: number, node: number, beat = Infinity): number => {
  const { cluster: c, jobs } = ctx
  if (c.online[node] === 0) return Infinity
  const cpu = jobs.cpu[job]!, mem = jobs.mem[job]!, disk = jobs.disk[job]!
  if (c.capCpu[node]! < cpu || c.capMem[node]! < mem || c.capDisk[node]! < disk || ctx.excluded(job, node)) return Infinity
  let fc = c.freeCpu[node]!, fm = c.freeMem[node]!, fd = c.freeDisk[node]!
  if (fc >= cpu && fm >= mem && fd >= disk) return ctx.now
  const running = ctx.jobsOn(node)
  let soonest = Infinity
  for (const j of running) soonest = Math.min(soonest, endOf(ctx, j, node))
  if (soonest >= beat) return Infinity
  scratch.length = 0
  for (const j of running) scratch.push(j)
  scratch.sort((a, b) => endOf(ctx, a, node) - endOf(ctx, b, node) || a - b)
  for (const j of scratch) {
    fc += jobs.cpu[j]!
    fm += jobs.mem[j]!
    fd += jobs.disk[j]!
    if (fc >= cpu && fm >= mem && fd >= disk) return endOf(ctx, j, node)
  }
  return Infinity
}

const endOf = (ctx: SchedulingContext, job: number, node: number): number => {
  const start = ctx.jobs.startMs[job]! < 0 ? ctx.now : ctx.jobs.startMs[job]!
  return Math.max(ctx.now, start + ctx.jobs.requestedMs[job]! / ctx.cluster.speed[node]!)
}
