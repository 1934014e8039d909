// The `npm run sim -- <storage scenario>` path: run, print a table, say where the files are.
import { Effect } from "effect"
import * as path from "node:path"
import type { StorageScenario } from "../../scenarios/storageSchema.ts"
import { runStorageScenario, type StorageRunSummary } from "./runStorageScenario.ts"
import { formatStorageTable } from "./table.ts"

export const simulateStorage = (scenario: StorageScenario, out: string | undefined, version: string): Effect.Effect<StorageRunSummary> =>
  Effect.gen(function* () {
    const outDir = path.resolve(out ?? path.join("results", scenario.name))
    const years = scenario.durationS / (365 * 86400)
    console.log(
      `storage scenario ${scenario.name} (seed ${scenario.seed}): ${scenario.objects.count} objects on ${scenario.nodes.count} nodes for ${years.toFixed(2)} years, configurations ${scenario.configurations.map((c) => c.name).join(", ")}`
    )
    const started = performance.now()
    const summary = yield* runStorageScenario(scenario, {
      outDir,
      version,
      onConfigurationDone: (name, s, ms) => console.log(`  ${name.padEnd(16)} ${s.events} events in ${(ms / 1000).toFixed(1)} s`)
    })
    console.log()
    console.log(formatStorageTable(summary.storage))
    console.log()
    console.log(`results in ${outDir} (summary.json, storage-timeseries.csv); ${((performance.now() - started) / 1000).toFixed(1)} s wall`)
    return summary
  })
