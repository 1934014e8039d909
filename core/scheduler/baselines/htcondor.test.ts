import { describe, expect, it } from "@effect/vitest"
import type { SchedulingContext } from "../policy.ts"
import { HTCondorMatchmaking } from "./htcondor.ts"
import { harness } from "./testHarness.ts"

describe("htcondor", () => {
  it("ranks the fastest node first, then the lower id; first fit would take node 0", () => {
    const nodes = [{ caps: [2, 0, 0] as const, speed: 0.5 }, { caps: [2, 0, 0] as const, speed: 1.5 }, { caps: [2, 0, 0] as const, speed: 1.5 }]
    const h = harness("htcondor", nodes)
    const jobs = [0, 1, 2].map((t) => h.submit([1, 0, 0], t, 1000))
    h.flush(3)
    expect(jobs.map(h.nodeOf)).toEqual([1, 1, 2])
    const f = harness("fcfs", nodes)
    const first = f.submit([1, 0, 0], 0, 1000)
    f.flush(0)
    expect(f.nodeOf(first)).toBe(0)
  })

  it("serves the submitter with less accumulated usage first, each one's jobs in submit order; fcfs serves arrival order", () => {
    const scenario = (policy: string) => {
      const h = harness(policy, [[1, 0, 0]])
      const a1 = h.submit([1, 0, 0], 0, 1000, { owner: "alice" })
      expect(h.flush(0)).toEqual([a1])
      h.start(a1, 0)
      const a2 = h.submit([1, 0, 0], 10, 1000, { owner: "alice" })
      const a3 = h.submit([1, 0, 0], 11, 1000, { owner: "alice" })
      const b1 = h.submit([1, 0, 0], 20, 1000, { owner: "bob" })
      h.finish(a1, 1000)
      return { h, a2, a3, b1, order: h.flush(1000) }
    }
    const c = scenario("htcondor")
    expect(c.order).toEqual([c.b1])
    // Bob's 1000 vCPU-ms now match alice's, and hers has decayed longer: alice goes next.
    c.h.finish(c.b1, 2000)
    expect(c.h.flush(2000)).toEqual([c.a2])
    const f = scenario("fcfs")
    expect(f.order).toEqual([f.a2])
  })

  it("charges usage at placement, corrects it to the attempt's wall time at its end, and halves it every half-life", () => {
    const policy = new HTCondorMatchmaking("htcondor", 10_000)
    const h = harness("fcfs", [[4, 0, 0]]) // only for a cluster and a job table
    const job = h.submit([2, 0, 0], 0, 1000, { owner: "alice" })
    const ctx = (now: number): SchedulingContext => ({
      cluster: h.coordinator.cluster,
      jobs: h.coordinator.jobs,
      queue: h.coordinator.queue,
      now,
      jobsOn: () => [],
      scanDepth: 256,
      excluded: () => false,
      place: () => {}
    })
    policy.schedule(ctx(0))
    const alice = h.coordinator.jobs.owner[job]!
    expect(policy.usageOf(alice, 0)).toBeCloseTo(2 * 1000, 9)
    policy.attemptEnded(ctx(400), job, 0, "succeeded")
    expect(policy.usageOf(alice, 400)).toBeCloseTo(2000 * 2 ** (-400 / 10_000) + 2 * 400 - 2000, 6)
    const atEnd = policy.usageOf(alice, 400)
    expect(policy.usageOf(alice, 10_400)).toBeCloseTo(atEnd / 2, 6)
  })
})
