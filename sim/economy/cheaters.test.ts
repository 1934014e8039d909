// The ledger and verification inside a whole simulated run: the `cheaters` scenario, scaled down.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { loadScenario } from "../../scenarios/load.ts"
import { prepareScenario, runPolicy } from "../prepareScenario.ts"
import { summarise } from "../results/summary.ts"

const run = (overrides: { scale: number; seed: number }, policy = "marketplace") =>
  Effect.gen(function* () {
    const scenario = yield* loadScenario("cheaters", overrides)
    const prepared = yield* prepareScenario(scenario)
    return Either.getOrThrow(runPolicy(prepared, policy, true))
  })

describe("cheaters scenario", () => {
  it.effect("adaptive replication catches at least 99% of wrong results, and the ledger stays balanced", () =>
    Effect.gen(function* () {
      const result = yield* run({ scale: 0.2, seed: 11 })
      expect(result.violations).toEqual([])
      const v = result.verification!
      expect(v.wrongResults).toBeGreaterThan(20)
      expect(v.detectionRate).toBeGreaterThanOrEqual(0.99)
      expect(v.overhead).toBeGreaterThan(0)
      expect(v.reputationMean.cheaters).toBeLessThan(v.reputationMean.honest)
      // Conservation: every non-issuance balance sums to what grants created, none negative, no escrow left open.
      const book = result.ledger
      let sum = 0
      for (const [account, balance] of book.balances()) {
        if (account === "issuance") continue
        expect(balance).toBeGreaterThanOrEqual(0)
        sum += balance
      }
      expect(sum).toBe(book.issued)
      expect(book.openEscrows()).toEqual([])
      const s = summarise(result)
      expect(s.economics.collateralSlashed).toBeGreaterThan(0)
      expect(s.economics.borrowerSpend).toBeCloseTo(s.economics.lenderEarnings + s.economics.platformRevenue - s.economics.collateralSlashed, 4)
    }))

  it.effect("without verification the same cheaters' wrong results go through", () =>
    Effect.gen(function* () {
      const scenario = yield* loadScenario("cheaters", { scale: 0.2, seed: 11 })
      const unverified = { ...scenario, economics: { ...scenario.economics, verification: { ...scenario.economics.verification, mode: "none" as const } } }
      const prepared = yield* prepareScenario(unverified)
      const result = Either.getOrThrow(runPolicy(prepared, "fcfs"))
      expect(result.verification!.wrongResults).toBeGreaterThan(20)
      expect(result.verification!.detectionRate).toBe(0)
      expect(result.verification!.overhead).toBe(0)
    }))
})
