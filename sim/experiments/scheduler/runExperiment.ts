// Runs the scheduler experiment: every cell (workload x load x sequence) on worker threads, in a
// fixed order so the output files are byte-identical for a given protocol, then the analysis and
// the report into results/experiments/scheduler/.
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { AiPolicy, type PlacementDecision } from "../../../core/scheduler/ai/AiPolicy.ts"
import { Prng } from "../../../core/random/prng.ts"
import { inOrderOnWorkers } from "../../workerPool.ts"
import { runWorld } from "../../world/World.ts"
import { ChurnOracle } from "../../world/ChurnOracle.ts"
import { analyse, summaryJson } from "./analysis.ts"
import type { CellTask } from "./cellWorker.ts"
import { policiesFor } from "./protocol.ts"
import { renderReport } from "./report.ts"
import { buildPolicy, type RunMetrics } from "./runOne.ts"
import { type ExperimentSize, loadTraceData, makeInstance, replay, workloadNames } from "./workloads.ts"

export interface ExperimentOptions {
  readonly size: ExperimentSize
  readonly sizeName: string
  readonly outDir: string
  readonly workers: number
  readonly onProgress?: (done: number, total: number) => void
}

const csvColumns = [
  "workload", "load", "sequence", "policy", "jobs", "finished", "unfinished", "retried", "events", "meanCompletionS", "p95CompletionS",
  "meanWaitS", "meanBoundedSlowdown", "utilisation", "goodput", "fairness"
] as const

export const rowsCsv = (rows: ReadonlyArray<RunMetrics>): string =>
  [csvColumns.join(","), ...rows.map((r) => csvColumns.map((c) => String(r[c])).join(","))].join("\n") + "\n"

export const runExperiment = (options: ExperimentOptions) =>
  Effect.gen(function* () {
    const started = performance.now()
    const { size } = options
    const tasks: Array<CellTask> = []
    for (const workload of workloadNames) {
      for (const load of size.loads) {
        for (let sequence = 0; sequence < size.sequences; sequence++) {
          tasks.push({ workload, load, sequence, policies: policiesFor(load, size.loads), size })
        }
      }
    }
    const rows: Array<RunMetrics> = []
    let done = 0
    yield* inOrderOnWorkers<CellTask, Array<RunMetrics>>(
      new URL("./cellWorker.mjs", import.meta.url),
      tasks,
      options.workers,
      (output) => {
        rows.push(...output)
        options.onProgress?.(++done, tasks.length)
      },
      (i) => `cell ${tasks[i]!.workload} load ${tasks[i]!.load} sequence ${tasks[i]!.sequence}`
    )
    const cells = analyse(rows)
    const decisions = yield* explainedDecisions(size)
    fs.mkdirSync(options.outDir, { recursive: true })
    fs.writeFileSync(path.join(options.outDir, "runs.csv"), rowsCsv(rows))
    fs.writeFileSync(path.join(options.outDir, "cells.csv"), cellsCsv(cells))
    fs.writeFileSync(path.join(options.outDir, "summary.json"), JSON.stringify({ protocol: options.sizeName, ...summaryJson(cells) }, null, 2) + "\n")
    const wallS = (performance.now() - started) / 1000
    fs.writeFileSync(path.join(options.outDir, "report.md"), renderReport({ cells, rows, size, sizeName: options.sizeName, wallS, decisions }))
    return { cells, rows, wallS }
  })

const cellsCsv = (cells: ReturnType<typeof analyse>): string => {
  const head = "workload,load,policy,runs,meanCompletionS,medianCompletionS,medianLow,medianHigh,p95CompletionS,meanWaitS,meanBoundedSlowdown,utilisation,goodput,fairness,unfinished"
  const lines = cells.flatMap((c) => c.policies.map((x) => [
    c.workload, c.load, x.policy, x.runs, x.mean.meanCompletionS, x.medianCompletion.estimate, x.medianCompletion.low, x.medianCompletion.high,
    x.mean.p95CompletionS, x.mean.meanWaitS, x.mean.meanBoundedSlowdown, x.mean.utilisation, x.mean.goodput, x.mean.fairness, x.unfinished
  ].join(",")))
  return [head, ...lines].join("\n") + "\n"
}

/** The AI policy's first explained placements on one volunteer-smartphone instance (for the report). */
const explainedDecisions = (size: ExperimentSize) =>
  Effect.gen(function* () {
    const data = yield* loadTraceData()
    const instance = makeInstance(data, "volunteer-smartphone", size.loads[size.loads.length - 1]!, 0, size)
    const oracle = new ChurnOracle()
    const policy = buildPolicy("ai", Prng.fromSeed(instance.seed, "policy/ai"), oracle)
    runWorld({ scenario: instance.scenario, policy, nodes: instance.nodes, workload: replay(instance.jobs), churn: instance.churn(), rng: Prng.fromSeed(instance.seed, "world"), churnOracle: oracle })
    const all: ReadonlyArray<PlacementDecision> = policy instanceof AiPolicy ? policy.recentDecisions() : []
    // Late decisions show the trained models; take a spread of them.
    const step = Math.max(1, Math.floor(all.length / 12))
    return all.filter((_, i) => i % step === 0).slice(-10)
  })
