import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { RepairQueue } from "./RepairQueue.ts"

describe("RepairQueue", () => {
  it("drains fewest-healthy first, FIFO within a level, each object once, with its latest (lowest) level", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(19), fc.nat(5)), { maxLength: 80 }), (pushes) => {
        const q = new RepairQueue(20, 6)
        const level = new Map<number, number>()
        for (const [o, l] of pushes) {
          // Health only falls while queued, as in the simulator.
          const at = Math.min(l, level.get(o) ?? l)
          q.enqueue(o, at)
          level.set(o, at)
        }
        expect(q.pending).toBe(level.size)
        const order: Array<number> = []
        q.drain(5, () => true, (o) => order.push(o))
        expect(order.length).toBe(level.size)
        expect(new Set(order).size).toBe(order.length)
        const levels = order.map((o) => level.get(o)!)
        expect(levels).toEqual([...levels].sort((a, b) => a - b))
        expect(q.pending).toBe(0)
      })
    )
  })

  it("stops when told, keeps the rest, and retries deferred objects", () => {
    const q = new RepairQueue(10, 3)
    for (const o of [4, 5, 6]) q.enqueue(o, 1)
    q.enqueue(7, 0)
    const taken: Array<number> = []
    q.drain(2, () => taken.length < 2, (o) => taken.push(o))
    expect(taken).toEqual([7, 4])
    expect(q.pending).toBe(2)
    q.defer(9)
    expect(q.pending).toBe(3)
    expect(q.peakPending).toBe(4)
    const retried: Array<number> = []
    q.retryDeferred((o) => retried.push(o))
    expect(retried).toEqual([9])
    q.remove(5)
    q.drain(2, () => true, (o) => taken.push(o))
    expect(taken).toEqual([7, 4, 6])
    expect(q.pending).toBe(0)
  })
})
