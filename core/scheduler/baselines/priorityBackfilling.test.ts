import { describe, expect, it } from "@effect/vitest"
import { f1Score, unicepScore, wfp3Score } from "./priorityFunctions.ts"
import { harness } from "./testHarness.ts"

const s = 1000 // ms per second

describe("priority functions", () => {
  it("follow their published formulas", () => {
    expect(f1Score(100, 4, 1000)).toBeCloseTo(2 * 4 + 870 * 3, 9)
    expect(f1Score(0, 1, 0)).toBeCloseTo(-1 + 870 * -1, 9) // non-positive r and s count as 0.1 s
    expect(wfp3Score(10, 8, 20)).toBeCloseTo(-(2 ** 3) * 8, 9)
    expect(unicepScore(10, 4, 20)).toBeCloseTo(-20 / (2 * 10), 9)
    // A serial job outranks a parallel one that waited far longer relative to its length.
    expect(unicepScore(10, 1, 1)).toBeLessThan(unicepScore(10, 2, 1000))
  })
})

/**
 * One 4-vCPU node held by a blocker until t = 1001 s. Then every queued job competes for it;
 * `order` is the placement order of one pass.
 */
const contest = (policy: string, jobs: ReadonlyArray<{ cpu: number; submitS: number; requestedS: number }>) => {
  const h = harness(policy, [[4, 0, 0]])
  const blocker = h.submit([4, 0, 0], 0, 2000 * s)
  expect(h.flush(0)).toEqual([blocker])
  h.start(blocker, 0)
  const ids = jobs.map((j) => h.submit([j.cpu, 0, 0], j.submitS * s, j.requestedS * s))
  h.finish(blocker, 1001 * s)
  return { ids, order: h.flush(1001 * s) }
}

describe("f1, wfp3 and unicep order the queue by their scores", () => {
  // old: 1 vCPU, r = 10000 s, submitted at 1 s (waited 1000 s); young: 1 vCPU, r = 50 s, submitted at 501 s (waited 500 s).
  const oldAndYoung = [
    { cpu: 1, submitS: 1, requestedS: 10_000 },
    { cpu: 1, submitS: 501, requestedS: 50 }
  ]

  it("f1 favours the early submission: 4 + 870·log10(1) < log10(50) + 870·log10(501)", () => {
    const { ids: [old, young], order } = contest("f1", oldAndYoung)
    expect(order).toEqual([old, young])
  })

  it("wfp3 and unicep favour the job that waited longest relative to its length (w/r 10 against 0.1)", () => {
    for (const policy of ["wfp3", "unicep", "sjf"]) {
      const { ids: [old, young], order } = contest(policy, oldAndYoung)
      expect(order, policy).toEqual([young, old])
    }
  })

  // wide: 4 vCPUs, w/r = 200/100 = 2; narrow: 2 vCPUs, w/r = 220/100 = 2.2. Only one fits at a time.
  const wideAndNarrow = [
    { cpu: 2, submitS: 781, requestedS: 100 },
    { cpu: 4, submitS: 801, requestedS: 100 }
  ]

  it("wfp3 favours the wide job (-(2^3)·4 = -32 < -(2.2^3)·2 = -21.3)", () => {
    const { ids: [, wide], order } = contest("wfp3", wideAndNarrow)
    expect(order).toEqual([wide])
  })

  it("unicep favours the narrow job (-2.2/log2 2 = -2.2 < -2/log2 4 = -1)", () => {
    const { ids: [narrow], order } = contest("unicep", wideAndNarrow)
    expect(order).toEqual([narrow])
  })
})

describe("priority backfilling", () => {
  // A 10-vCPU node runs a 6-vCPU job until 1000 s. The top-priority job needs all 10 vCPUs
  // (reserved at 1000 s); two 2-vCPU jobs fit now: one ends long before 1000 s, one long after.
  const scenario = (policy: string) => {
    const h = harness(policy, [[10, 0, 0]])
    const running = h.submit([6, 0, 0], 0, 1000 * s)
    h.flush(0)
    h.start(running, 0)
    // Same submit time, so f1 ranks by log10(r)·n: head 0, short 2, long 7.4.
    const head = h.submit([10, 0, 0], 10 * s, 1 * s)
    const long = h.submit([2, 0, 0], 10 * s, 5000 * s)
    const short = h.submit([2, 0, 0], 10 * s, 10 * s)
    return { h, head, long, short, order: h.flush(20 * s) }
  }

  it("f1 backfills the job that ends before the head's reservation, not the one that would delay it", () => {
    const { head, long, short, order, h } = scenario("f1")
    expect(order).toEqual([short])
    expect(h.coordinator.status(head)).toBe("queued")
    expect(h.coordinator.status(long)).toBe("queued")
  })

  it("a pass-over policy, without a reservation, starts both", () => {
    const { long, short, order } = scenario("best-fit")
    expect([...order].sort()).toEqual([long, short].sort())
  })
})
