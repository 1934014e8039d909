import { describe, expect, it } from "@effect/vitest"
import { Sha256, sha256Hex } from "./sha256.ts"

// FIPS 180-4 / NIST CAVP vectors; a property test against node:crypto lives in live/crypto.
describe("sha256", () => {
  it("matches the standard's vectors", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    expect(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    )
    expect(sha256Hex("a".repeat(1_000_000))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  })

  it("gives the same digest however the input is split", () => {
    const data = new TextEncoder().encode("x".repeat(200) + "the quick brown fox" + "y".repeat(77))
    const whole = sha256Hex(data)
    for (const step of [1, 7, 63, 64, 65, 130]) {
      const h = new Sha256()
      for (let i = 0; i < data.length; i += step) h.update(data.subarray(i, i + step))
      expect(Array.from(h.digest(), (b) => b.toString(16).padStart(2, "0")).join("")).toBe(whole)
    }
  })
})
