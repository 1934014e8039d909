import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { UserId } from "../../../core/domain/ids.ts"
import type { SimJob } from "../../model/workload.ts"
import { analyse, summaryJson } from "./analysis.ts"
import { runCell } from "./cellWorker.ts"
import { policiesFor } from "./protocol.ts"
import type { RunMetrics } from "./runOne.ts"
import { atOfferedLoad, quickSize } from "./workloads.ts"

const row = (policy: string, sequence: number, meanCompletionS: number, load = 0.8): RunMetrics => ({
  workload: "w", load, sequence, policy, jobs: 10, finished: 10, unfinished: 0, retried: 0, events: 1, meanCompletionS,
  p95CompletionS: meanCompletionS * 2, meanWaitS: 1, meanBoundedSlowdown: 1, utilisation: 0.5, goodput: 1, fairness: 1, wallMs: 1
})

describe("the experiment's analysis", () => {
  it("finds the best baseline and the AI's paired change, CI and Holm-corrected p-value", () => {
    const rows: Array<RunMetrics> = []
    for (const load of [0.5, 0.9]) {
      for (let s = 0; s < 10; s++) {
        const base = 100 + 10 * s
        rows.push(row("fcfs", s, base * 1.5, load), row("sjf", s, base, load), row("ai", s, base * 0.8, load), row("oracle", s, base * 0.5, load))
      }
    }
    const cells = analyse(rows)
    expect(cells).toHaveLength(2)
    for (const c of cells) {
      expect(c.bestBaseline).toBe("sjf")
      expect(c.ai.relativeChange.estimate).toBeCloseTo(-0.2, 10)
      expect(c.ai.relativeChange.low).toBeCloseTo(-0.2, 10)
      // All 10 pairs favour the AI: the exact two-sided p is 2 / 2^10; Holm doubles the smaller.
      expect(c.ai.pValue).toBeCloseTo(2 / 1024, 12)
      expect(c.ai.pValueHolm).toBeCloseTo(4 / 1024, 12)
      expect(c.ai.rankBiserial).toBe(1)
      expect(c.ablations.find((a) => a.policy === "oracle")!.relativeChange.estimate).toBeCloseTo(0.5 / 0.8 - 1, 10)
    }
    const entry = summaryJson(cells).entries[0]!
    expect(entry.bestBaseline).toBe("sjf")
    expect(entry.relativeChange).toBeCloseTo(-0.2, 4)
    expect(Object.keys(entry.policies).sort()).toEqual(["ai", "fcfs", "oracle", "sjf"])
  })

  it("scales inter-arrival times to any offered load exactly", () => {
    fc.assert(fc.property(
      fc.array(fc.record({ gap: fc.integer({ min: 1, max: 10_000 }), work: fc.integer({ min: 1, max: 100_000 }), vcpus: fc.integer({ min: 1, max: 8 }) }), { minLength: 2, maxLength: 40 }),
      fc.double({ min: 0.1, max: 1, noNaN: true }),
      fc.integer({ min: 1, max: 64 }),
      (specs, load, capacity) => {
        let t = 5000
        const jobs: Array<SimJob> = specs.map((s) => ({
          submitMs: (t += s.gap),
          failAt: -1,
          request: { owner: "u" as UserId, resources: { vcpus: s.vcpus, memoryMiB: 0, diskMiB: 0 }, requestedTimeMs: s.work, workMs: s.work, image: "busybox", command: ["true"], replication: 1 }
        }))
        const scaled = atOfferedLoad(jobs, capacity, load)
        const span = scaled.at(-1)!.submitMs - scaled[0]!.submitMs
        const demand = jobs.reduce((a, j) => a + j.request.workMs * j.request.resources.vcpus, 0)
        expect(scaled[0]!.submitMs).toBe(0)
        expect(demand / (capacity * span)).toBeCloseTo(load, 6)
      }
    ))
  })

  it("runs every policy of a real cell to the end on the same jobs", async () => {
    const policies = policiesFor(0.9, [0.9])
    const rows = await runCell({ workload: "kth", load: 0.9, sequence: 1, policies, size: quickSize })
    expect(rows.map((r) => r.policy)).toEqual(policies)
    const jobs = new Set(rows.map((r) => r.jobs))
    expect(jobs.size).toBe(1)
    for (const r of rows) {
      expect(r.unfinished).toBe(0)
      expect(r.finished).toBe(r.jobs)
      expect(r.meanCompletionS).toBeGreaterThan(0)
    }
    const ai = rows.find((r) => r.policy === "ai")!
    expect(ai.accuracy!.model.jobs).toBeGreaterThan(0)
  }, 60_000)
})
