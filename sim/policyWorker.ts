// Worker-thread entry: runs the policies it is sent and posts back their result text.
import { parentPort } from "node:worker_threads"
import type { Scenario } from "../scenarios/schema.ts"
import { runPolicyToText } from "./policyRun.ts"

parentPort!.on("message", (task: { index: number; scenario: Scenario; policy: string }) => {
  runPolicyToText(task.scenario, task.policy).then(
    (output) => parentPort!.postMessage({ index: task.index, output }),
    (e: unknown) => parentPort!.postMessage({ index: task.index, error: e instanceof Error ? e.stack ?? e.message : String(e) })
  )
})
