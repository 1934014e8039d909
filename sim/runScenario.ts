// Runs a scenario under each of its policies on identical inputs (same nodes, churn and
// workload, drawn from per-component streams of one seed) and writes the results.
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import type { PolicyNeedsSimulator } from "../core/scheduler/ai/aiPolicies.ts"
import { makePolicy, type UnknownPolicy } from "../core/scheduler/policies.ts"
import { ChurnOracle } from "./world/ChurnOracle.ts"
import type { Scenario } from "../scenarios/schema.ts"
import { type PolicyRun, type PolicyRunText, runPolicyInto } from "./policyRun.ts"
import { prepareScenario, type ScenarioLoadError } from "./prepareScenario.ts"
import type { PolicySummary } from "./results/summary.ts"
import type { PolicyDistributions } from "./results/distributions.ts"
import { inOrderOnWorkers } from "./workerPool.ts"
import { openResultFiles, type RunSummary, writeDistributions, writeSummary } from "./results/writeResults.ts"

export interface RunOptions {
  readonly outDir: string
  readonly version: string
  /** Worker threads for running policies side by side (default: one per core, at most one per policy). */
  readonly workers?: number
  readonly onPolicyDone?: (policy: string, summary: PolicySummary, wallMs: number) => void
}

/**
 * Runs every policy of the scenario and writes the results. Policies run in worker threads, one
 * per core; each run is independent and draws from its own streams, so the files are byte-identical
 * to a sequential run, and they are written in the scenario's policy order.
 */
export const runScenario = (
  scenario: Scenario,
  options: RunOptions
): Effect.Effect<RunSummary, ScenarioLoadError | UnknownPolicy | PolicyNeedsSimulator> =>
  Effect.gen(function* () {
    // Load and check traces and policy names here, so their errors are typed, before any worker starts.
    const prepared = yield* prepareScenario(scenario)
    for (const name of scenario.policies) yield* makePolicy(name, prepared.streams("check"), new ChurnOracle())
    fs.mkdirSync(options.outDir, { recursive: true })
    const files = openResultFiles(options.outDir)
    const policies: Record<string, PolicySummary> = {}
    const distributions: Record<string, PolicyDistributions> = {}
    const workers = Math.max(1, Math.min(options.workers ?? os.availableParallelism(), scenario.policies.length))
    const done = (run: PolicyRun) => {
      policies[run.policy] = run.summary
      distributions[run.policy] = run.distributions
      options.onPolicyDone?.(run.policy, run.summary, run.wallMs)
    }
    yield* Effect.ensuring(
      workers === 1
        ? Effect.promise(async () => {
          // Inline, rows stream straight to the files: a million-row run never holds its CSV in memory.
          for (const policy of scenario.policies) {
            done(await runPolicyInto(scenario, policy, (l) => files.jobs.line(l), (l) => files.series.line(l)))
          }
        })
        : inOrderOnWorkers<{ scenario: Scenario; policy: string }, PolicyRunText>(
          new URL("./policyWorker.mjs", import.meta.url),
          scenario.policies.map((policy) => ({ scenario, policy })),
          workers,
          (output) => {
            files.jobs.raw(output.jobsCsv)
            files.series.raw(output.seriesCsv)
            done(output)
          },
          (i) => `policy ${scenario.policies[i]}`
        ),
      Effect.sync(() => {
        files.jobs.close()
        files.series.close()
      })
    )
    const first = scenario.policies[0]
    const verified = policies[first]?.verification
    const summary: RunSummary = {
      scenario: scenario.name,
      seed: scenario.seed,
      version: options.version,
      parameters: scenario,
      policies,
      ...(verified !== undefined ? { verification: { policy: first, ...verified } } : {})
    }
    writeSummary(options.outDir, summary)
    writeDistributions(options.outDir, { scenario: scenario.name, seed: scenario.seed, version: options.version, policies: distributions })
    return summary
  })
