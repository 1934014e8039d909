import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { invert, multiply, selectRows, systematicCauchyMatrix } from "./matrix.ts"

const identity = (n: number) => {
  const a = new Uint8Array(n * n)
  for (let i = 0; i < n; i++) a[i * n + i] = 1
  return a
}

describe("GF(256) matrices", () => {
  it("fast-check: any k rows of the systematic Cauchy matrix are invertible, and inverse times matrix is the identity", () => {
    const pattern = fc
      .record({ k: fc.integer({ min: 1, max: 24 }), m: fc.integer({ min: 0, max: 12 }) })
      .chain(({ k, m }) =>
        fc.record({
          k: fc.constant(k),
          m: fc.constant(m),
          rows: fc.shuffledSubarray(
            Array.from({ length: k + m }, (_, i) => i),
            { minLength: k, maxLength: k }
          )
        })
      )
    fc.assert(
      fc.property(pattern, ({ k, m, rows }) => {
        const sub = selectRows(systematicCauchyMatrix(k, m), k, rows)
        const inv = invert(sub, k)
        expect(inv).toBeDefined()
        expect(multiply(inv!, k, k, sub, k)).toEqual(identity(k))
        expect(multiply(sub, k, k, inv!, k)).toEqual(identity(k))
      })
    )
  })

  it("the top k rows are the identity, so data shards are stored as they are", () => {
    expect(systematicCauchyMatrix(5, 3).subarray(0, 25)).toEqual(identity(5))
  })

  it("the first parity row and the first column of the parity rows are ones", () => {
    const [k, m] = [5, 3]
    const a = systematicCauchyMatrix(k, m)
    expect(Array.from(a.subarray(k * k, k * k + k))).toEqual([1, 1, 1, 1, 1])
    for (let i = 0; i < m; i++) expect(a[(k + i) * k]).toBe(1)
    expect(Array.from(systematicCauchyMatrix(1, 3))).toEqual([1, 1, 1, 1])
  })

  it("a singular matrix has no inverse", () => {
    expect(invert(Uint8Array.from([1, 2, 1, 2]), 2)).toBeUndefined()
    expect(invert(new Uint8Array(9), 3)).toBeUndefined()
  })
})
