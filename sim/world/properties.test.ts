// Invariants over random small scenarios, checked against ground truth by the InvariantChecker:
// virtual time never goes backwards, every job ends exactly once, no node is over-committed,
// no job runs on an offline node, and job counts are conserved across retries, also when
// messages are lost and regions are cut off.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import fc from "fast-check"
import { policyNames } from "../../core/scheduler/policies.ts"
import { decodeScenario } from "../../scenarios/load.ts"
import type { ScenarioInput } from "../../scenarios/schema.ts"
import { prepareScenario, runPolicy } from "../prepareScenario.ts"
import { summarise } from "../results/summary.ts"
import type { SchedulingPolicy } from "../../core/scheduler/policy.ts"
import { runWorld } from "./World.ts"

const distribution = fc.oneof(
  fc.record({ kind: fc.constant("exponential" as const), meanS: fc.integer({ min: 60, max: 7200 }) }),
  fc.record({ kind: fc.constant("weibull" as const), shape: fc.double({ min: 0.5, max: 2, noNaN: true }), scaleS: fc.integer({ min: 60, max: 7200 }) })
)

const smallScenario: fc.Arbitrary<ScenarioInput> = fc.record({
  name: fc.constant("random-small"),
  seed: fc.nat({ max: 1_000_000 }),
  policies: fc.constant([...policyNames] as unknown as ScenarioInput["policies"]),
  nodes: fc.record({
    count: fc.integer({ min: 1, max: 25 }),
    regions: fc.constant(["a", "b"] as const as unknown as [string, ...Array<string>]),
    classes: fc.constant([
      { name: "small", weight: 2, vcpus: 2, memoryMiB: 2048, diskMiB: 1000, speedMin: 0.5, speedMax: 1.5 },
      { name: "big", weight: 1, vcpus: 8, memoryMiB: 8192, diskMiB: 4000, speedMin: 1, speedMax: 2 }
    ] as unknown as ScenarioInput["nodes"]["classes"]),
    churn: fc.oneof(
      fc.constant({ kind: "none" as const }),
      fc.record({ kind: fc.constant("alternating" as const), on: distribution, off: distribution })
    ),
    meanLifetimeS: fc.option(fc.integer({ min: 3600, max: 200_000 }), { nil: undefined })
  }),
  workload: fc.record({
    kind: fc.constant("synthetic" as const),
    jobs: fc.integer({ min: 1, max: 150 }),
    arrivalRatePerS: fc.double({ min: 0.001, max: 0.2, noNaN: true }),
    runtime: fc.constant({ kind: "lognormal" as const, medianS: 300, sigma: 1 }),
    shapes: fc.constant([
      { weight: 3, vcpus: 1, memoryMiB: 512, diskMiB: 100 },
      { weight: 1, vcpus: 2, memoryMiB: 2048, diskMiB: 500 },
      { weight: 0.3, vcpus: 8, memoryMiB: 8192, diskMiB: 4000 }
    ] as unknown as ScenarioInput["workload"] extends infer W ? W extends { shapes: infer S } ? S : never : never),
    overestimate: fc.constant({ min: 1, max: 3 }),
    failureProbability: fc.constantFrom(0, 0.1)
  }),
  failures: fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant("kill-fraction" as const), atS: fc.integer({ min: 0, max: 3000 }), fraction: fc.double({ min: 0, max: 1, noNaN: true }), permanent: fc.boolean() }),
      fc.record({ kind: fc.constant("region-down" as const), atS: fc.integer({ min: 0, max: 3000 }), region: fc.constantFrom("a", "b") }),
      fc.record({ kind: fc.constant("region-up" as const), atS: fc.integer({ min: 0, max: 6000 }), region: fc.constantFrom("a", "b") }),
      fc.record({ kind: fc.constant("partition" as const), atS: fc.integer({ min: 0, max: 3000 }), region: fc.constantFrom("a", "b") }),
      fc.record({ kind: fc.constant("heal" as const), atS: fc.integer({ min: 0, max: 6000 }), region: fc.constantFrom("a", "b") })
    ),
    { maxLength: 3 }
  ),
  network: fc.record({ latencyMsMin: fc.constant(1), latencyMsMax: fc.integer({ min: 1, max: 200 }), lossRate: fc.constantFrom(0, 0, 0.02, 0.2) }),
  coordinator: fc.record({ heartbeatIntervalS: fc.constant(30), heartbeatTimeoutS: fc.constant(90), maxRetries: fc.integer({ min: 0, max: 5 }) }),
  horizonS: fc.constant(30 * 24 * 3600)
}) as fc.Arbitrary<ScenarioInput>

