import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { defaultCoordinatorConfig } from "../../core/coordinator/Coordinator.ts"
import type { JobId, NodeId, RegionId, UserId } from "../../core/domain/ids.ts"
import { defaultEconomySettings } from "../../core/economy/settings.ts"
import { ClusterMachine } from "./ClusterMachine.ts"
import { type CoordinatorInput, decodeInput, encodeInput } from "./inputs.ts"

const settings = { policy: "easy", seed: 7, config: { ...defaultCoordinatorConfig, heartbeatTimeoutMs: 1000 }, economy: defaultEconomySettings }
const spec = (id: number) => ({ id: id as NodeId, resources: { vcpus: 2, memoryMiB: 1024, diskMiB: 1024 }, speed: 1, region: "local" as RegionId, askingPrice: 1 })
const request = (owner: string, vcpus: number) => ({
  owner: owner as UserId, resources: { vcpus, memoryMiB: 256, diskMiB: 64 }, requestedTimeMs: 60_000, workMs: 60_000,
  image: "busybox", command: ["true"], replication: 1,
  io: { env: {}, inputs: [], output: { bucket: `${owner}-outputs`, prefix: "job-0/" }, network: false }
})

/** A random but well-formed life of a 2-node cluster: submissions, cancels, agent reports, ticks. */
const inputs = fc.array(
  fc.oneof(
    fc.record({ owner: fc.constantFrom("alice", "bob"), vcpus: fc.integer({ min: 1, max: 3 }), byOrg: fc.boolean() }).map(({ owner, vcpus, byOrg }): CoordinatorInput =>
      ({ _tag: "Submit", request: { ...request(owner, vcpus), ...(byOrg ? { payer: "org.acme" as UserId } : {}) } })),
    fc.constantFrom("alice", "org.acme").map((borrower): CoordinatorInput => ({ _tag: "Fund", borrower: borrower as UserId })),
    fc.record({ borrower: fc.constantFrom("bob", "org.acme"), micro: fc.integer({ min: 1, max: 5_000_000 }), key: fc.constantFrom("a", "b", "c") })
      .map(({ borrower, micro, key }): CoordinatorInput => ({ _tag: "TopUp", borrower: borrower as UserId, microCredits: micro, key })),
    fc.nat(12).map((job): CoordinatorInput => ({ _tag: "Cancel", job: job as JobId })),
    fc.record({ node: fc.nat(1), job: fc.nat(12), attempt: fc.nat(2), ok: fc.boolean() }).map(({ node, job, attempt, ok }): CoordinatorInput => ({
      _tag: "FromAgent",
      message: { _tag: "JobFinished", nodeId: node as NodeId, jobId: job as JobId, attempt, outcome: ok ? "succeeded" : "failed", usage: { cpuMs: 1000, wallMs: 1000, memoryMiBMax: 100 } }
    })),
    fc.nat(1).map((node): CoordinatorInput => ({ _tag: "FromAgent", message: { _tag: "Heartbeat", nodeId: node as NodeId, session: 1, running: [] } })),
    fc.constant<CoordinatorInput>({ _tag: "Tick", intervalMs: 500 })
  ),
  { maxLength: 60 }
)

const opening: ReadonlyArray<CoordinatorInput> = [
  { _tag: "Enroll", spec: spec(0) },
  { _tag: "FromAgent", message: { _tag: "Register", node: spec(0), session: 1 } },
  { _tag: "Enroll", spec: spec(1) },
  { _tag: "FromAgent", message: { _tag: "Register", node: spec(1), session: 1 } }
]

const snapshot = (m: ClusterMachine) => ({
  head: m.book.head,
  balances: m.book.balances(),
  statuses: Array.from({ length: m.coordinator.jobs.count }, (_, i) => m.coordinator.status(i)),
  online: Array.from(m.coordinator.cluster.online.subarray(0, m.coordinator.cluster.count))
})

