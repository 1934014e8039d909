import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import fc from "fast-check"
import type { JobId } from "./ids.ts"
import { JobSpec } from "./job.ts"
import {
  canTransition,
  IllegalTransition,
  isTerminal,
  JobStatus,
  statusCode,
  statusCodes,
  terminalStatuses,
  transition
} from "./lifecycle.ts"
import { AgentMessage, CoordinatorMessage } from "./messages.ts"
import { NodeSpec } from "./node.ts"

const all: ReadonlyArray<JobStatus> = ["queued", "placed", "running", "succeeded", "failed", "cancelled", "lost"]

// The lifecycle as documented, written out independently of the table in lifecycle.ts.
const expectedLegal: ReadonlyArray<readonly [JobStatus, JobStatus]> = [
  ["queued", "placed"],
  ["queued", "cancelled"],
  ["placed", "running"],
  ["placed", "queued"],
  ["placed", "lost"],
  ["placed", "cancelled"],
  ["running", "succeeded"],
  ["running", "failed"],
  ["running", "queued"],
  ["running", "lost"],
  ["running", "cancelled"]
]
const isExpectedLegal = (from: JobStatus, to: JobStatus) => expectedLegal.some(([f, t]) => f === from && t === to)

const job7 = 7 as JobId

describe("job lifecycle", () => {
  it("every legal transition succeeds with the target status", () => {
    for (const [from, to] of expectedLegal) {
      expect(canTransition(from, to)).toBe(true)
      expect(transition(job7, from, to)).toEqual(Either.right(to))
    }
  })

  it("every other pair is an IllegalTransition naming the job, from and to", () => {
    let illegal = 0
    for (const from of all) {
      for (const to of all) {
        if (isExpectedLegal(from, to)) continue
        illegal++
        expect(canTransition(from, to)).toBe(false)
        const result = transition(job7, from, to)
        if (Either.isRight(result)) throw new Error(`${from} -> ${to} was accepted`)
        const error = result.left
        expect(error).toBeInstanceOf(IllegalTransition)
        expect(error._tag).toBe("IllegalTransition")
        expect(error.jobId).toBe(7)
        expect(error.from).toBe(from)
        expect(error.to).toBe(to)
        expect(error.message).toBe(`job 7: illegal transition ${from} -> ${to}`)
      }
    }
    expect(illegal).toBe(all.length * all.length - expectedLegal.length)
  })

  it("self-transitions are illegal (queued -> queued included)", () => {
    for (const s of all) expect(canTransition(s, s)).toBe(false)
  })

  it("terminal states have no exits and are exactly succeeded/failed/cancelled/lost", () => {
    expect([...terminalStatuses].sort()).toEqual(["cancelled", "failed", "lost", "succeeded"])
    for (const from of all) {
      expect(isTerminal(from)).toBe(terminalStatuses.has(from))
      if (!isTerminal(from)) continue
      for (const to of all) expect(canTransition(from, to)).toBe(false)
    }
    for (const s of ["queued", "placed", "running"] as const) {
      expect(isTerminal(s)).toBe(false)
      expect(all.some((to) => canTransition(s, to))).toBe(true)
    }
  })

  it("every non-terminal state can reach a terminal state", () => {
    for (const start of all) {
      const seen = new Set<JobStatus>([start])
      const frontier = [start]
      while (frontier.length > 0) {
        const s = frontier.pop()!
        for (const t of all) if (canTransition(s, t) && !seen.has(t)) (seen.add(t), frontier.push(t))
      }
      expect([...seen].some(isTerminal)).toBe(true)
    }
  })

  it("statusCodes are dense and round-trip through statusCode", () => {
    expect(statusCodes).toHaveLength(all.length)
    expect(new Set(statusCodes)).toEqual(new Set(all))
    for (const s of all) {
      const code = statusCode(s)
      expect(Number.isInteger(code)).toBe(true)
      expect(code).toBeGreaterThanOrEqual(0)
      expect(code).toBeLessThan(256) // fits the Uint8Array job table
      expect(statusCodes[code]).toBe(s)
    }
    statusCodes.forEach((s, i) => expect(statusCode(s)).toBe(i))
  })

  it("JobStatus decodes exactly the seven literals", () => {
    for (const s of all) expect(Schema.decodeUnknownEither(JobStatus)(s)).toEqual(Either.right(s))
    expect(Either.isLeft(Schema.decodeUnknownEither(JobStatus)("done"))).toBe(true)
  })
})

