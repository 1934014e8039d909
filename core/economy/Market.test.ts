import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { jobRequest } from "../testing/fixtures.ts"
import { marketHarness } from "./testing.ts"

const hour = 3_600_000

describe("market: escrow around the coordinator", () => {
  it("holds the maximum cost at submission, pays lender and platform for metered use, refunds the rest", () => {
    const h = marketHarness([{ caps: [4, 8192, 1000], askingPrice: 2 }], { grantPerBorrower: 100, platformFeeRate: 0.1 })
    const r = h.submit(jobRequest([2, 0, 0], hour), 0)
    expect(Either.isRight(r)).toBe(true)
    const max = h.market.estimate(jobRequest([2, 0, 0], hour)).maxMicroCredits
    expect(h.book.balance("user:user")).toBe(100_000_000 - max)
    const [a] = h.newAssignments()
    h.finish(a!, hour / 2, hour / 2)
    // Half an hour on 2 vCPUs at 2 credits per vCPU-hour: 2 credits, 10% to the platform.
    expect(h.book.balance("lender:0")).toBe(1_800_000)
    expect(h.book.balance("platform")).toBe(200_000)
    expect(h.book.balance("user:user")).toBe(98_000_000)
    expect(h.book.openEscrows()).toEqual([])
    expect(h.conserved()).toBe(true)
  })

  it("refuses a job the borrower cannot cover: InsufficientCredits, and nothing is queued", () => {
    const h = marketHarness([{ caps: [4, 8192, 1000], askingPrice: 2 }], { grantPerBorrower: 1 })
    const r = h.submit(jobRequest([4, 0, 0], 10 * hour), 0)
    expect(Either.isLeft(r) && r.left._tag).toBe("InsufficientCredits")
    expect(h.coordinator.jobs.count).toBe(0)
    expect(h.market.totals().refusedForCredits).toBe(1)
    expect(h.conserved()).toBe(true)
  })

  it("an attempt lost with its node costs the borrower nothing; the retry is paid", () => {
    const h = marketHarness([{ caps: [1, 0, 0] }, { caps: [1, 0, 0] }], { grantPerBorrower: 100, platformFeeRate: 0 })
    Either.getOrThrow(h.submit(jobRequest([1, 0, 0], hour), 0))
    const [first] = h.newAssignments()
    h.coordinator.tick(20_000) // node 0 and 1 fall silent; the attempt is lost and requeued
    h.coordinator.receive({ _tag: "Register", node: { id: 1 as never, resources: { vcpus: 1, memoryMiB: 0, diskMiB: 0 }, speed: 1, region: "r" as never, askingPrice: 1 }, session: 2 }, 20_000)
    h.coordinator.flush(20_000)
    const [retry] = h.newAssignments()
    expect(retry!.attempt).toBe(first!.attempt + 1)
    h.finish(retry!, 20_000 + hour / 4, hour / 4)
    expect(h.book.balance("lender:0") + h.book.balance("lender:1")).toBe(250_000)
    expect(h.market.totals().borrowerSpendMicro).toBe(250_000)
    expect(h.conserved()).toBe(true)
  })

  it("a cancelled job pays for what ran", () => {
    const h = marketHarness([{ caps: [1, 0, 0] }], { grantPerBorrower: 100, platformFeeRate: 0 })
    const id = Either.getOrThrow(h.submit(jobRequest([1, 0, 0], hour), 0))
    const [a] = h.newAssignments()
    h.coordinator.receive({ _tag: "JobStarted", nodeId: a!.node as never, jobId: a!.job as never, attempt: a!.attempt }, 0)
    h.market.cancel(id, hour / 10)
    expect(h.book.balance("lender:0")).toBe(100_000)
    expect(h.book.openEscrows()).toEqual([])
    expect(h.conserved()).toBe(true)
  })

  it("a price cap no node meets is refused at submission; a minimum reputation steers placement", () => {
    const h = marketHarness([{ caps: [1, 0, 0], askingPrice: 3 }, { caps: [1, 0, 0], askingPrice: 1 }], {}, "marketplace")
    const tooCheap = h.submit({ ...jobRequest([1, 0, 0]), priceCap: 0.5 }, 0)
    expect(Either.isLeft(tooCheap) && tooCheap.left._tag).toBe("JobUnsatisfiable")
    h.coordinator.cluster.reputation[1] = 0.2
    Either.getOrThrow(h.submit({ ...jobRequest([1, 0, 0]), minReputation: 0.5 }, 0))
    expect(h.newAssignments().map((a) => a.node)).toEqual([0])
    Either.getOrThrow(h.submit(jobRequest([1, 0, 0]), 0))
    expect(h.newAssignments().map((a) => a.node)).toEqual([1]) // no terms: the cheap, distrusted node will do
  })
})

