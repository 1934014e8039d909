// `npm run sim -- storage-durability` as users and the results viewer meet it.
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "../..")
const tsx = path.join(root, "node_modules", ".bin", "tsx")
const sim = (...args: Array<string>) => spawnSync(tsx, ["sim/cli/main.ts", "run", ...args], { cwd: root, encoding: "utf8" })

describe("storage scenarios on the command line", () => {
  it("writes summary.json with a storage object per configuration, the storage time series, and prints a table", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-storage-cli-"))
    const r = sim("storage-durability", "--scale", "0.005", "--seed", "3", "--out", out)
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/configuration .* lost .* read avail/)
    const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"))
    expect(summary).toMatchObject({ scenario: "storage-durability", seed: 3, policies: {} })
    expect(typeof summary.version).toBe("string")
    expect(summary.parameters.objects.count).toBe(5000)
    expect(Object.keys(summary.storage)).toEqual(["rep3", "rs4+2", "rs10+4", "rs4+2-norepair"])
    for (const s of Object.values(summary.storage) as Array<Record<string, number>>) {
      for (const key of ["objectsLost", "readAvailability", "repairBytes", "timeAtRiskObjectHours"]) expect(typeof s[key], key).toBe("number")
    }
    const series = fs.readFileSync(path.join(out, "storage-timeseries.csv"), "utf8").trim().split("\n")
    expect(series[0]).toBe("configuration,time_s,nodes_online,objects_at_risk,repair_queue,objects_lost,repair_bytes")
    // A sample at time 0 and one a day for 365 days, per configuration.
    expect(series.length).toBe(1 + 4 * 366)
    for (const f of ["distributions.json", "timeseries.csv"]) expect(fs.existsSync(path.join(out, f)), f).toBe(true)
    fs.rmSync(out, { recursive: true, force: true })
  })

  it("a scale too small for the widest code fails with the field and the counts, not a crash", () => {
    const r = sim("storage-durability", "--scale", "0.001")
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/configurations\[2\]\.redundancy: Reed-Solomon 10\+4 puts 14 shards on 14 distinct nodes, but nodes\.count is 5/)
  })

  it("refuses --policy for a storage scenario", () => {
    const r = sim("storage-durability", "--policy", "fcfs")
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/policies: a storage scenario runs no job policies/)
  })
})
