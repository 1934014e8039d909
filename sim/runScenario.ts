// Runs a scenario under each of its policies on identical inputs (same nodes, churn and
// workload, drawn from per-component streams of one seed) and writes the results.
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import type { NodeSpec } from "../core/domain/node.ts"
import { Rng } from "../core/random/Rng.ts"
import { makePolicy, type UnknownPolicy } from "../core/scheduler/policies.ts"
import type { Prng } from "../core/random/prng.ts"
import type { Scenario } from "../scenarios/schema.ts"
import { readChurnTrace, type ChurnTraceParseError } from "../scenarios/traces/churnTrace.ts"
import type { TraceFileError } from "../scenarios/traces/errors.ts"
import { readSwf, type SwfJob, type SwfParseError } from "../scenarios/traces/swf.ts"
import { alternatingChurn, alwaysOn, type ChurnSource, traceChurn } from "./model/churn.ts"
import { makeNodes } from "./model/population.ts"
import { swfWorkload, syntheticWorkload, type WorkloadSource } from "./model/workload.ts"
import { type PolicySummary, summarise } from "./results/summary.ts"
import { openJobsCsv, openTimeseriesCsv, type RunSummary, writeSummary } from "./results/writeResults.ts"
import { runWorld, type WorldResult } from "./world/World.ts"
import type { ChurnWindow } from "../scenarios/traces/churnTrace.ts"

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
): Either.Either<WorldResult, UnknownPolicy> =>
  Either.map(makePolicy(policy, prepared.streams(`policy/${policy}`)), (p) =>
    runWorld({
      scenario: prepared.scenario,
      policy: p,
      nodes: prepared.nodes,
      workload: prepared.workload(),
      churn: prepared.churn(),
      rng: prepared.streams("world"),
      checkInvariants
    })
  )

export interface RunOptions {
  readonly outDir: string
  readonly version: string
  readonly onPolicyDone?: (policy: string, summary: PolicySummary, wallMs: number) => void
}

export const runScenario = (
  scenario: Scenario,
  options: RunOptions
): Effect.Effect<RunSummary, ScenarioLoadError | UnknownPolicy> =>
  Effect.gen(function* () {
    const prepared = yield* prepareScenario(scenario)
    fs.mkdirSync(options.outDir, { recursive: true })
    const jobsCsv = openJobsCsv(options.outDir)
    const seriesCsv = openTimeseriesCsv(options.outDir)
    const policies: Record<string, PolicySummary> = {}
    try {
      for (const name of scenario.policies) {
        const started = performance.now()
        const result = yield* runPolicy(prepared, name)
        const summary = summarise(result)
        policies[name] = summary
        jobsCsv.append(result)
        seriesCsv.append(result)
        options.onPolicyDone?.(name, summary, performance.now() - started)
      }
    } finally {
      jobsCsv.close()
      seriesCsv.close()
    }
    const summary: RunSummary = {
      scenario: scenario.name,
      seed: scenario.seed,
      version: options.version,
      parameters: scenario,
      policies
    }
    writeSummary(options.outDir, summary)
    return summary
  })
