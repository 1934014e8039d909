// Same scenario and seed => byte-identical summary.json and jobs.csv; another seed => different.
// Runs the real CLI as separate processes, as a researcher would.
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { loadScenario } from "../scenarios/load.ts"
import { runScenario } from "./runScenario.ts"
import { codeVersion } from "./version.ts"

const root = path.resolve(import.meta.dirname, "..")
const tsx = path.join(root, "node_modules", ".bin", "tsx")

const runSim = (args: ReadonlyArray<string>): string => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-det-"))
  execFileSync(tsx, ["sim/cli/main.ts", "run", ...args, "--out", out], { cwd: root, stdio: "pipe" })
  return out
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file))

describe("determinism", () => {
  it("the same seed gives byte-identical results; another seed gives different ones", () => {
    const args = ["volunteer-churn", "--scale", "0.01"]
    const a = runSim([...args, "--seed", "7"])
    const b = runSim([...args, "--seed", "7"])
    const c = runSim([...args, "--seed", "8"])
    for (const file of ["summary.json", "distributions.json", "jobs.csv", "timeseries.csv"]) {
      expect(read(a, file).length, file).toBeGreaterThan(100)
      expect(read(a, file).equals(read(b, file)), `${file} differs between two runs of seed 7`).toBe(true)
    }
    expect(read(a, "summary.json").equals(read(c, "summary.json"))).toBe(false)
    expect(read(a, "jobs.csv").equals(read(c, "jobs.csv"))).toBe(false)
    const summary = JSON.parse(read(a, "summary.json").toString())
    expect(summary.seed).toBe(7)
    expect(summary.scenario).toBe("volunteer-churn")
    expect(Object.keys(summary.policies)).toEqual(["fcfs", "best-fit", "random", "round-robin", "least-allocated", "easy"])
  })

  it.effect("policies run in worker threads give the same files as policies run one after another", () =>
    Effect.gen(function* () {
      const parallel = runSim(["region-outage", "--scale", "0.05", "--seed", "3"])
      const scenario = yield* loadScenario("region-outage", { scale: 0.05, seed: 3 })
      const inline = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-inline-"))
      yield* runScenario(scenario, { outDir: inline, version: codeVersion(), workers: 1 })
      for (const file of ["summary.json", "distributions.json", "jobs.csv", "timeseries.csv"]) {
        expect(read(inline, file).equals(read(parallel, file)), file).toBe(true)
      }
    })
  )
})
