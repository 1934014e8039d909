// One policy of a scenario, run to its result rows: the unit of work that runScenario runs inline
// (rows streamed straight to the files) or hands to a worker thread (rows returned as text).
import { Effect, Either } from "effect"
import type { Scenario } from "../scenarios/schema.ts"
import { prepareScenario, runPolicy } from "./prepareScenario.ts"
import { distributionsOf, type PolicyDistributions } from "./results/distributions.ts"
import { type PolicySummary, summarise } from "./results/summary.ts"
import { forEachJobRow, forEachSeriesRow } from "./results/writeResults.ts"

export interface PolicyRun {
  readonly policy: string
  readonly summary: PolicySummary
  readonly distributions: PolicyDistributions
  readonly wallMs: number
}

export interface PolicyRunText extends PolicyRun {
  readonly jobsCsv: string
  readonly seriesCsv: string
}

/** Rejects on failure: by now the scenario and its traces were validated, so a failure is a defect. */
export const runPolicyInto = async (
  scenario: Scenario,
  policy: string,
  jobRow: (line: string) => void,
  seriesRow: (line: string) => void
): Promise<PolicyRun> => {
  const started = performance.now()
  // Reading a trace is asynchronous, so this runs as a promise, not runSync.
  const prepared = await Effect.runPromise(prepareScenario(scenario))
  const result = Either.getOrThrow(runPolicy(prepared, policy))
  forEachJobRow(result, jobRow)
  forEachSeriesRow(result, seriesRow)
  return { policy, summary: summarise(result), distributions: distributionsOf(result), wallMs: performance.now() - started }
}

export const runPolicyToText = async (scenario: Scenario, policy: string): Promise<PolicyRunText> => {
  const jobs: Array<string> = []
  const series: Array<string> = []
  const run = await runPolicyInto(scenario, policy, (l) => jobs.push(l), (l) => series.push(l))
  const text = (lines: Array<string>) => (lines.length > 0 ? lines.join("\n") + "\n" : "")
  return { ...run, jobsCsv: text(jobs), seriesCsv: text(series) }
}
