import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { decodeStorageScenario, loadAnyScenario } from "../../scenarios/load.ts"
import { isStorageScenario, type StorageScenario, type StorageScenarioInput } from "../../scenarios/storageSchema.ts"
import { runConfiguration } from "./DurabilitySim.ts"
import { runStorageScenario } from "./runStorageScenario.ts"

const loadScaled = (scale: number, seed?: number) =>
  Effect.runSync(
    Effect.flatMap(loadAnyScenario("storage-durability", { scale, seed }), (s) => (isStorageScenario(s) ? Effect.succeed(s) : Effect.die("not a storage scenario")))
  )

const small = (over: Partial<StorageScenarioInput>): StorageScenario => {
  const input: StorageScenarioInput = {
    kind: "storage",
    name: "t",
    seed: 1,
    nodes: {
      count: 30,
      regions: ["a", "b", "c"],
      classes: [{ name: "n", weight: 1, vcpus: 1, memoryMiB: 1, diskMiB: 1024 }],
      churn: { kind: "alternating", on: { kind: "exponential", meanS: 20000 }, off: { kind: "exponential", meanS: 8000 } },
      meanLifetimeS: 2e6
    },
    durationS: 3e6,
    objects: { count: 400, sizeBytes: { medianBytes: 1e6, sigma: 1, maxBytes: 1e8 } },
    configurations: [{ name: "c", redundancy: { kind: "rs", k: 4, m: 2 } }],
    graceS: 20000,
    replacementDelayS: 5000,
    readSamples: 2000,
    sampleIntervalS: 1e5,
    ...over
  }
  const r = decodeStorageScenario(input, "test")
  if (r._tag === "Left") throw new Error(r.left.message)
  return r.right
}

describe("storage durability simulator", () => {
  it("conserves shards: every shard is missing, or held by a live node and counted exactly once as healthy or not", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ kind: fc.constant("rs" as const), k: fc.integer({ min: 1, max: 6 }), m: fc.integer({ min: 0, max: 4 }) }),
          fc.record({ kind: fc.constant("replication" as const), r: fc.integer({ min: 1, max: 4 }) })
        ),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 2000, max: 200000 }),
        fc.integer({ min: 1, max: 50 }),
        (redundancy, repair, seed, graceS, bandwidthMBps) => {
          const s = small({ seed, graceS, repair: { intervalS: 600, bandwidthBytesPerS: bandwidthMBps * 1e6, retryS: 3600 }, configurations: [{ name: "c", redundancy, repair }] })
          const run = runConfiguration(s, s.configurations[0])
          const { summary, state } = run
          expect(state.check(summary.k)).toBeUndefined()
          expect(summary.objectsLost).toBe(state.lost.reduce((a, x) => a + x, 0))
          expect(summary.readAvailability).toBeGreaterThanOrEqual(0)
          expect(summary.readAvailability).toBeLessThanOrEqual(1)
          expect(summary.readsSampled).toBe(2000)
          if (!repair) expect(summary.repairBytes).toBe(0)
          expect(summary.shardsRebuilt).toBeGreaterThanOrEqual(summary.repairs)
        }
      ),
      { numRuns: 40 }
    )
  })

  it("storage-durability scaled down: RS 4+2 with repair loses nothing where the same run without repair loses objects", () => {
    const s = loadScaled(0.02)
    const byName = Object.fromEntries(s.configurations.map((c) => [c.name, runConfiguration(s, c)]))
    expect(byName["rs4+2"]!.summary.objectsLost).toBe(0)
    expect(byName["rs4+2-norepair"]!.summary.objectsLost).toBeGreaterThan(0)
    expect(byName["rs4+2"]!.summary.repairBytes).toBeGreaterThan(0)
    // Same churn for every configuration: the node failures are identical.
    expect(new Set(Object.values(byName).map((r) => r.summary.nodeFailures)).size).toBe(1)
    for (const r of Object.values(byName)) expect(r.state.check(r.summary.k)).toBeUndefined()
  })

  it.effect("is deterministic: the same seed gives byte-identical files, inline or in worker threads", () =>
    Effect.gen(function* () {
      const s = loadScaled(0.005)
      const dirs = [1, 1, 2].map(() => fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-storage-")))
      for (const [i, dir] of dirs.entries()) yield* runStorageScenario(s, { outDir: dir, version: "test", workers: i === 2 ? 2 : 1 })
      const files = ["summary.json", "storage-timeseries.csv", "distributions.json", "timeseries.csv"]
      for (const f of files) {
        const first = fs.readFileSync(path.join(dirs[0]!, f), "utf8")
        for (const dir of dirs.slice(1)) expect(fs.readFileSync(path.join(dir, f), "utf8")).toBe(first)
      }
      const other = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-storage-"))
      yield* runStorageScenario(loadScaled(0.005, 99), { outDir: other, version: "test", workers: 1 })
      expect(fs.readFileSync(path.join(other, "summary.json"), "utf8")).not.toBe(fs.readFileSync(path.join(dirs[0]!, "summary.json"), "utf8"))
      for (const dir of [...dirs, other]) fs.rmSync(dir, { recursive: true, force: true })
    })
  )
})
