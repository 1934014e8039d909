import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { decodeStorageScenario, loadAnyScenario } from "./load.ts"
import { isStorageScenario } from "./storageSchema.ts"

const raw = () => JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "storage-durability.json"), "utf8"))
const issuesOf = (input: unknown) => {
  const r = decodeStorageScenario(input, "test")
  return Either.isLeft(r) ? r.left.issues : []
}

describe("storage scenarios", () => {
  it.effect("storage-durability loads as a storage scenario: a year, a million objects, 5,000 nodes, the four configurations", () =>
    Effect.gen(function* () {
      const s = yield* loadAnyScenario("storage-durability")
      expect(isStorageScenario(s)).toBe(true)
      if (!isStorageScenario(s)) return
      expect(s.objects.count).toBe(1_000_000)
      expect(s.nodes.count).toBe(5000)
      expect(s.durationS).toBe(365 * 86400)
      expect(s.configurations.map((c) => c.name)).toEqual(["rep3", "rs4+2", "rs10+4", "rs4+2-norepair"])
    })
  )

  it.effect("--scale multiplies objects and nodes; --seed replaces the seed", () =>
    Effect.gen(function* () {
      const s = yield* loadAnyScenario("storage-durability", { scale: 0.01, seed: 5 })
      expect(isStorageScenario(s) && [s.objects.count, s.nodes.count, s.seed]).toEqual([10000, 50, 5])
    })
  )

  it("k+m larger than the node count is an error naming the configuration", () => {
    const s = raw()
    s.nodes.count = 12
    expect(issuesOf(s)).toEqual([{ path: "configurations[2].redundancy", message: "Reed-Solomon 10+4 puts 14 shards on 14 distinct nodes, but nodes.count is 12" }])
  })

  it.effect("the same check catches a --scale too small for the widest code", () =>
    Effect.gen(function* () {
      const e = yield* Effect.flip(loadAnyScenario("storage-durability", { scale: 0.002 }))
      expect(e.message).toMatch(/configurations\[2\]\.redundancy: Reed-Solomon 10\+4 puts 14 shards on 14 distinct nodes, but nodes.count is 10/)
    })
  )

  it("names the path of a bad field, a bad threshold and a duplicate name", () => {
    const s = raw()
    s.configurations[1].redundancy.k = 0
    s.objects.count = -1
    expect(issuesOf(s).map((i) => i.path)).toEqual(expect.arrayContaining(["configurations[1].redundancy.k", "objects.count"]))
    const t = raw()
    t.configurations[0].repairAtHealthy = 3
    t.configurations[3].name = "rep3"
    expect(issuesOf(t)).toEqual([
      { path: "configurations[0].repairAtHealthy", message: "must be between k = 1 and k+m-1 = 2 for replication 3, got 3" },
      { path: "configurations[3].name", message: `duplicate configuration name "rep3"` }
    ])
  })

  it("rejects unknown fields instead of ignoring a typo", () => {
    const s = raw()
    s.graceSeconds = 5
    expect(issuesOf(s).map((i) => i.path)).toContain("graceSeconds")
  })
})
