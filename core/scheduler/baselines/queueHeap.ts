// The queued jobs in the order of a priority key, rebuilt each pass: one O(Q) heapify over
// reused typed arrays, then O(log Q) per job actually examined, so a pass that places a few jobs
// from a long queue never sorts all of it.
import { withRoomFor } from "../../collections/typedArrays.ts"
import type { SchedulingContext } from "../policy.ts"

/** A job's priority key: lower goes first; equal keys keep queue order (submit time, then id). */
export type JobKey = (ctx: SchedulingContext, job: number) => number

export class QueueHeap {
  private jobs = new Int32Array(256)
  private keys = new Float64Array(256)
  /** Position in queue order, the tie-break. */
  private ranks = new Int32Array(256)
  private size = 0

  /** Loads every queued job except `skip` with its key. */
  load(ctx: SchedulingContext, key: JobKey, skip = -1): void {
    const { queue } = ctx
    this.jobs = withRoomFor(this.jobs, queue.length)
    this.keys = withRoomFor(this.keys, queue.length)
    this.ranks = withRoomFor(this.ranks, queue.length)
    let n = 0
    for (let cursor = queue.next(0); cursor >= 0; cursor = queue.next(cursor + 1)) {
      const job = queue.jobAt(cursor)
      if (job === skip) continue
      this.jobs[n] = job
      this.keys[n] = key(ctx, job)
      this.ranks[n] = n
      n++
    }
    this.size = n
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i)
  }

  /** The job with the lowest key, removed; -1 when none is left. */
  pop(): number {
    if (this.size === 0) return -1
    const top = this.jobs[0]!
    this.size--
    if (this.size > 0) {
      this.move(this.size, 0)
      this.siftDown(0)
    }
    return top
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a]!, kb = this.keys[b]!
    return ka < kb || (ka === kb && this.ranks[a]! < this.ranks[b]!)
  }

  private move(from: number, to: number): void {
    this.jobs[to] = this.jobs[from]!
    this.keys[to] = this.keys[from]!
    this.ranks[to] = this.ranks[from]!
  }

  private siftDown(i: number): void {
    const n = this.size
    const job = this.jobs[i]!, key = this.keys[i]!, rank = this.ranks[i]!
    for (;;) {
      let child = 2 * i + 1
      if (child >= n) break
      if (child + 1 < n && this.less(child + 1, child)) child++
      const kc = this.keys[child]!
      if (kc > key || (kc === key && this.ranks[child]! > rank)) break
      this.move(child, i)
      i = child
    }
    this.jobs[i] = job
    this.keys[i] = key
    this.ranks[i] = rank
  }
}
