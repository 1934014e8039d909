// The simulator's event queue: a binary heap keyed by (time, sequence number), so events at the
// same virtual time run in the order they were scheduled (FIFO ties, as in SimPy and FoundationDB's
// simulator). Keys live in typed arrays and events in reusable slots, so the hot loop allocates
// nothing per event beyond its payload.

export class EventQueue<P> {
  private heapTime = new Float64Array(1024)
  private heapSeq = new Float64Array(1024)
  private heapSlot = new Int32Array(1024)
  private size = 0
  private seq = 0
  // Slots hold the event itself; freed slots are reused.
  kind = new Int32Array(1024)
  a = new Int32Array(1024)
  b = new Int32Array(1024)
  payload: Array<P | undefined> = []
  private freeSlots: Array<number> = []
  private slotCount = 0

  get length(): number {
    return this.size
  }

  /** Schedules an event; returns nothing because events are never cancelled, only ignored when stale. */
  push(time: number, kind: number, a: number, b: number, payload?: P): void {
    let slot = this.freeSlots.pop()
    if (slot === undefined) {
      slot = this.slotCount++
      if (slot >= this.kind.length) this.growSlots()
    }
    this.kind[slot] = kind
    this.a[slot] = a
    this.b[slot] = b
    this.payload[slot] = payload
    if (this.size === this.heapTime.length) this.growHeap()
    let i = this.size++
    const seq = this.seq++
    // sift up
    while (i > 0) {
      const parent = (i - 1) >> 1
      const pt = this.heapTime[parent]!
      if (pt < time || (pt === time && this.heapSeq[parent]! < seq)) break
      this.heapTime[i] = pt
      this.heapSeq[i] = this.heapSeq[parent]!
      this.heapSlot[i] = this.heapSlot[parent]!
      i = parent
    }
    this.heapTime[i] = time
    this.heapSeq[i] = seq
    this.heapSlot[i] = slot
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.size > 0 ? this.heapTime[0]! : Infinity
  }

  /** Removes the earliest event and returns its slot; read kind/a/b/payload, then `release(slot)`. */
  pop(): number {
    const top = this.heapSlot[0]!
    const n = --this.size
    if (n > 0) {
      const t = this.heapTime[n]!
      const s = this.heapSeq[n]!
      const sl = this.heapSlot[n]!
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        let c = l
        if (r < n) {
          const lt = this.heapTime[l]!, rt = this.heapTime[r]!
          if (rt < lt || (rt === lt && this.heapSeq[r]! < this.heapSeq[l]!)) c = r
        }
        const ct = this.heapTime[c]!
        if (t < ct || (t === ct && s < this.heapSeq[c]!)) break
        this.heapTime[i] = ct
        this.heapSeq[i] = this.heapSeq[c]!
        this.heapSlot[i] = this.heapSlot[c]!
        i = c
      }
      this.heapTime[i] = t
      this.heapSeq[i] = s
      this.heapSlot[i] = sl
    }
    return top
  }

  release(slot: number): void {
    this.payload[slot] = undefined
    this.freeSlots.push(slot)
  }

  private growHeap(): void {
    const n = this.heapTime.length * 2
    const t = new Float64Array(n); t.set(this.heapTime); this.heapTime = t
    const s = new Float64Array(n); s.set(this.heapSeq); this.heapSeq = s
    const sl = new Int32Array(n); sl.set(this.heapSlot); this.heapSlot = sl
  }

  private growSlots(): void {
    const n = this.kind.length * 2
    const k = new Int32Array(n); k.set(this.kind); this.kind = k
    const a = new Int32Array(n); a.set(this.a); this.a = a
    const b = new Int32Array(n); b.set(this.b); this.b = b
  }
}
