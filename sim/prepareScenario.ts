// Builds what every policy run of a scenario shares (nodes, churn and workload sources, random
// streams) from the scenario's seed, and runs one policy over it.
import { Effect, Either } from "effect"
import type { NodeSpec } from "../core/domain/node.ts"
import type { Prng } from "../core/random/prng.ts"
import { Rng } from "../core/random/Rng.ts"
import type { PolicyNeedsSimulator } from "../core/scheduler/ai/aiPolicies.ts"
import { makePolicy, type UnknownPolicy } from "../core/scheduler/policies.ts"
import type { ChurnWindow } from "../scenarios/traces/churnTrace.ts"
import { type ChurnTraceParseError, readChurnTrace } from "../scenarios/traces/churnTrace.ts"
import type { TraceFileError } from "../scenarios/traces/errors.ts"
import { readSwf, type SwfJob, type SwfParseError } from "../scenarios/traces/swf.ts"
import type { Scenario } from "../scenarios/schema.ts"
import { alternatingChurn, alwaysOn, type ChurnSource, traceChurn } from "./model/churn.ts"
import { makeNodes } from "./model/population.ts"
import { swfWorkload, syntheticWorkload, type WorkloadSource } from "./model/workload.ts"
import { ChurnOracle } from "./world/ChurnOracle.ts"
import { runWorld, type WorldResult } from "./world/World.ts"

export type ScenarioLoadError = TraceFileError | SwfParseError | ChurnTraceParseError

/** Everything a policy run needs, built once per scenario. */
export interface PreparedScenario {
  readonly scenario: Scenario
  readonly nodes: ReadonlyArray<NodeSpec>
  readonly workload: () => WorkloadSource
  readonly churn: () => ChurnSource
  readonly streams: (label: string) => Prng
}

export const prepareScenario = (scenario: Scenario): Effect.Effect<PreparedScenario, ScenarioLoadError> =>
  Effect.gen(function* () {
    const rng = yield* Rng
    const nodes = makeNodes(scenario.nodes, rng.stream("nodes"))
    const w = scenario.workload
    let swfJobs: ReadonlyArray<SwfJob> = []
    if (w.kind === "swf") {
      const all = (yield* readSwf(w.path)).jobs
      const max = Math.min(w.maxJobs ?? all.length, all.length)
      swfJobs = all.slice(0, Math.max(1, Math.round(max * w.fraction)))
    }
    const churnSpec = scenario.nodes.churn
    let windows: ReadonlyArray<ChurnWindow> = []
    if (churnSpec.kind === "trace") windows = yield* readChurnTrace(churnSpec.path)
    const workload = (): WorkloadSource =>
      w.kind === "synthetic" ? syntheticWorkload(w, rng.stream("workload")) : swfWorkload(swfJobs, w.memoryMiBPerProc)
    const churn = (): ChurnSource =>
      churnSpec.kind === "none"
        ? alwaysOn
        : churnSpec.kind === "alternating"
          ? alternatingChurn(churnSpec, rng.stream("churn"), nodes.length)
          : traceChurn(windows, churnSpec.timeScale, rng.stream("churn"), nodes.length)
    return { scenario, nodes, workload, churn, streams: rng.stream }
  }).pipe(Effect.provide(Rng.layerSeeded(scenario.seed)))

export const runPolicy = (
  prepared: PreparedScenario,
  policy: string,
  checkInvariants = false
): Either.Either<WorldResult, UnknownPolicy | PolicyNeedsSimulator> => {
  const churnOracle = new ChurnOracle()
  return Either.map(makePolicy(policy, prepared.streams(`policy/${policy}`), churnOracle), (p) =>
    runWorld({
      scenario: prepared.scenario,
      policy: p,
      nodes: prepared.nodes,
      workload: prepared.workload(),
      churn: prepared.churn(),
      rng: prepared.streams("world"),
      checkInvariants,
      churnOracle
    })
  )
}
