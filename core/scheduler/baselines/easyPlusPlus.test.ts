import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { harness } from "./testHarness.ts"
import { UserRuntimeHistory } from "./userHistory.ts"

describe("UserRuntimeHistory", () => {
  it("fast-check: the mean of each user's last two records, the only one after one, none before", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5), fc.integer({ min: 1, max: 1e6 })), { maxLength: 60 }), (records) => {
        const h = new UserRuntimeHistory()
        for (const [user, ms] of records) h.record(user, ms)
        for (let user = 0; user <= 6; user++) {
          const mine = records.filter(([u]) => u === user).map(([, ms]) => ms)
          const expected = mine.length === 0 ? -1 : mine.length === 1 ? mine[0]! : (mine.at(-1)! + mine.at(-2)!) / 2
          expect(h.meanOfLastTwo(user)).toBe(expected)
        }
      })
    )
  })
})

/**
 * User "u" first finishes two jobs that ran 100 and 300 ms (requested 10 s each), on a node of
 * speed `speed` (so the observed work is the wall time times the speed). Then a 10-vCPU node runs
 * a 6-vCPU job requested for 1000 ms from t = 10000, and a full-node head waits for it.
 */
const withHistory = (policy: string, speed = 1) => {
  const h = harness(policy, [{ caps: [10, 0, 0], speed }])
  for (const wallMs of [100, 300]) {
    const t = h.coordinator.jobs.count * 1000
    const job = h.submit([1, 0, 0], t, 10_000, { owner: "u", workMs: 1 })
    expect(h.flush(t)).toEqual([job])
    h.start(job, t)
    h.finish(job, t + wallMs)
  }
  // Requested in work at reference speed: it ends at 11000 on this node whatever its speed.
  const running = h.submit([6, 0, 0], 10_000, 1000 * speed, { owner: "other" })
  expect(h.flush(10_000)).toEqual([running])
  h.start(running, 10_000)
  const head = h.submit([10, 0, 0], 10_010, 500, { owner: "other" })
  return { h, running, head }
}

describe("easy++", () => {
  it("backfills a job whose user's last two jobs ran 200 ms on average although it requests 5 s; easy does not", () => {
    for (const [policy, backfilled] of [["easy++", true], ["easy", false]] as const) {
      const { h } = withHistory(policy)
      const job = h.submit([4, 0, 0], 10_020, 5000, { owner: "u" })
      expect(h.flush(10_020), policy).toEqual(backfilled ? [job] : [])
    }
  })

  it("counts observed work at reference speed: 100 and 300 ms on a half-speed node are 50 and 150 ms of work", () => {
    // Predicted 100 ms of work, 200 ms of wall time at speed 0.5: from 10700 it ends by the shadow
    // time 11000. Taking wall times as work (200 ms, 400 ms of wall time) it would not.
    const { h } = withHistory("easy++", 0.5)
    const job = h.submit([4, 0, 0], 10_700, 5000, { owner: "u" })
    expect(h.flush(10_700)).toEqual([job])
  })

  it("predicts the requested time for a user without history, whatever the job's true work", () => {
    const { h } = withHistory("easy++")
    // True work 1 ms, but nothing this user ran has finished: 5 s would delay the head.
    h.submit([4, 0, 0], 10_020, 5000, { owner: "newcomer", workMs: 1 })
    expect(h.flush(10_020)).toEqual([])
  })

  it("never predicts above the requested time", () => {
    // u's history says 200 ms; this job requests 50 ms, so from 10900 it ends by 11000.
    const { h } = withHistory("easy++")
    const job = h.submit([4, 0, 0], 10_900, 50, { owner: "u" })
    expect(h.flush(10_900)).toEqual([job])
  })

  it("tries backfill candidates shortest prediction first (SJBF); easy tries them in arrival order", () => {
    for (const [policy, first] of [["easy++", 1], ["easy", 0]] as const) {
      const { h } = withHistory(policy)
      // Only one 4-vCPU job fits. The earlier one requests 900 ms (no history: predicted 900),
      // the later one requests 990 ms but its user's jobs ran 200 ms.
      const jobs = [h.submit([4, 0, 0], 10_020, 900, { owner: "v" }), h.submit([4, 0, 0], 10_021, 990, { owner: "u" })]
      expect(h.flush(10_030), policy).toEqual([jobs[first]])
    }
  })

  it("raises a running job's prediction to its requested time once it outlives it", () => {
    const h = harness("easy++", [[10, 0, 0]])
    for (const wallMs of [100, 300]) {
      const t = h.coordinator.jobs.count * 1000
      const job = h.submit([1, 0, 0], t, 10_000, { owner: "u" })
      h.flush(t)
      h.start(job, t)
      h.finish(job, t + wallMs)
    }
    // u's 6-vCPU job is predicted 200 ms but requests 1000 ms; at t = 10500 it has outlived the
    // prediction, so the head's reservation moves to 11000 and a 400 ms job ending at 10900 fits before it.
    const running = h.submit([6, 0, 0], 10_000, 1000, { owner: "u" })
    h.flush(10_000)
    h.start(running, 10_000)
    h.submit([10, 0, 0], 10_010, 500, { owner: "other" })
    expect(h.flush(10_010)).toEqual([])
    const fitsBefore = h.submit([4, 0, 0], 10_500, 400, { owner: "w" })
    const tooLong = h.submit([4, 0, 0], 10_500, 600, { owner: "w2" })
    expect(h.flush(10_500)).toEqual([fitsBefore])
    expect(h.coordinator.status(tooLong)).toBe("queued")
  })
})
