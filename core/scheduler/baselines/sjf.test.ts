import { describe, expect, it } from "@effect/vitest"
import { harness } from "./testHarness.ts"

describe("sjf", () => {
  /** One 4-vCPU node, full until t=10; then a long, a short and a middle job queue in that order. */
  const threeQueued = (policy: string) => {
    const h = harness(policy, [[4, 0, 0]])
    const blocker = h.submit([4, 0, 0], 0, 1000)
    expect(h.flush(0)).toEqual([blocker])
    const long = h.submit([1, 0, 0], 1, 5000)
    const short = h.submit([1, 0, 0], 2, 100)
    const middle = h.submit([1, 0, 0], 3, 500)
    expect(h.flush(3)).toEqual([])
    h.finish(blocker, 10)
    return { h, order: h.flush(10), long, short, middle }
  }

  it("starts queued jobs shortest requested time first; fcfs would start them in arrival order", () => {
    const s = threeQueued("sjf")
    expect(s.order).toEqual([s.short, s.middle, s.long])
    const f = threeQueued("fcfs")
    expect(f.order).toEqual([f.long, f.short, f.middle])
  })

  it("keeps submit order among jobs of equal requested time", () => {
    const h = harness("sjf", [[4, 0, 0]])
    const blocker = h.submit([4, 0, 0], 0, 1000)
    h.flush(0)
    const first = h.submit([1, 0, 0], 1, 300)
    const second = h.submit([1, 0, 0], 2, 300)
    const shortest = h.submit([1, 0, 0], 3, 200)
    h.finish(blocker, 10)
    expect(h.flush(10)).toEqual([shortest, first, second])
  })

  it("is strict: the shortest job that fits nowhere blocks longer jobs that fit (best-fit would pass it over)", () => {
    const scenario = (policy: string) => {
      const h = harness(policy, [[4, 0, 0]])
      const running = h.submit([2, 0, 0], 0, 1000)
      h.flush(0)
      const wide = h.submit([3, 0, 0], 1, 100) // shortest, needs 3 of the 2 free vCPUs
      const narrow = h.submit([1, 0, 0], 2, 500) // fits now
      return { h, running, wide, narrow, order: h.flush(2) }
    }
    const s = scenario("sjf")
    expect(s.order).toEqual([])
    s.h.finish(s.running, 20)
    expect(s.h.flush(20)).toEqual([s.wide, s.narrow])
    const b = scenario("best-fit")
    expect(b.order).toEqual([b.narrow])
  })
})
