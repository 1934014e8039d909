// Worker-thread entry: runs every policy of one experiment cell and posts back their metrics.
import { Effect } from "effect"
import { parentPort } from "node:worker_threads"
import { type RunMetrics, runOne } from "./runOne.ts"
import { type ExperimentSize, loadTraceData, makeInstance, type TraceData, type WorkloadName } from "./workloads.ts"

export interface CellTask {
  readonly workload: WorkloadName
  readonly load: number
  readonly sequence: number
  readonly policies: ReadonlyArray<string>
  readonly size: ExperimentSize
}

let data: Promise<TraceData> | undefined

export const runCell = async (task: CellTask): Promise<Array<RunMetrics>> => {
  data ??= Effect.runPromise(loadTraceData())
  const instance = makeInstance(await data, task.workload, task.load, task.sequence, task.size)
  return task.policies.map((p) => runOne(instance, p))
}

parentPort?.on("message", (task: CellTask & { index: number }) => {
  runCell(task).then(
    (output) => parentPort!.postMessage({ index: task.index, output }),
    (e: unknown) => parentPort!.postMessage({ index: task.index, error: e instanceof Error ? e.stack ?? e.message : String(e) })
  )
})
