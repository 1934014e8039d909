import { describe, expect, it } from "@effect/vitest"
import { harness } from "./testHarness.ts"

describe("power-of-d", () => {
  // Node 0 never fits a 2-vCPU job, node 1 holds a 6-vCPU job (2 of 8 free, 75% allocated),
  // node 2 is empty (4 free), node 3 never fits. d = 2 samples both fitting nodes.
  const scenario = (policy: string, seed: number) => {
    const h = harness(policy, [[1, 0, 0], [8, 0, 0], [4, 0, 0], [1, 0, 0]], seed)
    const big = h.submit([6, 0, 0], 0, 1000)
    h.flush(0)
    expect(h.nodeOf(big)).toBe(1)
    const job = h.submit([2, 0, 0], 1, 1000)
    h.flush(1)
    return h.nodeOf(job)
  }

  it("places on the less allocated of its two samples; first fit would take node 1", () => {
    for (let seed = 1; seed <= 20; seed++) expect(scenario("power-of-d", seed)).toBe(2)
    expect(scenario("fcfs", 1)).toBe(1)
  })

  it("samples: among many equally free nodes the choice depends on the seed and is reproducible", () => {
    const run = (seed: number) => {
      const h = harness("power-of-d", Array.from({ length: 16 }, () => [64, 0, 0] as const), seed)
      const jobs = Array.from({ length: 8 }, (_, t) => h.submit([1, 0, 0], t, 1000))
      h.flush(8)
      return jobs.map(h.nodeOf)
    }
    expect(run(1)).toEqual(run(1))
    expect(run(1)).not.toEqual(run(2))
    // Each job goes to an empty node of its pair, so no node takes two while others stay empty
    // unless both samples were already used.
    expect(new Set(run(3)).size).toBeGreaterThanOrEqual(5)
  })

  it("with a single fitting node, takes it", () => {
    const h = harness("power-of-d", [[1, 0, 0], [1, 0, 0], [4, 0, 0]], 7)
    const job = h.submit([3, 0, 0], 0, 1000)
    h.flush(0)
    expect(h.nodeOf(job)).toBe(2)
  })
})
