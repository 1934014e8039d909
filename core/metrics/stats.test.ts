import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { boundedSlowdown, describe as describeValues, quantileSorted } from "./stats.ts"

describe("quantileSorted (numpy's default linear interpolation)", () => {
  // Expected values computed with numpy.quantile(v, q) (method="linear").
  const cases: ReadonlyArray<[ReadonlyArray<number>, number, number]> = [
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0.95, 3.85],
    [[1, 2, 3, 4], 0.25, 1.75],
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 1, 4],
    [[1, 2, 3, 4, 5], 0.5, 3],
    [[1, 2, 3, 4, 5], 0.99, 4.96],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9, 91],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.99, 99.1],
    [[0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55], 0.95, 44.5],
    [[-5, -1, 0, 2], 0.5, -0.5],
    [[7], 0.3, 7],
    [[3, 3, 3], 0.7, 3]
  ]
  for (const [values, q, expected] of cases) {
    it(`[${values.join(", ")}] q=${q} -> ${expected}`, () => {
      expect(quantileSorted(values, q)).toBeCloseTo(expected, 10)
      expect(quantileSorted(Float64Array.from(values), q)).toBeCloseTo(expected, 10)
    })
  }

  it("an empty input gives NaN", () => {
    expect(quantileSorted([], 0.5)).toBeNaN()
  })

  it("fast-check: lies between the order statistics around (n-1)q and is monotone in q", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, q1, q2) => {
          const sorted = [...values].sort((a, b) => a - b)
          const v = quantileSorted(sorted, q1)
          const h = (sorted.length - 1) * q1
          expect(v).toBeGreaterThanOrEqual(sorted[Math.floor(h)]! - 1e-9)
          expect(v).toBeLessThanOrEqual(sorted[Math.ceil(h)]! + 1e-9)
          const [lo, hi] = q1 <= q2 ? [q1, q2] : [q2, q1]
          expect(quantileSorted(sorted, lo)).toBeLessThanOrEqual(quantileSorted(sorted, hi) + 1e-9)
          // Numeric equality: -0 and +0 are the same quantile.
          expect(quantileSorted(sorted, 0) === sorted[0]).toBe(true)
          expect(quantileSorted(sorted, 1) === sorted[sorted.length - 1]).toBe(true)
        }
      )
    )
  })
})

describe("describe", () => {
  it("of an empty array is all zeros", () => {
    expect(describeValues(new Float64Array(0))).toEqual({ mean: 0, p50: 0, p95: 0, p99: 0 })
  })

  it("of unsorted values sorts numerically (not as strings) before taking quantiles", () => {
    const d = describeValues(Float64Array.from([100, 9, 20, 3, 1]))
    expect(d.mean).toBeCloseTo(26.6, 10)
    expect(d.p50).toBe(9)
    expect(d.p95).toBeCloseTo(84, 10) // numpy.quantile([1,3,9,20,100], 0.95)
    expect(d.p99).toBeCloseTo(96.8, 10)
  })

  it("does not reorder its input", () => {
    const values = Float64Array.from([3, 1, 2])
    describeValues(values)
    expect([...values]).toEqual([3, 1, 2])
  })

  it("of 1..100 matches numpy", () => {
    const d = describeValues(Float64Array.from({ length: 100 }, (_, i) => i + 1))
    expect(d.mean).toBe(50.5)
    expect(d.p50).toBeCloseTo(50.5, 10)
    expect(d.p95).toBeCloseTo(95.05, 10)
    expect(d.p99).toBeCloseTo(99.01, 10)
  })

  it("fast-check: mean within [min, max] and p50 <= p95 <= p99", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 100 }), (values) => {
        const d = describeValues(Float64Array.from(values))
        const min = Math.min(...values)
        const max = Math.max(...values)
        expect(d.mean).toBeGreaterThanOrEqual(min - 1e-6)
        expect(d.mean).toBeLessThanOrEqual(max + 1e-6)
        expect(d.p50).toBeLessThanOrEqual(d.p95)
        expect(d.p95).toBeLessThanOrEqual(d.p99)
        expect(d.p99).toBeLessThanOrEqual(max)
        expect(d.p50).toBeGreaterThanOrEqual(min)
      })
    )
  })
})

describe("boundedSlowdown", () => {
  it("uses tau = 10 s by default", () => {
    expect(boundedSlowdown(5, 1)).toBe(1) // 5 / max(1, 10) = 0.5, at least 1
    expect(boundedSlowdown(100, 20)).toBe(5) // 100 / 20
    expect(boundedSlowdown(100, 1)).toBe(10) // short jobs count as tau
    expect(boundedSlowdown(20, 20)).toBe(1) // no wait
  })

  it("respects an explicit tau", () => {
    expect(boundedSlowdown(100, 1, 50)).toBe(2)
    expect(boundedSlowdown(100, 1, 1)).toBe(100)
    expect(boundedSlowdown(0, 0, 10)).toBe(1)
  })

  it("fast-check: at least 1, and never more than the plain slowdown", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0.001, max: 1e4, noNaN: true }),
        (run, wait, tau) => {
          const s = boundedSlowdown(run + wait, run, tau)
          expect(s).toBeGreaterThanOrEqual(1)
          expect(s).toBeLessThanOrEqual(Math.max(1, (run + wait) / run) * (1 + 1e-12))
        }
      )
    )
  })
})
