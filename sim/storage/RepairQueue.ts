// The durability simulator's repair queue: objects bucketed by how many healthy shards they had when
// queued, drained fewest-healthy first, FIFO within a bucket. An object whose health drops again
// while queued is pushed into the lower bucket too; the stale entry is skipped when reached. Objects
// that cannot be repaired yet wait in a deferred list until `retryDeferred`.

const NONE = 0
const QUEUED = 1
const DEFERRED = 2

export class RepairQueue {
  private readonly buckets: Array<Array<number>>
  private readonly heads: Int32Array
  private readonly state: Uint8Array
  private deferred: Array<number> = []
  /** Objects queued or deferred. */
  pending = 0
  peakPending = 0

  constructor(objects: number, levels: number) {
    this.buckets = Array.from({ length: levels }, () => [])
    this.heads = new Int32Array(levels)
    this.state = new Uint8Array(objects)
  }

  isQueued(o: number): boolean {
    return this.state[o] === QUEUED
  }

  enqueue(o: number, level: number): void {
    if (this.state[o] === NONE) this.count(1)
    this.state[o] = QUEUED
    this.buckets[level]!.push(o)
  }

  /** Not repairable now: wait for the next `retryDeferred`. */
  defer(o: number): void {
    if (this.state[o] === NONE) this.count(1)
    this.state[o] = DEFERRED
    this.deferred.push(o)
  }

  /** Taken off the queue (being repaired, or lost). */
  remove(o: number): void {
    if (this.state[o] !== NONE) this.pending--
    this.state[o] = NONE
  }

  /**
   * Hands queued objects to `take`, lowest bucket first, while `more()` holds; each is removed
   * before `take` sees it (take may enqueue or defer it again).
   */
  drain(maxLevel: number, more: () => boolean, take: (o: number) => void): void {
    for (let level = 0; level <= maxLevel && more(); level++) {
      const b = this.buckets[level]!
      let head = this.heads[level]!
      while (head < b.length && more()) {
        const o = b[head++]!
        if (this.state[o] !== QUEUED) continue
        this.remove(o)
        take(o)
      }
      if (head >= b.length) {
        b.length = 0
        head = 0
      }
      this.heads[level] = head
    }
  }

  /** Every deferred object still deferred is removed and handed to `requeue`. */
  retryDeferred(requeue: (o: number) => void): void {
    const retry = this.deferred
    this.deferred = []
    for (const o of retry) {
      if (this.state[o] !== DEFERRED) continue
      this.remove(o)
      requeue(o)
    }
  }

  private count(d: number): void {
    this.pending += d
    if (this.pending > this.peakPending) this.peakPending = this.pending
  }
}
