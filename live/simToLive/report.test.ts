import { describe, expect, it } from "vitest"
import type { JobTimes } from "./jobTimes.ts"
import { readJobsCsv } from "./simRun.ts"
import { figuresOf, formatTable, statsOf } from "./report.ts"

const job = (index: number, submitS: number, startS: number, endS: number, state = "succeeded"): JobTimes =>
  ({ index, submitS, startS, endS, state, attempts: 1, node: 0 })

describe("sim-to-live report", () => {
  it("computes mean, type-7 quantiles and max", () => {
    expect(statsOf([4, 1, 3, 2])).toEqual({ mean: 2.5, p50: 2.5, p95: 3.85, max: 4 })
    expect(statsOf([7])).toEqual({ mean: 7, p50: 7, p95: 7, max: 7 })
  })

  it("counts only succeeded jobs in the statistics", () => {
    const f = figuresOf([job(0, 0, 1, 3), job(1, 1, 1.5, 2.5), job(2, 2, 2, 9, "failed")])
    expect(f.jobs).toBe(3)
    expect(f.succeeded).toBe(2)
    expect(f.waitS).toEqual({ mean: 0.75, p50: 0.75, p95: 0.975, max: 1 })
    expect(f.runS).toEqual({ mean: 1.5, p50: 1.5, p95: 1.95, max: 2 })
    expect(f.completionS).toEqual({ mean: 2.25, p50: 2.25, p95: 2.925, max: 3 })
  })

  it("reads the runner's jobs.csv by column name, for one policy, with missing times as NaN", () => {
    const csv = [
      "policy,job_id,user,submit_s,start_s,end_s,wait_s,run_s,completion_s,bounded_slowdown,vcpus,memory_mib,disk_mib,status,attempts,node",
      "easy,0,user-0,0.656,0.661,3.621,0.005,2.96,2.965,1,1,256,64,succeeded,1,0",
      "fcfs,0,user-0,0.656,0.7,3.7,0.044,3,3.044,1,1,256,64,succeeded,1,2",
      "easy,1,user-0,2.5,,,,,,,1,256,64,queued,0,"
    ].join("\n")
    const jobs = readJobsCsv(csv, "easy")
    expect(jobs).toHaveLength(2)
    expect(jobs[0]).toEqual({ index: 0, submitS: 0.656, startS: 0.661, endS: 3.621, state: "succeeded", attempts: 1, node: 0 })
    expect(jobs[1]!.node).toBeNull()
    expect(Number.isNaN(jobs[1]!.startS)).toBe(true)
  })

  it("puts both worlds and their difference in one row per statistic", () => {
    const sim = figuresOf([job(0, 0, 0, 2)])
    const live = figuresOf([job(0, 0, 0.5, 3)])
    const c = {
      sim, live,
      difference: {
        completionS: { mean: 1, p50: 1, p95: 1, max: 1 },
        waitS: { mean: 0.5, p50: 0.5, p95: 0.5, max: 0.5 },
        runS: { mean: 0.5, p50: 0.5, p95: 0.5, max: 0.5 }
      }
    } as unknown as Parameters<typeof formatTable>[0]
    const md = formatTable(c, "markdown").split("\n")
    expect(md[0]).toBe("| measure | stat | sim s | live s | live - sim s |")
    expect(md).toContain("| completion (end - submit) | p50 | 2.000 | 3.000 | +1.000 |")
    expect(md).toContain("| wait (start - submit) | max | 0.000 | 0.500 | +0.500 |")
    expect(md.at(-1)).toBe("| jobs succeeded |  | 1/1 | 1/1 |  |")
    expect(md).toHaveLength(2 + 12 + 1)
  })
})
