// Worker-thread entry: simulates the storage configurations it is sent and posts back their results.
import { parentPort } from "node:worker_threads"
import type { StorageScenario } from "../../scenarios/storageSchema.ts"
import { runConfiguration } from "./DurabilitySim.ts"

parentPort!.on("message", (task: { index: number; scenario: StorageScenario }) => {
  try {
    const started = performance.now()
    const run = runConfiguration(task.scenario, task.scenario.configurations[task.index]!)
    parentPort!.postMessage({ index: task.index, output: { name: run.name, summary: run.summary, seriesRows: run.seriesRows, wallMs: performance.now() - started } })
  } catch (e) {
    parentPort!.postMessage({ index: task.index, error: e instanceof Error ? e.stack ?? e.message : String(e) })
  }
})
