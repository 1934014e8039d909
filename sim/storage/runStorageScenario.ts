// Runs every redundancy configuration of a storage scenario (in worker threads, one per core) and
// writes summary.json, storage-timeseries.csv, and the empty job files the results viewer expects
// (distributions.json, timeseries.csv), so a storage-only run opens in the explorer.
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { StorageScenario } from "../../scenarios/storageSchema.ts"
import { inOrderOnWorkers } from "../workerPool.ts"
import { timeseriesCsvHeader, writeDistributions } from "../results/writeResults.ts"
import { type ConfigurationSummary, objectSizes, runConfiguration, storageSeriesHeader } from "./DurabilitySim.ts"

export interface StorageRunSummary {
  readonly scenario: string
  readonly seed: number
  readonly version: string
  readonly parameters: StorageScenario
  /** No job policies in a storage run; present because the results viewer requires the key. */
  readonly policies: Record<string, never>
  readonly storage: Record<string, ConfigurationSummary>
}

export interface StorageRunOptions {
  readonly outDir: string
  readonly version: string
  /** Worker threads (default: one per core, at most one per configuration); 1 runs inline. */
  readonly workers?: number
  readonly onConfigurationDone?: (name: string, summary: ConfigurationSummary, wallMs: number) => void
}

interface ConfigurationOutput {
  readonly name: string
  readonly summary: ConfigurationSummary
  readonly seriesRows: ReadonlyArray<string>
  readonly wallMs: number
}

/** Simulates each configuration on identical churn; the files do not depend on the worker count. */
export const runStorageScenario = (scenario: StorageScenario, options: StorageRunOptions): Effect.Effect<StorageRunSummary> =>
  Effect.gen(function* () {
    const count = scenario.configurations.length
    const workers = Math.max(1, Math.min(options.workers ?? os.availableParallelism(), count))
    const outputs: Array<ConfigurationOutput> = []
    const done = (o: ConfigurationOutput) => {
      outputs.push(o)
      options.onConfigurationDone?.(o.name, o.summary, o.wallMs)
    }
    if (workers === 1) {
      const sizes = objectSizes(scenario)
      for (const c of scenario.configurations) {
        const started = performance.now()
        const run = runConfiguration(scenario, c, sizes)
        done({ name: run.name, summary: run.summary, seriesRows: run.seriesRows, wallMs: performance.now() - started })
      }
    } else {
      yield* inOrderOnWorkers<{ scenario: StorageScenario }, ConfigurationOutput>(
        new URL("./storageWorker.mjs", import.meta.url),
        scenario.configurations.map(() => ({ scenario })),
        workers,
        done,
        (i) => `storage configuration ${scenario.configurations[i]!.name}`
      )
    }
    const storage: Record<string, ConfigurationSummary> = {}
    for (const o of outputs) storage[o.name] = o.summary
    const summary: StorageRunSummary = { scenario: scenario.name, seed: scenario.seed, version: options.version, parameters: scenario, policies: {}, storage }
    fs.mkdirSync(options.outDir, { recursive: true })
    fs.writeFileSync(path.join(options.outDir, "summary.json"), JSON.stringify(summary, null, 2) + "\n")
    fs.writeFileSync(path.join(options.outDir, "storage-timeseries.csv"), [storageSeriesHeader, ...outputs.flatMap((o) => o.seriesRows)].join("\n") + "\n")
    writeDistributions(options.outDir, { scenario: scenario.name, seed: scenario.seed, version: options.version, policies: {} })
    fs.writeFileSync(path.join(options.outDir, "timeseries.csv"), timeseriesCsvHeader + "\n")
    return summary
  })
