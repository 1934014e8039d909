// EASY's single reservation for the blocked head, with the running jobs' end times taken from a
// pluggable estimate (requested times, EASY++'s or the AI policy's predictions). Cached: refreshed
// only for nodes whose allocation changed, recomputed when the head changes, its node goes away, or
// the shadow time has passed (an estimate turned out too short).
import { withRoomFor } from "../collections/typedArrays.ts"
import type { SchedulingContext } from "./policy.ts"

/** When a placed or running job is expected to free its node (never before now). */
export type EndEstimate = (ctx: SchedulingContext, job: number, node: number) => number

/** End by requested time on the node's speed: what the user promised. */
export const requestedEnd: EndEstimate = (ctx, job, node) => {
  const start = ctx.jobs.startMs[job]! < 0 ? ctx.now : ctx.jobs.startMs[job]!
  return Math.max(ctx.now, start + ctx.jobs.requestedMs[job]! / ctx.cluster.speed[node]!)
}

export class Reservation {
  head = -1
  node = -1
  shadowMs = Infinity
  private dirty: Array<number> = []
  private dirtyFlag = new Uint8Array(1024)
  private readonly scratch: Array<number> = []
  private cursor = 0

  /**
   * `scanMax` bounds a full recomputation to that many nodes from a rotating start: the head may
   * then be promised a later start than the best node would give, never an earlier one, so
   * backfilling stays safe while the cost stays flat at 10,000 nodes.
   */
  constructor(private readonly endOf: EndEstimate, private readonly scanMax = Infinity) {}

  nodeChanged(node: number): void {
    if (this.head < 0) return
    this.dirtyFlag = withRoomFor(this.dirtyFlag, node + 1)
    if (this.dirtyFlag[node] === 0) {
      this.dirtyFlag[node] = 1
      this.dirty.push(node)
    }
  }

  clear(): void {
    this.head = -1
    this.node = -1
    this.shadowMs = Infinity
    this.clearDirty()
  }

  /** Gives `head` the node where it can start earliest (lowest id on ties) and that time. */
  reserve(ctx: SchedulingContext, head: number): void {
    const lost = this.node >= 0 && ctx.cluster.online[this.node] === 0
    let full = head !== this.head || lost || this.shadowMs < ctx.now
    if (!full) {
      for (const n of this.dirty) {
        const t = this.earliestStartMs(ctx, head, n)
        if (n === this.node) {
          if (t > this.shadowMs) {
            full = true
            break
          }
          this.shadowMs = t
        } else if (t < this.shadowMs || (t === this.shadowMs && n < this.node)) {
          this.shadowMs = t
          this.node = n
        }
      }
    }
    this.clearDirty()
    if (!full) return
    this.head = head
    this.node = -1
    this.shadowMs = Infinity
    const count = ctx.cluster.count
    const span = Math.min(count, this.scanMax)
    const from = span < count ? this.cursor % count : 0
    this.cursor = from + span
    for (let k = 0; k < span; k++) {
      const n = from + k < count ? from + k : from + k - count
      const t = this.earliestStartMs(ctx, head, n, this.shadowMs)
      if (t < this.shadowMs || (t === this.shadowMs && n < this.node)) {
        this.shadowMs = t
        this.node = n
      }
    }
  }

  private clearDirty(): void {
    for (const n of this.dirty) this.dirtyFlag[n] = 0
    this.dirty.length = 0
  }

  /** When `job` could start on `node` as its jobs end by the estimate; Infinity if not before `beat`. */
  earliestStartMs(ctx: SchedulingContext, job: number, node: number, beat = Infinity): number {
    const { cluster: c, jobs } = ctx
    if (c.online[node] === 0) return Infinity
    const cpu = jobs.cpu[job]!, mem = jobs.mem[job]!, disk = jobs.disk[job]!
    if (c.capCpu[node]! < cpu || c.capMem[node]! < mem || c.capDisk[node]! < disk || ctx.excluded(job, node)) return Infinity
    let fc = c.freeCpu[node]!, fm = c.freeMem[node]!, fd = c.freeDisk[node]!
    if (fc >= cpu && fm >= mem && fd >= disk) return ctx.now
    const running = ctx.jobsOn(node)
    let soonest = Infinity
    for (const j of running) soonest = Math.min(soonest, this.endOf(ctx, j, node))
    if (soonest >= beat) return Infinity
    const s = this.scratch
    s.length = 0
    for (const j of running) s.push(j)
    s.sort((a, b) => this.endOf(ctx, a, node) - this.endOf(ctx, b, node) || a - b)
    for (const j of s) {
      fc += jobs.cpu[j]!
      fm += jobs.mem[j]!
      fd += jobs.disk[j]!
      if (fc >= cpu && fm >= mem && fd >= disk) return this.endOf(ctx, j, node)
    }
    return Infinity
  }
}
