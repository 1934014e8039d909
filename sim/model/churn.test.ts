import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { Prng } from "../../core/random/prng.ts"
import { loadScenario } from "../../scenarios/load.ts"
import { prepareScenario, runPolicy } from "../prepareScenario.ts"
import { alternatingChurn, traceChurn } from "./churn.ts"
import { churnWindow as window } from "../../scenarios/traces/fixtures.ts"

describe("churn", () => {
  it("a trace window is replayed in order, scaled, and looped without flipping phase", () => {
    const c = traceChurn([window(true, [10, 20, 30])], 2, Prng.fromSeed(1), 1)
    expect(c.initiallyOnline(0)).toBe(true)
    // on 10, off 20, on 30, then (odd length) skips to off 20, on 30, ...
    expect([0, 1, 2, 3, 4].map(() => c.nextSessionMs(0, true))).toEqual([20, 40, 60, 40, 60])
  })

  it("a window of one session keeps the node in that state for good (no undefined next session)", () => {
    const c = traceChurn([window(true, [10])], 1, Prng.fromSeed(1), 1)
    expect([0, 1, 2].map(() => c.nextSessionMs(0, true))).toEqual([Infinity, Infinity, Infinity])
  })

  it("alternating churn starts a node online with the stationary availability", () => {
    const c = alternatingChurn(
      { kind: "alternating", on: { kind: "exponential", meanS: 300 }, off: { kind: "exponential", meanS: 100 } },
      Prng.fromSeed(2),
      4000
    )
    let online = 0
    for (let i = 0; i < 4000; i++) if (c.initiallyOnline(i)) online++
    expect(online / 4000).toBeGreaterThan(0.72)
    expect(online / 4000).toBeLessThan(0.78)
  })

  it.effect("a run replaying the smartphone trace has about the trace's availability (23%)", () =>
    Effect.gen(function* () {
      const scenario = yield* loadScenario("smartphone-churn", { scale: 0.5, policies: ["fcfs"] })
      const prepared = yield* prepareScenario(scenario)
      const run = Either.getOrThrow(runPolicy(prepared, "fcfs", true))
      expect(run.violations).toEqual([])
      const s = run.series
      let sum = 0
      for (let i = 0; i < s.length; i++) sum += s.nodesOnline[i]!
      const availability = sum / s.length / prepared.nodes.length
      expect(availability).toBeGreaterThan(0.15)
      expect(availability).toBeLessThan(0.32)
    })
  )
})
