import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { decodeDistributions, decodeSummary, decodeTimeseries, ResultsFileError } from "./runFiles.ts"

const root = path.resolve(import.meta.dirname, "../../..")

describe("reading a run's files", () => {
  it("decodes what the simulator writes", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-files-"))
    execFileSync(path.join(root, "node_modules/.bin/tsx"), ["sim/cli/main.ts", "run", "region-outage", "--scale", "0.02", "--policy", "fcfs", "easy", "--out", out], { cwd: root, stdio: "pipe" })
    const read = (f: string) => fs.readFileSync(path.join(out, f), "utf8")
    const summary = Either.getOrThrow(decodeSummary(read("summary.json")))
    expect(Object.keys(summary.policies)).toEqual(["fcfs", "easy"])
    const d = Either.getOrThrow(decodeDistributions(read("distributions.json")))
    expect(d.policies.fcfs!.completionTimeS).toHaveLength(201)
    const series = Either.getOrThrow(decodeTimeseries(read("timeseries.csv")))
    expect(series.length).toBeGreaterThan(10)
    expect(new Set(series.map((p) => p.policy))).toEqual(new Set(["fcfs", "easy"]))
  })

  it("names the file and the problem when a file is malformed", () => {
    const notJson = decodeSummary("{ nope")
    expect(Either.isLeft(notJson) && notJson.left).toBeInstanceOf(ResultsFileError)
    expect(Either.isLeft(notJson) && notJson.left.message).toMatch(/^summary\.json: not valid JSON/)
    const wrong = decodeSummary(JSON.stringify({ scenario: "x", seed: 1, version: "v", policies: { fcfs: { jobs: "many" } } }))
    expect(Either.isLeft(wrong) && wrong.left.message).toMatch(/^summary\.json: at policies\.fcfs\.jobs: /)
    const noPolicies = decodeDistributions(JSON.stringify({}))
    expect(Either.isLeft(noPolicies) && noPolicies.left.message).toMatch(/^distributions\.json: at policies/)
  })

  it("names the line of a bad time-series row and any missing column", () => {
    const header = "policy,time_s,nodes_online,vcpus_online,vcpus_allocated,utilisation,queued,active"
    const bad = decodeTimeseries(`${header}\nfcfs,0,1,2,1,0.5,0,1\nfcfs,60,1,2,abc,0.5,0,1\n`)
    expect(Either.isLeft(bad) && bad.left.message).toBe('timeseries.csv: line 3: vcpus_allocated is not a number ("abc")')
    const missing = decodeTimeseries("policy,time_s\nfcfs,0\n")
    expect(Either.isLeft(missing) && missing.left.message).toMatch(/^timeseries\.csv: missing columns nodes_online, /)
  })
})
