// The simulator's side: the scenario through the normal runner (sim/runScenario.ts, the same as
// `npm run sim`), its files written under `<out>/sim/`, and the per-job times read back from jobs.csv.
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { Scenario } from "../../scenarios/schema.ts"
import { runScenario } from "../../sim/runScenario.ts"
import type { RunSummary } from "../../sim/results/writeResults.ts"
import { codeVersion } from "../../sim/version.ts"
import type { JobTimes } from "./jobTimes.ts"

export interface SimRun {
  readonly policy: string
  readonly outDir: string
  readonly summary: RunSummary
  readonly jobs: ReadonlyArray<JobTimes>
}

const orNaN = (cell: string | undefined): number => (cell === undefined || cell === "" ? NaN : Number(cell))

/** Parses the runner's jobs.csv rows of one policy (header names, not positions, pick the columns). */
export const readJobsCsv = (text: string, policy: string): Array<JobTimes> => {
  const [header, ...rows] = text.trim().split("\n")
  const column = new Map(header!.split(",").map((name, i) => [name, i]))
  const at = (cells: Array<string>, name: string) => cells[column.get(name)!]
  return rows
    .map((row) => row.split(","))
    .filter((cells) => at(cells, "policy") === policy)
    .map((cells) => ({
      index: Number(at(cells, "job_id")),
      submitS: orNaN(at(cells, "submit_s")),
      startS: orNaN(at(cells, "start_s")),
      endS: orNaN(at(cells, "end_s")),
      state: at(cells, "status") ?? "",
      attempts: Number(at(cells, "attempts")),
      node: at(cells, "node") === "" ? null : Number(at(cells, "node"))
    }))
}

/** Runs the scenario's first policy (one worker: it is small) and reads its jobs back. */
export const runSim = (scenario: Scenario, outDir: string) =>
  Effect.gen(function* () {
    const policy = scenario.policies[0]
    const summary = yield* runScenario({ ...scenario, policies: [policy] }, { outDir, version: codeVersion(), workers: 1 })
    const jobs = readJobsCsv(fs.readFileSync(path.join(outDir, "jobs.csv"), "utf8"), policy)
    return { policy, outDir, summary, jobs } satisfies SimRun
  })
