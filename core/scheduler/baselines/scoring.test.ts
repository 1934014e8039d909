import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import type { Caps } from "../../testing/fixtures.ts"
import { harness } from "./testHarness.ts"

describe("node scoring", () => {
  // A 1-vCPU, 512 MiB job on: a big node, a small balanced node, and a 1-vCPU node with much memory.
  const nodes: ReadonlyArray<Caps> = [[8, 8192, 0], [2, 1024, 0], [1, 4096, 0]]
  const placeOne = (policy: string) => {
    const h = harness(policy, nodes)
    const job = h.submit([1, 512, 0], 0, 1000)
    h.flush(0)
    return h.nodeOf(job)
  }

  it("least-allocated spreads (node 0), balanced evens out CPU and memory (node 1: 1/2 and 1/2), most-allocated packs (node 2: 1 + 1/8)", () => {
    expect(placeOne("least-allocated")).toBe(0)
    expect(placeOne("balanced")).toBe(1)
    expect(placeOne("most-allocated")).toBe(2)
  })

  it("tetris aligns demand with free capacity (node 1: 1/2 + 1/16 > node 0: 1/4 + 1/4); least-allocated picks node 0", () => {
    const place = (policy: string) => {
      const h = harness(policy, [[4, 1024, 0], [2, 4096, 0]])
      const job = h.submit([1, 256, 0], 0, 1000)
      h.flush(0)
      return h.nodeOf(job)
    }
    expect(place("tetris")).toBe(1)
    expect(place("least-allocated")).toBe(0)
  })

  it("tetris weighs free capacity: a half-used node aligns less than an empty one of the same size; most-allocated prefers the used one", () => {
    const place = (policy: string) => {
      const h = harness(policy, [[4, 0, 0], [4, 0, 0]])
      const first = h.submit([2, 0, 0], 0, 1000)
      h.flush(0)
      expect(h.nodeOf(first)).toBe(0)
      const second = h.submit([1, 0, 0], 1, 1000)
      h.flush(1)
      return h.nodeOf(second)
    }
    expect(place("tetris")).toBe(1)
    expect(place("most-allocated")).toBe(0)
  })

  // Independent reimplementations of the definitions, for random clusters.
  const score = {
    "most-allocated": (cap: Caps, free: Caps, job: Caps) =>
      (cap[0] - free[0] + job[0]) / cap[0] + (cap[1] > 0 ? (cap[1] - free[1] + job[1]) / cap[1] : 0),
    balanced: (cap: Caps, free: Caps, job: Caps) => {
      if (cap[1] === 0) return 1
      const f = [0, 1].map((d) => Math.min(1, (cap[d]! - free[d]! + job[d]!) / cap[d]!))
      const mean = (f[0]! + f[1]!) / 2
      return 1 - Math.sqrt(((f[0]! - mean) ** 2 + (f[1]! - mean) ** 2) / 2)
    },
    tetris: (cap: Caps, free: Caps, job: Caps) =>
      [0, 1, 2].reduce((s, d) => (cap[d]! > 0 ? s + (job[d]! / cap[d]!) * (free[d]! / cap[d]!) : s), 0)
  }

  for (const policy of ["most-allocated", "balanced", "tetris"] as const) {
    it(`fast-check: ${policy} picks the highest-scoring node where the job fits, the lowest id on ties`, () => {
      const caps = fc.tuple(fc.integer({ min: 1, max: 8 }), fc.constantFrom(0, 1024, 2048, 4096), fc.constantFrom(0, 1000, 4000))
      fc.assert(
        fc.property(fc.array(caps, { minLength: 1, maxLength: 5 }), fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, 256, 1024), fc.constantFrom(0, 500)), { maxLength: 12 }), (nodes, jobs) => {
          const h = harness(policy, nodes)
          const free = nodes.map((c): [number, number, number] => [c[0], c[1], c[2]])
          jobs.forEach((job, t) => {
            if (!nodes.some((c) => c.every((v, d) => v >= job[d]!))) return
            let expected = -1
            let best = -Infinity
            nodes.forEach((cap, n) => {
              if (!free[n]!.every((f, d) => f >= job[d]!)) return
              const s = score[policy](cap, free[n]!, job)
              if (s > best + 1e-12) {
                best = s
                expected = n
              }
            })
            const id = h.submit(job, t, 1000)
            const placed = h.flush(t)
            if (expected < 0) {
              expect(placed).toEqual([])
              h.coordinator.cancel(id, t)
              return
            }
            expect(placed).toEqual([id])
            const got = h.nodeOf(id)
            // Equal scores up to rounding may go either way; the chosen node must score as high.
            expect(Math.abs(score[policy](nodes[got]!, free[got]!, job) - best)).toBeLessThan(1e-9)
            if (got !== expected) expect(got).toBeGreaterThan(expected)
            job.forEach((v, d) => (free[got]![d] -= v))
          })
        }),
        { numRuns: 200 }
      )
    })
  }
})