// ---- Schemas

const jobSpec = {
  id: 3,
  owner: "alice",
  resources: { vcpus: 2, memoryMiB: 2048, diskMiB: 0 },
  requestedTimeMs: 60_000,
  workMs: 30_000,
  image: "python:3.12",
  command: ["python", "-c", "print(1)"],
  replication: 1
}

const nodeSpec = {
  id: 0,
  resources: { vcpus: 8, memoryMiB: 16_384, diskMiB: 100_000 },
  speed: 1.5,
  region: "eu-north",
  askingPrice: 0.02
}

const usage = { cpuMs: 10, wallMs: 12, memoryMiBMax: 256 }

const agentMessages: ReadonlyArray<unknown> = [
  { _tag: "Register", node: nodeSpec, session: 1 },
  { _tag: "Heartbeat", nodeId: 0, session: 1, running: [] },
  { _tag: "Heartbeat", nodeId: 0, session: 1, running: [{ jobId: 3, attempt: 0 }, { jobId: 4, attempt: 2 }] },
  { _tag: "JobStarted", nodeId: 0, jobId: 3, attempt: 0 },
  { _tag: "JobRejected", nodeId: 0, jobId: 3, attempt: 0, reason: "insufficient free resources" },
  { _tag: "JobFinished", nodeId: 0, jobId: 3, attempt: 2, outcome: "failed", usage }
]

const coordinatorMessages: ReadonlyArray<unknown> = [
  { _tag: "Registered", nodeId: 0, session: 1 },
  { _tag: "Assign", job: jobSpec, attempt: 0, session: 2 },
  { _tag: "CancelJob", jobId: 3, attempt: 1 },
  { _tag: "ResetAgent", nodeId: 4 }
]

const withPath = (value: unknown, path: ReadonlyArray<string>, leaf: unknown): unknown => {
  if (path.length === 0) return leaf
  const obj = value as Record<string, unknown>
  return { ...obj, [path[0]!]: withPath(obj[path[0]!], path.slice(1), leaf) }
}

