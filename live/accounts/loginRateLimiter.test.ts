import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import { LoginRateLimiter } from "./loginRateLimiter.ts"

const limits = { windowMs: 60_000, failuresPerLogin: 3, failuresPerAddress: 5 }

describe("LoginRateLimiter", () => {
  it.effect("blocks a login name after its failures, from any address, until the oldest leaves the window", () =>
    Effect.gen(function* () {
      const limiter = new LoginRateLimiter(limits)
      for (const address of ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) {
        yield* limiter.check("Alice", address)
        yield* limiter.recordFailure("Alice", address)
        yield* TestClock.adjust(10_000)
      }
      const blocked = yield* Effect.either(limiter.check("alice", "10.0.0.9"))
      expect(Either.isLeft(blocked) && blocked.left).toMatchObject({ _tag: "TooManyLoginAttempts", by: "login", retryAfterS: 30 })
      expect(Either.isRight(yield* Effect.either(limiter.check("bob", "10.0.0.9")))).toBe(true)
      yield* TestClock.adjust(29_999)
      expect(Either.isLeft(yield* Effect.either(limiter.check("alice", "10.0.0.9")))).toBe(true)
      yield* TestClock.adjust(1)
      expect(Either.isRight(yield* Effect.either(limiter.check("alice", "10.0.0.9")))).toBe(true)
    }))

  it.effect("blocks an address that fails on many names; a success clears the name's count but not the address's", () =>
    Effect.gen(function* () {
      const limiter = new LoginRateLimiter(limits)
      yield* limiter.recordFailure("carol", "192.0.2.7")
      yield* limiter.recordFailure("carol", "192.0.2.7")
      yield* limiter.recordSuccess("carol")
      for (const name of ["dan", "erin", "frank"]) yield* limiter.recordFailure(name, "192.0.2.7")
      const blocked = yield* Effect.either(limiter.check("carol", "192.0.2.7"))
      expect(Either.isLeft(blocked) && blocked.left).toMatchObject({ by: "address", retryAfterS: 60 })
      expect(Either.isLeft(blocked) && blocked.left.message).toMatch(/too many failed logins from this address; try again in 60 s/)
      // The name itself may still be tried from elsewhere.
      expect(Either.isRight(yield* Effect.either(limiter.check("carol", "192.0.2.8")))).toBe(true)
    }))
})
