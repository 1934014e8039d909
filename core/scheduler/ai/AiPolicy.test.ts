import { describe, expect, it } from "vitest"
import { harness } from "../baselines/testHarness.ts"
import type { AiPolicy } from "./AiPolicy.ts"
import type { AvailabilityOracle } from "./riskModels.ts"

const caps = [4, 4096, 4096] as const

describe("the ai policy", () => {
  it("places a job on the node where it is expected to complete soonest, and explains it with the runner-up", () => {
    const h = harness("ai", [{ caps: [...caps], speed: 0.5 }, { caps: [...caps], speed: 2 }, { caps: [...caps], speed: 1 }])
    const job = h.submit([1, 512, 512], 0, 600_000)
    expect(h.flush(0)).toEqual([job])
    expect(h.nodeOf(job)).toBe(1)
    const why = (h.policy as AiPolicy).explain(job)!
    expect(why.node).toBe(1)
    // No finished job yet: the prediction is the requested time (EASY++'s rule), run at speed 2.
    expect(why.predictedWorkMs).toBe(600_000)
    expect(why.predictedRunMs).toBe(300_000)
    expect(why.runnerUpNode).toBe(2)
    expect(why.runnerUpScoreMs).toBeGreaterThan(why.scoreMs)
    expect(why.failureRisk).toBeGreaterThanOrEqual(0)
    expect(why.failureRisk).toBeLessThanOrEqual(1)
  })

  it("starts the smallest predicted area first when one slot is free", () => {
    const h = harness("ai", [{ caps: [1, 4096, 4096] }])
    const blocker = h.submit([1, 512, 512], 0, 10_000)
    h.flush(0)
    const long = h.submit([1, 512, 512], 1, 900_000)
    const short = h.submit([1, 512, 512], 2, 60_000)
    h.flush(3)
    h.start(blocker, 4)
    h.finish(blocker, 10_004)
    expect(h.flush(10_005)).toEqual([short])
    expect(long).toBeLessThan(short)
  })

  it("learns a user's run times from finished jobs and predicts the next from them", () => {
    const h = harness("ai", [{ caps: [...caps] }])
    const policy = h.policy as AiPolicy
    const first = h.submit([1, 512, 512], 0, 3_600_000, { owner: "alice" })
    h.flush(0)
    h.start(first, 0)
    h.finish(first, 120_000)
    const next = h.submit([1, 512, 512], 130_000, 3_600_000, { owner: "alice" })
    h.flush(130_000)
    // The user's last job ran 120 s at speed 1, though it asked for an hour.
    expect(policy.explain(next)!.predictedWorkMs).toBe(120_000)
  })

  it("with the oracle's availability, avoids a fast node that will leave before the job ends", () => {
    const leavesSoon: AvailabilityOracle = { upUntilMs: (node) => (node === 1 ? 60_000 : Infinity) }
    const h = harness("oracle", [{ caps: [...caps], speed: 1 }, { caps: [...caps], speed: 2 }], 1, leavesSoon)
    const job = h.submit([1, 512, 512], 0, 600_000)
    h.flush(0)
    expect(h.nodeOf(job)).toBe(0)
    const why = (h.policy as AiPolicy).explain(job)!
    expect(why.failureRisk).toBe(0)
    expect(why.runnerUpNode).toBe(1)
  })

  it("backfills a short job past a blocked wide one only if it ends before the reservation", () => {
    const h = harness("ai", [{ caps: [4, 4096, 4096] }])
    const running = h.submit([2, 512, 512], 0, 100_000)
    h.flush(0)
    h.start(running, 0)
    // By predicted area the wide job (4 x 15 s) comes first and blocks; the others come after it.
    const wide = h.submit([4, 512, 512], 1, 15_000)
    const tooLong = h.submit([1, 512, 512], 2, 500_000)
    const fitsBefore = h.submit([1, 512, 512], 3, 80_000)
    const placed = h.flush(10)
    // The wide job waits for the running one (shadow at 100 s); 80 s from 10 s fits before, 500 s does not.
    expect(placed).toEqual([fitsBefore])
    expect((h.policy as AiPolicy).blockedJob).toBe(wide)
    expect((h.policy as AiPolicy).explain(fitsBefore)!.backfilled).toBe(true)
    expect(placed).not.toContain(tooLong)
  })

  it("without backfilling, stops at the blocked job", () => {
    const h = harness("ai-no-backfill", [{ caps: [4, 4096, 4096] }])
    const running = h.submit([2, 512, 512], 0, 100_000)
    h.flush(0)
    h.start(running, 0)
    h.submit([4, 512, 512], 1, 15_000)
    h.submit([1, 512, 512], 3, 80_000)
    expect(h.flush(10)).toEqual([])
  })

  it("oracle cannot be built without the simulator's availability", async () => {
    const { makePolicy } = await import("../policies.ts")
    const { Prng } = await import("../../random/prng.ts")
    const r = makePolicy("oracle", Prng.fromSeed(1))
    expect(r._tag).toBe("Left")
    if (r._tag === "Left") expect(r.left.message).toContain("cannot run live")
  })
})
