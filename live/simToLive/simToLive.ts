// One comparison run: plan the scenario's jobs, run them in the simulator and on a live cluster,
// compare, and write `<out>/report.md`, `<out>/summary.json` (and the simulator's files in `<out>/sim/`).
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { codeVersion } from "../../sim/version.ts"
import { LiveRunFailed, type LiveOptions, runLive } from "./liveRun.ts"
import { defaultScenario, loadPlan } from "./plan.ts"
import { type Comparison, compare, reportMarkdown } from "./report.ts"
import { runSim } from "./simRun.ts"

export const defaultOutDir = path.resolve(import.meta.dirname, "../../results/sim-to-live")

export interface SimToLiveOptions extends LiveOptions {
  readonly scenario?: string
  /** Run only the first N of the scenario's jobs (the same jobs in both worlds). */
  readonly jobs?: number
  readonly outDir?: string
}

export interface SimToLiveResult {
  readonly comparison: Comparison
  readonly reportFile: string
  readonly summaryFile: string
}

export const runSimToLive = (options: SimToLiveOptions = {}) =>
  Effect.gen(function* () {
    const outDir = path.resolve(options.outDir ?? defaultOutDir)
    const plan = yield* loadPlan(options.scenario ?? defaultScenario, options.jobs)
    options.log?.(`scenario ${plan.scenario.name} (seed ${plan.scenario.seed}): ${plan.jobs.length} jobs on ${plan.scenario.nodes.count} nodes`)
    const sim = yield* runSim(plan.scenario, path.join(outDir, "sim"))
    options.log?.(`sim: ${sim.jobs.filter((j) => j.state === "succeeded").length}/${sim.jobs.length} jobs succeeded`)
    const live = yield* Effect.tryPromise({
      try: () => runLive(plan, options),
      catch: (e) => (e instanceof LiveRunFailed ? e : new LiveRunFailed({ reason: String(e), clusterDir: undefined }))
    })
    const comparison = compare(plan, sim, live)
    const reportFile = path.join(outDir, "report.md")
    const summaryFile = path.join(outDir, "summary.json")
    fs.writeFileSync(reportFile, reportMarkdown(comparison))
    fs.writeFileSync(summaryFile, JSON.stringify({ version: codeVersion(), ...comparison }, null, 2) + "\n")
    return { comparison, reportFile, summaryFile } satisfies SimToLiveResult
  })
