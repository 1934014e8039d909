import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { jainIndex } from "./fairness.ts"

describe("jainIndex", () => {
  it("hand-computed values", () => {
    expect(jainIndex([1, 1, 1, 1])).toBe(1)
    // one of four holds everything: 1/n
    expect(jainIndex([0, 0, 5, 0])).toBeCloseTo(0.25, 15)
    // (1+2+3)^2 / (3 * (1+4+9)) = 36/42
    expect(jainIndex([1, 2, 3])).toBeCloseTo(36 / 42, 15)
    expect(jainIndex(Float64Array.from([2, 8]))).toBeCloseTo(100 / 136, 15)
  })

  it("empty or all-zero input counts as perfectly fair", () => {
    expect(jainIndex([])).toBe(1)
    expect(jainIndex([0, 0, 0])).toBe(1)
  })

  it("rejects negative and non-finite values", () => {
    expect(() => jainIndex([1, -1])).toThrow(RangeError)
    expect(() => jainIndex([1, NaN])).toThrow(/value 1 is NaN/)
    expect(() => jainIndex([Infinity])).toThrow(RangeError)
  })

  it("lies in [1/n, 1] and is scale invariant", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (values, scale) => {
          const j = jainIndex(values)
          expect(j).toBeGreaterThanOrEqual(1 / values.length - 1e-12)
          expect(j).toBeLessThanOrEqual(1 + 1e-12)
          if (values.some((v) => v > 1e-100)) expect(jainIndex(values.map((v) => v * scale))).toBeCloseTo(j, 9)
        }
      )
    )
  })
})