describe("ClusterMachine", () => {
  it.each(["easy", "ai"])("replaying its logged inputs (encoded and decoded as the log stores them) rebuilds the same jobs, nodes and ledger (%s)", (policy) => {
    const settings_ = { ...settings, policy }
    fc.assert(fc.property(inputs, (rest) => {
      const log = [...opening, ...rest].map((input, i) => ({ atMs: i * 300, body: encodeInput(input) }))
      const live = new ClusterMachine(settings_)
      for (const { atMs, body } of log) live.apply(decodeInput(body).pipe((e) => (e._tag === "Right" ? e.right : fail(e.left))), atMs)
      const replayed = new ClusterMachine(settings_)
      for (const { atMs, body } of log) replayed.apply(decodeInput(body).pipe((e) => (e._tag === "Right" ? e.right : fail(e.left))), atMs)
      expect(snapshot(replayed)).toEqual(snapshot(live))
      expect(live.book.issued).toBe(live.book.balances().filter(([a]) => a !== "issuance").reduce((s, [, b]) => s + b, 0))
    }), { numRuns: 60 })
  })

  it("a submission is held in escrow, queued, placed and assigned to a registered node", () => {
    const m = new ClusterMachine(settings)
    for (const input of opening) m.apply(input, 0)
    const out = m.apply({ _tag: "Submit", request: request("alice", 1) }, 10)
    expect(out.result).toEqual({ _tag: "Submitted", job: 0 })
    expect(out.transitions.map((t) => t.to)).toEqual(["queued", "placed"])
    expect(out.sends.map(([node, msg]) => [node, msg._tag])).toEqual([[0, "Assign"]])
    expect(out.entries.map((e) => e.kind)).toEqual(["grant", "hold"])
  })

  it("a job with a payer is held from the payer's account, and a sign-up grant is given once however often asked", () => {
    const m = new ClusterMachine(settings)
    for (const input of opening) m.apply(input, 0)
    const funded = m.apply({ _tag: "Fund", borrower: "org.acme" as UserId }, 1)
    expect(funded.entries.map((e) => e.kind)).toEqual(["grant"])
    expect(m.apply({ _tag: "Fund", borrower: "org.acme" as UserId }, 2).entries).toEqual([])
    const granted = m.book.balance("user:org.acme" as never)
    const out = m.apply({ _tag: "Submit", request: { ...request("alice", 1), payer: "org.acme" as UserId } }, 10)
    expect(out.entries.map((e) => e.kind)).toEqual(["hold"])
    expect(m.book.balance("user:alice" as never)).toBe(0)
    expect(m.book.balance("user:org.acme" as never)).toBeLessThan(granted)
    expect(m.coordinator.specOf(0).payer).toBe("org.acme")
  })

  it("a top-up is credited once per purchase key", () => {
    const m = new ClusterMachine(settings)
    const before = () => m.book.balance("user:bob" as never)
    m.apply({ _tag: "Fund", borrower: "bob" as UserId }, 0)
    const granted = before()
    m.apply({ _tag: "TopUp", borrower: "bob" as UserId, microCredits: 2_000_000, key: "p1" }, 1)
    expect(m.apply({ _tag: "TopUp", borrower: "bob" as UserId, microCredits: 2_000_000, key: "p1" }, 2).result._tag).toBe("Done")
    const reused = m.apply({ _tag: "TopUp", borrower: "bob" as UserId, microCredits: 3_000_000, key: "p1" }, 3).result
    expect(reused._tag === "Refused" && reused.error._tag).toBe("IdempotencyConflict")
    expect(before()).toBe(granted + 2_000_000)
    expect(m.book.entries.map((e) => e.kind)).toEqual(["grant", "top-up"])
  })

  it("a job larger than every node is refused and nothing is held", () => {
    const m = new ClusterMachine(settings)
    for (const input of opening) m.apply(input, 0)
    const out = m.apply({ _tag: "Submit", request: request("alice", 16) }, 10)
    expect(out.result._tag).toBe("Refused")
    expect(out.entries).toEqual([])
  })
})

const fail = (e: unknown): never => {
  throw e
}
