import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { toHex } from "../crypto/sha256.ts"
import { Prng } from "../random/prng.ts"
import { challengeAnswer, fromHex, makeChallenges } from "./audit.ts"

describe("audit challenges", () => {
  it("the holder of the bytes answers every challenge; any changed byte fails every one", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat(), (shard, at, mask, seed) => {
        const challenges = makeChallenges(shard, 3, Prng.fromSeed(seed, "audit"))
        expect(new Set(challenges.map((c) => c.nonceHex)).size).toBe(3)
        const tampered = shard.slice()
        tampered[at % shard.length] ^= mask
        for (const c of challenges) {
          expect(toHex(challengeAnswer(fromHex(c.nonceHex), shard))).toBe(c.answerHex)
          expect(toHex(challengeAnswer(fromHex(c.nonceHex), tampered))).not.toBe(c.answerHex)
        }
      })
    )
  })

  it("hex round-trips", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(fromHex(toHex(b))).toEqual(b)
      }))
  })
})
