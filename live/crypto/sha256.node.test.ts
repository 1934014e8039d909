// Core's portable SHA-256 must agree with Node's OpenSSL one on any input.
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { createHash } from "node:crypto"
import { Sha256, sha256Hex } from "../../core/crypto/sha256.ts"

describe("core sha256 against node:crypto", () => {
  it("agrees on random inputs, split at random points", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(2000), (data, cut) => {
        const expected = createHash("sha256").update(data).digest("hex")
        expect(sha256Hex(data)).toBe(expected)
        const c = Math.min(cut, data.length)
        const h = new Sha256().update(data.subarray(0, c)).update(data.subarray(c))
        expect(Buffer.from(h.digest()).toString("hex")).toBe(expected)
      }),
      { numRuns: 300 }
    )
  })
})
