// The command line as users meet it: results files in the documented shape, and clear errors.
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { parseSimArgs } from "./args.ts"

const root = path.resolve(import.meta.dirname, "../..")
const tsx = path.join(root, "node_modules", ".bin", "tsx")
const sim = (...args: Array<string>) => spawnSync(tsx, ["sim/cli/main.ts", "run", ...args], { cwd: root, encoding: "utf8" })

describe("sim command line", () => {
  it("parses scenario, seed, out, several policies and scale", () => {
    const a = Either.getOrThrow(parseSimArgs(["kth-replay", "--seed", "3", "--policy", "fcfs", "easy", "--policy", "random", "--scale", "0.5", "--out", "x"]))
    expect(a).toEqual({ scenario: "kth-replay", seed: 3, out: "x", policies: ["fcfs", "easy", "random"], scale: 0.5 })
    expect(Either.isLeft(parseSimArgs(["x", "--seed", "-1"]))).toBe(true)
    expect(Either.isLeft(parseSimArgs(["x", "--scale", "0"]))).toBe(true)
    expect(Either.isLeft(parseSimArgs(["x", "--frobnicate"]))).toBe(true)
    expect(Either.isLeft(parseSimArgs([]))).toBe(true)
  })

  it("writes summary.json, jobs.csv and timeseries.csv in the documented shape", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-cli-"))
    const r = sim("region-outage", "--scale", "0.05", "--policy", "fcfs", "easy", "--out", out)
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/fcfs/)
    const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"))
    expect(summary).toMatchObject({ scenario: "region-outage", seed: 42 })
    expect(typeof summary.version).toBe("string")
    for (const policy of ["fcfs", "easy"]) {
      const p = summary.policies[policy]
      for (const key of ["jobs", "makespan", "utilisation", "goodput", "retried", "lost"]) expect(typeof p[key], key).toBe("number")
      for (const key of ["completionTime", "wait", "boundedSlowdown"]) expect(Object.keys(p[key])).toEqual(["mean", "p50", "p95", "p99"])
      expect(p.jobs).toBe(3000)
    }
    const jobs = fs.readFileSync(path.join(out, "jobs.csv"), "utf8").trim().split("\n")
    expect(jobs[0]).toBe("policy,job_id,user,submit_s,start_s,end_s,wait_s,run_s,completion_s,bounded_slowdown,vcpus,memory_mib,disk_mib,status,attempts,node")
    expect(jobs.length).toBe(1 + 2 * 3000)
    const series = fs.readFileSync(path.join(out, "timeseries.csv"), "utf8").trim().split("\n")
    expect(series[0]).toBe("policy,time_s,nodes_online,vcpus_online,vcpus_allocated,utilisation,queued,active")
    // Allocated vCPUs are what online nodes really run: never more than are online.
    for (const line of series.slice(1)) {
      const c = line.split(",")
      expect(+c[4]!, line).toBeLessThanOrEqual(+c[3]!)
    }
    // The region outage is visible: fewer nodes online between 6 h and 12 h.
    const online = (from: number, to: number) =>
      series.slice(1).map((l) => l.split(",")).filter((c) => c[0] === "fcfs" && +c[1]! >= from && +c[1]! < to).map((c) => +c[2]!)
    const before = Math.max(...online(0, 21600))
    const during = Math.max(...online(22000, 43000))
    expect(during).toBeLessThan(before * 0.75)
  })

  it("replays an SWF trace under several policies (in worker threads)", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-kth-"))
    const r = sim("kth-replay", "--scale", "0.05", "--policy", "fcfs", "easy", "--out", out)
    expect(r.status, r.stderr).toBe(0)
    const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"))
    expect(summary.policies.fcfs.jobs).toBe(1424)
    expect(summary.policies.easy.jobs).toBe(1424)
    // Backfilling never makes the average wait worse than strict FCFS on this log.
    expect(summary.policies.easy.wait.mean).toBeLessThanOrEqual(summary.policies.fcfs.wait.mean)
  })

  it("names the bad field of a malformed scenario and exits non-zero", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-bad-"))
    const file = path.join(dir, "bad.json")
    const good = JSON.parse(fs.readFileSync(path.join(root, "scenarios", "region-outage.json"), "utf8"))
    good.nodes.classes[1].vcpus = -4
    fs.writeFileSync(file, JSON.stringify(good))
    const r = sim(file)
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/nodes\.classes\[1\]\.vcpus/)
  })

  it("refuses an unknown scenario or policy with the known names", () => {
    const r = sim("no-such-scenario")
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/no scenario "no-such-scenario".*volunteer-churn/)
    const p = sim("kth-replay", "--policy", "fastest")
    expect(p.status).toBe(1)
    expect(p.stderr).toMatch(/policies\[0\]/)
  })
})
