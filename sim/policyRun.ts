// One policy of a scenario, run to the text of its result rows: the unit of work that
// runScenario hands to a worker thread (or runs inline), so policies run on all cores.
import { Effect, Either } from "effect"
import type { Scenario } from "../scenarios/schema.ts"
import { type PolicySummary, summarise } from "./results/summary.ts"
import { forEachJobRow, forEachSeriesRow } from "./results/writeResults.ts"
import { prepareScenario, runPolicy } from "./prepareScenario.ts"

export interface PolicyRunOutput {
  readonly policy: string
  readonly summary: PolicySummary
  readonly jobsCsv: string
  readonly seriesCsv: string
  readonly wallMs: number
}

const rows = (each: (emit: (line: string) => void) => void): string => {
  const lines: Array<string> = []
  each((line) => lines.push(line))
  return lines.length > 0 ? lines.join("\n") + "\n" : ""
}

/** Rejects on failure: by now the scenario and its traces were validated, so a failure is a defect. */
export const runPolicyToText = async (scenario: Scenario, policy: string): Promise<PolicyRunOutput> => {
  const started = performance.now()
  // Reading a trace is asynchronous, so this runs as a promise, not runSync.
  const prepared = await Effect.runPromise(prepareScenario(scenario))
  const result = Either.getOrThrow(runPolicy(prepared, policy))
  return {
    policy,
    summary: summarise(result),
    jobsCsv: rows((emit) => forEachJobRow(result, emit)),
    seriesCsv: rows((emit) => forEachSeriesRow(result, emit)),
    wallMs: performance.now() - started
  }
}
