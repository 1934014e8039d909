import { describe, expect, it } from "@effect/vitest"
import { ReputationBook } from "./reputation.ts"

describe("reputation", () => {
  it("starts uncertain, grows with verified work, and collapses on one wrong result", () => {
    const book = new ReputationBook()
    book.ensure(2)
    const fresh = book.view(0)
    expect(fresh.score).toBeCloseTo(0.25 * 1)
    for (let i = 0; i < 30; i++) {
      book.verificationPassed(0)
      book.attemptCompleted(0)
      book.verificationPassed(1)
      book.attemptCompleted(1)
    }
    const earned = book.view(0)
    expect(earned.score).toBeGreaterThan(0.85)
    expect(earned.sd).toBeLessThan(fresh.sd)
    expect(earned.trusted).toBe(true)
    book.verificationFailed(1)
    expect(book.view(1).trusted).toBe(false)
    expect(book.view(1).score).toBeLessThan(0.75)
    expect(book.view(1).verifiedStreak).toBe(0)
  })

  it("trust needs a streak, not just a good average", () => {
    const book = new ReputationBook()
    book.ensure(1)
    for (let i = 0; i < 9; i++) book.verificationPassed(0)
    expect(book.trusted(0)).toBe(false)
    for (let i = 0; i < 30; i++) book.verificationPassed(0)
    expect(book.trusted(0)).toBe(true)
  })

  it("lost attempts and downtime lower the score but not trust in results", () => {
    const book = new ReputationBook()
    book.ensure(2)
    for (let i = 0; i < 40; i++) {
      book.verificationPassed(0)
      book.verificationPassed(1)
    }
    for (let i = 0; i < 10; i++) book.attemptLost(1)
    book.observeUptime(1, 1000, 10_000)
    book.observeUptime(0, 10_000, 10_000)
    expect(book.score(1)).toBeLessThan(book.score(0) / 2)
    expect(book.trusted(1)).toBe(true)
    expect(book.view(1).uptime).toBeCloseTo(0.1)
  })
})
