import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { hashPassword, verifyPassword } from "./password.ts"

// Cheap parameters: the tests check correctness, not cost (the stored parameters are what verify uses).
const cheap = { N: 1024, r: 8, p: 1 }

describe("scrypt passwords", () => {
  it.effect("a hash verifies its own password, carries its parameters and a fresh salt", () =>
    Effect.gen(function* () {
      const a = yield* hashPassword("correct horse", cheap)
      const b = yield* hashPassword("correct horse", cheap)
      expect(a).toMatch(/^scrypt\$1024\$8\$1\$/)
      expect(a).not.toBe(b)
      expect(yield* verifyPassword("correct horse", a)).toBe(true)
      expect(yield* verifyPassword("correct horse", b)).toBe(true)
      expect(yield* verifyPassword("correct horsf", a)).toBe(false)
      expect(yield* verifyPassword("", a)).toBe(false)
    }))

  it.effect("a malformed or absurdly expensive stored hash verifies nothing", () =>
    Effect.gen(function* () {
      const good = yield* hashPassword("pw-123456", cheap)
      const parts = good.split("$")
      for (const broken of ["", "pw-123456", good.slice(0, -4), good.replace("scrypt", "bcrypt"), [...parts.slice(0, 1), String(2 ** 30), ...parts.slice(2)].join("$"), [...parts.slice(0, 1), "1000", ...parts.slice(2)].join("$")]) {
        expect(yield* verifyPassword("pw-123456", broken), broken).toBe(false)
      }
    }))

  it("never verifies a password against another password's hash", () =>
    fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), async (mine, theirs) => {
        fc.pre(mine.normalize("NFC") !== theirs.normalize("NFC"))
        const hash = await Effect.runPromise(hashPassword(theirs, cheap))
        expect(await Effect.runPromise(verifyPassword(mine, hash))).toBe(false)
        expect(await Effect.runPromise(verifyPassword(theirs, hash))).toBe(true)
      }),
      { numRuns: 40 }
    ))
})
