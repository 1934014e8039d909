// Runs independent tasks on a few worker threads and hands their outputs back in task order, so
// what is written does not depend on which thread finished first (results stay byte-identical).
// Each worker receives `{ index, ...task }` and answers `{ index, output }` or `{ index, error }`.
import { Effect } from "effect"
import { Worker } from "node:worker_threads"

export const inOrderOnWorkers = <T extends object, O>(
  workerUrl: URL,
  tasks: ReadonlyArray<T>,
  workers: number,
  onOutput: (output: O, index: number) => void,
  describe: (index: number) => string
): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const outputs = new Map<number, O>()
    let next = 0
    let handedOut = 0
    const pool: Array<Worker> = []
    const stopAll = () => pool.forEach((w) => void w.terminate())
    const dispatch = (w: Worker) => {
      if (handedOut < tasks.length) {
        const index = handedOut++
        w.postMessage({ index, ...tasks[index]! })
      }
    }
    for (let i = 0; i < workers; i++) {
      const w = new Worker(workerUrl)
      pool.push(w)
      w.on("message", (m: { index: number; output?: O; error?: string }) => {
        if (m.error !== undefined) {
          stopAll()
          resume(Effect.die(new Error(`${describe(m.index)} failed in a worker: ${m.error}`)))
          return
        }
        outputs.set(m.index, m.output!)
        while (outputs.has(next)) {
          onOutput(outputs.get(next)!, next)
          outputs.delete(next)
          next++
        }
        if (next === tasks.length) {
          stopAll()
          resume(Effect.void)
        } else dispatch(w)
      })
      w.on("error", (e) => {
        stopAll()
        resume(Effect.die(e))
      })
      dispatch(w)
    }
    return Effect.sync(stopAll)
  })