describe("simulator invariants over random small scenarios", () => {
  it("hold for every baseline policy", () => {
    fc.assert(
      fc.property(smallScenario, (input) => {
        const scenario = Either.getOrThrow(decodeScenario(input, "generated", "."))
        const prepared = Effect.runSync(prepareScenario(scenario))
        for (const policy of scenario.policies) {
          const r = Either.getOrThrow(runPolicy(prepared, policy, true))
          expect(r.violations, `policy ${policy}, seed ${scenario.seed}`).toEqual([])
          const s = summarise(r)
          // Conservation: every submitted job is accounted for exactly once.
          expect(s.jobs).toBe(r.submitted)
          expect(s.succeeded + s.failed + s.cancelled + s.lost + s.unfinished).toBe(s.jobs)
          expect(r.submitted + r.rejected).toBe(scenario.workload.kind === "synthetic" ? scenario.workload.jobs : -1)
          // Retries: bounded by maxRetries, used up by lost jobs; agents never refuse a placement
          // (the coordinator never believes a node has more room than it has); attempts add up.
          const j = r.coordinator.jobs
          for (let i = 0; i < j.count; i++) {
            expect(j.retries[i]).toBeLessThanOrEqual(scenario.coordinator.maxRetries)
            if (r.coordinator.status(i) === "lost") expect(j.retries[i]).toBe(scenario.coordinator.maxRetries)
            expect(j.rejections[i], `job ${i} refused by its agent`).toBe(0)
            expect(j.attempts[i]).toBeLessThanOrEqual(j.retries[i]! + 1)
          }
          // Without permanent failures or outages left standing, everything ends.
          const nodesCanVanish = scenario.nodes.meanLifetimeS !== undefined || scenario.failures.length > 0
          if (!nodesCanVanish) expect(s.unfinished).toBe(0)
        }
      }),
      { numRuns: 40 }
    )
  })

  it("the checker is not blind: a policy that ignores capacity and availability is reported", () => {
    const scenario = Either.getOrThrow(
      decodeScenario(
        {
          name: "tiny",
          policies: ["fcfs"],
          nodes: {
            count: 3,
            regions: ["a"],
            classes: [{ name: "n", weight: 1, vcpus: 2, memoryMiB: 100, diskMiB: 100 }],
            churn: { kind: "alternating", on: { kind: "constant", valueS: 500 }, off: { kind: "constant", valueS: 500 } }
          },
          workload: { kind: "synthetic", jobs: 30, arrivalRatePerS: 1, runtime: { kind: "constant", valueS: 100 }, shapes: [{ weight: 1, vcpus: 1, memoryMiB: 10, diskMiB: 10 }] }
        },
        "tiny",
        "."
      )
    )
    const prepared = Effect.runSync(prepareScenario(scenario))
    expect(Either.getOrThrow(runPolicy(prepared, "fcfs", true)).violations).toEqual([])
    const rogue: SchedulingPolicy = {
      name: "rogue",
      schedule(ctx) {
        for (let c = ctx.queue.next(0); c >= 0; c = ctx.queue.next(c + 1)) ctx.place(ctx.queue.jobAt(c), 0)
      }
    }
    const r = runWorld({
      scenario,
      policy: rogue,
      nodes: prepared.nodes,
      workload: prepared.workload(),
      churn: prepared.churn(),
      rng: prepared.streams("world"),
      checkInvariants: true
    })
    const text = r.violations.join("\n")
    expect(text).toMatch(/coordinator over-committed node 0/)
  })
})