describe("market: verified results", () => {
  it("replicas run on distinct nodes; the dissenting one is not paid, loses reputation and collateral", () => {
    const h = marketHarness([{ caps: [1, 0, 0] }, { caps: [1, 0, 0] }, { caps: [1, 0, 0] }], { grantPerBorrower: 100, collateralPerLender: 10, slashFraction: 0.5, platformFeeRate: 0 })
    Either.getOrThrow(h.submit({ ...jobRequest([1, 0, 0], hour), replication: 3 }, 0))
    const replicas = h.newAssignments()
    expect(new Set(replicas.map((a) => a.node)).size).toBe(3)
    h.finish(replicas[0]!, hour / 2, hour / 2, "ok")
    h.finish(replicas[1]!, hour / 2, hour / 2, "forged")
    h.finish(replicas[2]!, hour / 2, hour / 2, "ok")
    const liar = replicas[1]!.node
    expect(h.book.balance(`lender:${liar}`)).toBe(0)
    expect(h.book.balance(`collateral:${liar}`)).toBe(5_000_000)
    for (const a of [replicas[0]!, replicas[2]!]) expect(h.book.balance(`lender:${a.node}`)).toBe(500_000)
    expect(h.market.reputation.score(liar)).toBeLessThan(h.market.reputation.score(replicas[0]!.node))
    expect(h.market.totals().collateralSlashedMicro).toBe(5_000_000)
    expect(h.book.openEscrows()).toEqual([])
    expect(h.conserved()).toBe(true)
  })

  it("with no quorum a tie-breaker replica runs on a third node", () => {
    const h = marketHarness([{ caps: [1, 0, 0] }, { caps: [1, 0, 0] }, { caps: [1, 0, 0] }], { grantPerBorrower: 100 })
    Either.getOrThrow(h.submit({ ...jobRequest([1, 0, 0], hour), replication: 2 }, 0))
    const [a, b] = h.newAssignments()
    h.finish(a!, 1000, 1000, "x")
    h.finish(b!, 1000, 1000, "y")
    const [tie] = h.newAssignments()
    expect([a!.node, b!.node]).not.toContain(tie!.node)
    h.finish(tie!, 2000, 1000, "y")
    expect(h.book.openEscrows()).toEqual([])
    expect(h.market.reputation.view(a!.node).verifiedStreak).toBe(0)
    expect(h.market.reputation.view(b!.node).verifiedStreak).toBe(1)
  })

  it("adaptive replication checks an untrusted node at once and a trusted one only on a spot check", () => {
    const h = marketHarness([{ caps: [1, 0, 0] }, { caps: [1, 0, 0] }], { grantPerBorrower: 1000, verification: { mode: "adaptive", spotCheckRate: 0, maxInstances: 4 } })
    Either.getOrThrow(h.submit(jobRequest([1, 0, 0], hour), 0))
    expect(h.newAssignments()).toHaveLength(2) // nobody is trusted yet
    for (let i = 0; i < 40; i++) {
      h.market.reputation.verificationPassed(0)
      h.market.reputation.verificationPassed(1)
    }
    h.market.cancel(0, 1)
    h.coordinator.flush(1)
    Either.getOrThrow(h.submit(jobRequest([1, 0, 0], hour), 2))
    expect(h.newAssignments()).toHaveLength(1)
  })

  it("fast-check: whatever the replicas answer, every job gets one verdict, escrow closes and credits are conserved", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ replication: fc.integer({ min: 1, max: 3 }), answers: fc.array(fc.constantFrom("ok", "bad", "worse"), { minLength: 6, maxLength: 6 }) }), { minLength: 1, maxLength: 6 }),
        (jobs) => {
          const h = marketHarness([0, 1, 2, 3, 4, 5].map(() => ({ caps: [1, 0, 0] as const })), { grantPerBorrower: 1000, collateralPerLender: 5 })
          let verdicts = 0
          h.market.listenVerdicts(() => verdicts++)
          let now = 0
          jobs.forEach((j) => Either.getOrThrow(h.submit({ ...jobRequest([1, 0, 0], hour), replication: j.replication }, now)))
          const answerOf = new Map<number, number>()
          for (let round = 0; round < 40; round++) {
            const pending = h.newAssignments()
            if (pending.length === 0 && h.coordinator.queue.length === 0) break
            for (const a of pending) {
              now += 1000
              const group = h.coordinator.jobs.group[a.job]! >= 0 ? h.coordinator.jobs.group[a.job]! : a.job
              const k = answerOf.get(group) ?? 0
              answerOf.set(group, k + 1)
              const job = jobs[Math.min(jobs.length - 1, [...answerOf.keys()].indexOf(group))]!
              if (h.coordinator.status(a.job) === "placed" || h.coordinator.status(a.job) === "running") h.finish(a, now, 500, job.answers[k % 6])
            }
          }
          expect(verdicts).toBe(jobs.length)
          expect(h.book.openEscrows()).toEqual([])
          expect(h.conserved()).toBe(true)
        }
      ),
      { numRuns: 150 }
    )
  })
})
