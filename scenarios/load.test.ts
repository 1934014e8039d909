import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { decodeScenario, knownScenarios, loadAnyScenario, loadScenario, ScenarioInvalid } from "./load.ts"

const dir = import.meta.dirname
const raw = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), "utf8"))
const issuesOf = (input: unknown) => {
  const r = decodeScenario(input, "test", dir)
  return Either.isLeft(r) ? r.left.issues : []
}

describe("scenarios", () => {
  it("ships the named scenarios the issue asks for", () => {
    expect(knownScenarios()).toEqual(expect.arrayContaining(["volunteer-churn", "kth-replay", "region-outage", "scale-10k"]))
  })

  it.effect("every named scenario loads and validates", () =>
    Effect.gen(function* () {
      for (const name of knownScenarios()) {
        const s = yield* loadAnyScenario(name)
        expect(s.name).toBe(name)
      }
      const flagship = yield* loadScenario("volunteer-churn")
      expect(flagship.nodes.count).toBe(5000)
      expect(flagship.workload.kind === "synthetic" && flagship.workload.jobs).toBe(200000)
      const scale = yield* loadScenario("scale-10k")
      expect(scale.nodes.count).toBe(10000)
      expect(scale.workload.kind === "synthetic" && scale.workload.jobs).toBe(1000000)
    })
  )

  it("names the path of a bad field", () => {
    const s = raw("volunteer-churn")
    s.nodes.classes[2].vcpus = 0
    s.workload.runtime = { kind: "lognormal", medianS: -1, sigma: 1 }
    const issues = issuesOf(s)
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(["nodes.classes[2].vcpus", "workload.runtime.medianS"]))
  })

  it("refuses unknown fields, unknown policies, unknown regions and jobs no node can hold", () => {
    const s = raw("region-outage")
    s.nodes.extra = 1
    expect(issuesOf(s).map((i) => i.path)).toContain("nodes.extra")
    const p = raw("region-outage")
    p.policies = ["fcfs", "fastest"]
    expect(issuesOf(p).map((i) => i.path)).toContain("policies[1]")
    const r = raw("region-outage")
    r.failures[0].region = "mars"
    expect(issuesOf(r)).toEqual([expect.objectContaining({ path: "failures[0].region", message: expect.stringMatching(/unknown region "mars"/) })])
    const big = raw("volunteer-churn")
    big.workload.shapes.push({ weight: 1, vcpus: 64, memoryMiB: 1, diskMiB: 1 })
    expect(issuesOf(big).map((i) => i.path)).toContain("workload.shapes[4]")
    const hb = raw("volunteer-churn")
    hb.coordinator.heartbeatTimeoutS = 10
    expect(issuesOf(hb).map((i) => i.path)).toContain("coordinator.heartbeatTimeoutS")
  })

  it.effect("reports a missing trace file and malformed JSON as ScenarioInvalid", () =>
    Effect.gen(function* () {
      const k = raw("kth-replay")
      k.workload.path = "nowhere.swf"
      expect(issuesOf(k)).toEqual([expect.objectContaining({ path: "workload.path", message: expect.stringMatching(/file not found/) })])
      const file = path.join(fs.mkdtempSync(path.join((yield* Effect.sync(() => process.env.TMPDIR ?? "/tmp")), "cc-")), "broken.json")
      fs.writeFileSync(file, "{ not json")
      const e = yield* Effect.flip(loadScenario(file))
      expect(e).toBeInstanceOf(ScenarioInvalid)
      expect(e.message).toMatch(/not valid JSON/)
    })
  )

  it.effect("applies --seed, --policy and --scale (same offered load)", () =>
    Effect.gen(function* () {
      const s = yield* loadScenario("volunteer-churn", { seed: 9, policies: ["easy"], scale: 0.1 })
      expect(s.seed).toBe(9)
      expect(s.policies).toEqual(["easy"])
      expect(s.nodes.count).toBe(500)
      if (s.workload.kind !== "synthetic") throw new Error("synthetic expected")
      expect(s.workload.jobs).toBe(20000)
      expect(s.workload.arrivalRatePerS).toBeCloseTo(0.8)
      const k = yield* loadScenario("kth-replay", { scale: 0.25 })
      expect(k.nodes.count).toBe(1)
      expect(k.workload.kind === "swf" && k.workload.fraction).toBe(0.25)
    })
  )
})
