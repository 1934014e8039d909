import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { gfDiv, gfExp, gfInv, gfLog, gfMul, gfMulTable } from "./gf256.ts"

const element = fc.integer({ min: 0, max: 255 })
const nonZero = fc.integer({ min: 1, max: 255 })

// Carry-less multiplication reduced by 0x11d: the definition the tables must agree with.
const slowMul = (a: number, b: number): number => {
  let p = 0
  for (let i = 0; i < 8; i++) if (b & (1 << i)) p ^= a << i
  for (let bit = 14; bit >= 8; bit--) if (p & (1 << bit)) p ^= 0x11d << (bit - 8)
  return p
}

describe("GF(256)", () => {
  it("2 generates the multiplicative group: exp runs through every non-zero element once", () => {
    expect(new Set(gfExp.subarray(0, 255)).size).toBe(255)
    expect(gfExp.subarray(0, 255).includes(0)).toBe(false)
    for (let a = 1; a < 256; a++) expect(gfExp[gfLog[a]!]).toBe(a)
  })

  it("the product table is the carry-less product reduced by x^8+x^4+x^3+x^2+1", () => {
    for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) expect(gfMulTable[a * 256 + b]).toBe(slowMul(a, b))
  })

  it("fast-check: multiplication is commutative, associative, has 1 as identity and 0 as zero", () => {
    fc.assert(
      fc.property(element, element, element, (a, b, c) => {
        expect(gfMul(a, b)).toBe(gfMul(b, a))
        expect(gfMul(gfMul(a, b), c)).toBe(gfMul(a, gfMul(b, c)))
        expect(gfMul(a, 1)).toBe(a)
        expect(gfMul(a, 0)).toBe(0)
      })
    )
  })

  it("fast-check: multiplication distributes over addition (xor)", () => {
    fc.assert(fc.property(element, element, element, (a, b, c) => {
        expect(gfMul(a, b ^ c)).toBe(gfMul(a, b) ^ gfMul(a, c))
      })
    )
  })

  it("fast-check: every non-zero element has an inverse, and division undoes multiplication", () => {
    fc.assert(
      fc.property(element, nonZero, (a, b) => {
        expect(gfMul(b, gfInv(b))).toBe(1)
        expect(gfDiv(gfMul(a, b), b)).toBe(a)
      })
    )
    expect(() => gfInv(0)).toThrow(RangeError)
  })
})
