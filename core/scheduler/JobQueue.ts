// Queued jobs in (submit time, id) order. Removal is lazy: an entry is live only while the job
// is still queued under the same enqueue token, so placing a job from the middle of a long queue
// is O(1); dead entries are compacted away once they outnumber live ones.
import { type JobTable, Status } from "../coordinator/JobTable.ts"

export class JobQueue {
  private ids: Array<number> = []
  private tokens: Array<number> = []
  private head = 0
  private live = 0

  constructor(private readonly jobs: JobTable) {}

  get length(): number {
    return this.live
  }

  /** Enqueues a job whose status is already `queued`; keeps submit order (retries go back in place). */
  push(job: number): void {
    const token = ++this.jobs.queueToken[job]!
    const n = this.ids.length
    const submit = this.jobs.submitMs
    if (n === this.head || this.before(this.ids[n - 1]!, job, submit)) {
      this.ids.push(job)
      this.tokens.push(token)
    } else {
      let lo = this.head
      let hi = n
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (this.before(this.ids[mid]!, job, submit)) lo = mid + 1
        else hi = mid
      }
      this.ids.splice(lo, 0, job)
      this.tokens.splice(lo, 0, token)
    }
    this.live++
  }

  private before(a: number, b: number, submit: Float64Array): boolean {
    return submit[a]! < submit[b]! || (submit[a] === submit[b] && a < b)
  }

  /** Call when a queued job leaves the queue (placed or cancelled). */
  removed(): void {
    this.live--
  }

  /** Drops dead entries once they outnumber live ones; never call while a cursor is in use. */
  maintain(): void {
    const dead = this.ids.length - this.head - this.live
    if (dead > 1024 && dead > this.live) this.compact()
  }

  private valid(i: number): boolean {
    const job = this.ids[i]!
    return this.jobs.status[job] === Status.queued && this.jobs.queueToken[job] === this.tokens[i]
  }

  /** Position of the first live entry at or after `from` (a cursor), or -1. */
  next(from: number): number {
    const n = this.ids.length
    let i = Math.max(from, this.head)
    while (i < n && !this.valid(i)) i++
    if (from <= this.head) this.head = i // dead entries at the front can be dropped for good
    return i < n ? i : -1
  }

  jobAt(cursor: number): number {
    return this.ids[cursor]!
  }

  first(): number {
    const c = this.next(this.head)
    return c < 0 ? -1 : this.ids[c]!
  }

  private compact(): void {
    const ids: Array<number> = []
    const tokens: Array<number> = []
    for (let i = this.head; i < this.ids.length; i++) {
      if (this.valid(i)) {
        ids.push(this.ids[i]!)
        tokens.push(this.tokens[i]!)
      }
    }
    this.ids = ids
    this.tokens = tokens
    this.head = 0
  }
}