describe("domain schemas", () => {
  it.effect("JobSpec and NodeSpec decode and encode back to the same value", () =>
    Effect.gen(function*() {
      const job = yield* Schema.decodeUnknown(JobSpec)(jobSpec)
      expect(job).toEqual(jobSpec)
      expect(yield* Schema.encode(JobSpec)(job)).toEqual(jobSpec)
      const node = yield* Schema.decodeUnknown(NodeSpec)(nodeSpec)
      expect(node).toEqual(nodeSpec)
      expect(yield* Schema.encode(NodeSpec)(node)).toEqual(nodeSpec)
    }))

  it.effect("every AgentMessage and CoordinatorMessage variant round-trips", () =>
    Effect.gen(function*() {
      for (const m of agentMessages) {
        const decoded = yield* Schema.decodeUnknown(AgentMessage)(m)
        expect(decoded._tag).toBe((m as { _tag: string })._tag)
        expect(yield* Schema.encode(AgentMessage)(decoded)).toEqual(m)
      }
      for (const m of coordinatorMessages) {
        const decoded = yield* Schema.decodeUnknown(CoordinatorMessage)(m)
        expect(decoded._tag).toBe((m as { _tag: string })._tag)
        expect(yield* Schema.encode(CoordinatorMessage)(decoded)).toEqual(m)
      }
    }))

  it.effect("a coordinator message is not an agent message and vice versa", () =>
    Effect.gen(function*() {
      for (const m of coordinatorMessages) yield* Effect.flip(Schema.decodeUnknown(AgentMessage)(m))
      for (const m of agentMessages) yield* Effect.flip(Schema.decodeUnknown(CoordinatorMessage)(m))
    }))

  const badJobs: ReadonlyArray<[string, unknown]> = [
    ["negative vcpus", withPath(jobSpec, ["resources", "vcpus"], -1)],
    ["zero vcpus", withPath(jobSpec, ["resources", "vcpus"], 0)],
    ["fractional vcpus", withPath(jobSpec, ["resources", "vcpus"], 1.5)],
    ["negative memory", withPath(jobSpec, ["resources", "memoryMiB"], -1)],
    ["negative id", withPath(jobSpec, ["id"], -3)],
    ["blank owner", withPath(jobSpec, ["owner"], "  ")],
    ["zero requested time", withPath(jobSpec, ["requestedTimeMs"], 0)],
    ["negative work", withPath(jobSpec, ["workMs"], -5)],
    ["replication 0", withPath(jobSpec, ["replication"], 0)],
    ["command not strings", withPath(jobSpec, ["command"], [1, 2])],
    ["missing image", (({ image: _, ...rest }) => rest)(jobSpec)]
  ]
  for (const [name, bad] of badJobs) {
    it.effect(`JobSpec rejects ${name}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Schema.decodeUnknown(JobSpec)(bad))
        expect(error._tag).toBe("ParseError")
      }))
  }

  const badNodes: ReadonlyArray<[string, unknown]> = [
    ["negative vcpus", withPath(nodeSpec, ["resources", "vcpus"], -4)],
    ["zero speed", withPath(nodeSpec, ["speed"], 0)],
    ["negative price", withPath(nodeSpec, ["askingPrice"], -0.5)],
    ["empty region", withPath(nodeSpec, ["region"], "")],
    ["fractional id", withPath(nodeSpec, ["id"], 0.5)]
  ]
  for (const [name, bad] of badNodes) {
    it(`NodeSpec rejects ${name}`, () => {
      expect(Either.isLeft(Schema.decodeUnknownEither(NodeSpec)(bad))).toBe(true)
    })
  }

  const badMessages: ReadonlyArray<[string, unknown]> = [
    ["unknown _tag", { _tag: "Hello", nodeId: 0 }],
    ["missing _tag", { nodeId: 0, session: 1 }],
    ["Register with negative vcpus", withPath(agentMessages[0], ["node", "resources", "vcpus"], -1)],
    ["Heartbeat with negative session", { _tag: "Heartbeat", nodeId: 0, session: -1, running: [] }],
    ["Heartbeat without its running list", { _tag: "Heartbeat", nodeId: 0, session: 1 }],
    ["Heartbeat with a malformed running attempt", { _tag: "Heartbeat", nodeId: 0, session: 1, running: [{ jobId: -1, attempt: 0 }] }],
    ["JobStarted with fractional attempt", { _tag: "JobStarted", nodeId: 0, jobId: 3, attempt: 0.5 }],
    ["JobFinished with unknown outcome", withPath(agentMessages[5], ["outcome"], "cancelled")],
    ["JobFinished with negative usage", withPath(agentMessages[5], ["usage", "cpuMs"], -1)],
    ["JobRejected without reason", { _tag: "JobRejected", nodeId: 0, jobId: 3, attempt: 0 }],
    ["not an object", "Heartbeat"],
    ["null", null]
  ]
  for (const [name, bad] of badMessages) {
    it.effect(`AgentMessage rejects ${name}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Schema.decodeUnknown(AgentMessage)(bad))
        expect(error._tag).toBe("ParseError")
      }))
  }

  it("CoordinatorMessage rejects an Assign with a malformed job, a negative attempt or an unknown _tag", () => {
    const decode = Schema.decodeUnknownEither(CoordinatorMessage)
    expect(Either.isLeft(decode({ _tag: "Assign", job: withPath(jobSpec, ["resources", "vcpus"], -2), attempt: 0, session: 1 }))).toBe(true)
    expect(Either.isLeft(decode({ _tag: "Assign", job: jobSpec, attempt: -1, session: 1 }))).toBe(true)
    expect(Either.isLeft(decode({ _tag: "Assign", job: jobSpec, attempt: 0 }))).toBe(true) // no session
    expect(Either.isLeft(decode({ _tag: "CancelJob", jobId: 3 }))).toBe(true)
    expect(Either.isLeft(decode({ _tag: "Shutdown", nodeId: 0 }))).toBe(true)
  })

  it("fast-check: any resources that decode have positive integer vcpus and non-negative integer memory/disk", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -5, max: 64 }), fc.double({ min: -5, max: 64, noNaN: true })),
        fc.integer({ min: -10, max: 1 << 20 }),
        fc.integer({ min: -10, max: 1 << 20 }),
        (vcpus, memoryMiB, diskMiB) => {
          const r = Schema.decodeUnknownEither(NodeSpec)(withPath(nodeSpec, ["resources"], { vcpus, memoryMiB, diskMiB }))
          const valid = Number.isInteger(vcpus) && vcpus > 0 && memoryMiB >= 0 && diskMiB >= 0
          expect(Either.isRight(r)).toBe(valid)
        }
      )
    )
  })
})
