import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { EventQueue } from "./EventQueue.ts"

describe("EventQueue", () => {
  it("pops in time order with FIFO ties, whatever the push order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 3000 }), (times) => {
        const q = new EventQueue<number>()
        times.forEach((t, i) => q.push(t, 0, i, 0))
        const popped: Array<[number, number]> = []
        while (q.length > 0) {
          const s = q.pop()
          popped.push([times[q.a[s]!]!, q.a[s]!])
          q.release(s)
        }
        const expected = times.map((t, i) => [t, i] as [number, number]).sort((x, y) => x[0] - y[0] || x[1] - y[1])
        expect(popped).toEqual(expected)
      })
    )
  })

  it("keeps order when pushes and pops interleave, and reuses slots", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(-1)), { maxLength: 2000 }), (ops) => {
        const q = new EventQueue<string>()
        const model: Array<[number, number]> = []
        let seq = 0
        for (const op of ops) {
          if (op >= 0) {
            q.push(op, 7, seq, 0, `p${seq}`)
            model.push([op, seq++])
          } else if (model.length > 0) {
            model.sort((x, y) => x[0] - y[0] || x[1] - y[1])
            const [t, id] = model.shift()!
            expect(q.peekTime()).toBe(t)
            const s = q.pop()
            expect(q.a[s]).toBe(id)
            expect(q.kind[s]).toBe(7)
            expect(q.payload[s]).toBe(`p${id}`)
            q.release(s)
          }
        }
        expect(q.length).toBe(model.length)
      })
    )
  })

  it("is empty with an infinite next time", () => {
    expect(new EventQueue().peekTime()).toBe(Infinity)
  })
})
