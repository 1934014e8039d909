import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import type { JobId, NodeId } from "../domain/ids.ts"
import { canTransition, isTerminal, type JobStatus } from "../domain/lifecycle.ts"
import type { AgentMessage, CoordinatorMessage } from "../domain/messages.ts"
import { Prng } from "../random/prng.ts"
import { makePolicy, type PolicyName, policyNames } from "../scheduler/policies.ts"
import { alwaysAvailable } from "../scheduler/ai/testing.ts"
import { type Caps, jobRequest, nodeSpec } from "../testing/fixtures.ts"
import { Coordinator, type CoordinatorConfig, type JobRequest } from "./Coordinator.ts"

// ---- harness

const request = (caps: Caps, requestedTimeMs = 1000): JobRequest => jobRequest(caps, requestedTimeMs, requestedTimeMs / 2, "alice")

interface Transition {
  readonly job: number
  readonly from: JobStatus
  readonly to: JobStatus
  readonly node: number
  readonly now: number
}



const usage = { cpuMs: 1, wallMs: 40, memoryMiBMax: 64 }

const make = (
  nodes: ReadonlyArray<Caps>,
  config: Partial<CoordinatorConfig> = {},
  policy: PolicyName = "fcfs"
) => {
  const sent: Array<{ node: number; message: CoordinatorMessage }> = []
  const transitions: Array<Transition> = []
  const p = makePolicy(policy, Prng.fromSeed(1), alwaysAvailable)
  if (Either.isLeft(p)) throw p.left
  const c = new Coordinator(p.right, {
    send: (node, message) => sent.push({ node, message }),
    transition: (job, from, to, node, now) => transitions.push({ job, from, to, node, now })
  }, { heartbeatTimeoutMs: 1000, maxRetries: 10, scanDepth: 256, ...config })
  const specs = nodes.map((caps, i) => nodeSpec(i, caps))
  for (const s of specs) expect(Either.isRight(c.enrollNode(s))).toBe(true)
  let read = 0
  /** Messages sent since the last call. */
  const outbox = () => {
    const out = sent.slice(read)
    read = sent.length
    return out
  }
  const ok = (r: Either.Either<unknown, unknown>) => {
    if (Either.isLeft(r)) throw new Error(`unexpected error ${JSON.stringify(r.left)}`)
  }
  const register = (node: number, session: number, now: number) =>
    ok(c.receive({ _tag: "Register", node: specs[node]!, session }, now))
  const submit = (caps: Caps, now: number): number => {
    const r = c.submit(request(caps), now)
    if (Either.isLeft(r)) throw r.left
    return r.right
  }
  const msg = {
    started: (node: number, job: number, attempt: number): AgentMessage => ({
      _tag: "JobStarted", nodeId: node as NodeId, jobId: job as JobId, attempt
    }),
    finished: (node: number, job: number, attempt: number, outcome: "succeeded" | "failed" = "succeeded"): AgentMessage => ({
      _tag: "JobFinished", nodeId: node as NodeId, jobId: job as JobId, attempt, outcome, usage
    }),
    rejected: (node: number, job: number, attempt: number): AgentMessage => ({
      _tag: "JobRejected", nodeId: node as NodeId, jobId: job as JobId, attempt, reason: "no room"
    }),
    heartbeat: (
      node: number,
      session: number,
      running: ReadonlyArray<readonly [job: number, attempt: number]> = []
    ): AgentMessage => ({
      _tag: "Heartbeat",
      nodeId: node as NodeId,
      session,
      running: running.map(([job, attempt]) => ({ jobId: job as JobId, attempt }))
    })
  }
  const historyOf = (job: number) => transitions.filter((t) => t.job === job).map((t) => `${t.from}->${t.to}`)
  return { c, specs, sent, transitions, outbox, register, submit, msg, ok, historyOf }
}

/** One registered node (4 vCPUs unless given) with one job (2 vCPUs unless given) placed on it at time 0, attempt 0. */
const placedOnOneNode = (config: Partial<CoordinatorConfig> = {}, node: Caps = [4, 0, 0], job: Caps = [2, 0, 0]) => {
  const h = make([node], config)
  h.register(0, 1, 0)
  const id = h.submit(job, 0)
  h.c.flush(0)
  return { h, job: id }
}

const assignsIn = (out: ReadonlyArray<{ node: number; message: CoordinatorMessage }>) =>
  out.flatMap(({ node, message }) =>
    message._tag === "Assign" ? [{ node, job: message.job.id as number, attempt: message.attempt, session: message.session }] : []
  )

// ---- the lifecycle through messages

describe("job lifecycle through messages", () => {
  it("submit -> placed (Assign) -> JobStarted -> running -> JobFinished succeeded, resources released", () => {
    const h = make([[4, 4096, 1000]])
    h.register(0, 1, 0)
    expect(h.outbox()).toEqual([{ node: 0, message: { _tag: "Registered", nodeId: 0, session: 1 } }])
    expect(h.c.cluster.onlineNodes).toBe(1)

    const job = h.submit([2, 1024, 100], 10)
    expect(job).toBe(0)
    expect(h.c.status(job)).toBe("queued")
    expect(h.c.jobs.submitMs[job]).toBe(10)
    expect(h.c.queue.length).toBe(1)

    h.c.flush(20)
    const out = h.outbox()
    expect(out).toHaveLength(1)
    expect(out[0]!.node).toBe(0)
    expect(out[0]!.message).toEqual({ _tag: "Assign", job: { ...request([2, 1024, 100]), id: job }, attempt: 0, session: 1 })
    expect(h.c.status(job)).toBe("placed")
    expect(h.c.queue.length).toBe(0)
    expect(h.c.jobsOn(0)).toEqual([job])
    expect([h.c.cluster.freeCpu[0], h.c.cluster.freeMem[0], h.c.cluster.freeDisk[0]]).toEqual([2, 3072, 900])
    expect(h.c.cluster.allocatedCpu).toBe(2)

    h.ok(h.c.receive(h.msg.started(0, job, 0), 25))
    expect(h.c.status(job)).toBe("running")
    expect(h.c.jobs.startMs[job]).toBe(25)

    h.ok(h.c.receive(h.msg.finished(0, job, 0), 100))
    expect(h.c.status(job)).toBe("succeeded")
    expect(h.c.jobs.endMs[job]).toBe(100)
    expect(h.c.jobsOn(0)).toEqual([])
    expect([h.c.cluster.freeCpu[0], h.c.cluster.freeMem[0], h.c.cluster.freeDisk[0]]).toEqual([4, 4096, 1000])
    expect(h.c.cluster.allocatedCpu).toBe(0)

    expect(h.transitions).toEqual([
      { job, from: "queued", to: "queued", node: -1, now: 10 },
      { job, from: "queued", to: "placed", node: 0, now: 20 },
      { job, from: "placed", to: "running", node: 0, now: 25 },
      { job, from: "running", to: "succeeded", node: 0, now: 100 }
    ])
    expect(h.c.userOf(job)).toBe("alice")
    expect(h.c.specOf(job)).toEqual({ ...request([2, 1024, 100]), id: job })
  })

  it("a failed run ends in failed and releases its resources", () => {
    const { h, job } = placedOnOneNode({}, [4, 4096, 1000], [4, 0, 0])
    h.ok(h.c.receive(h.msg.started(0, job, 0), 1))
    h.ok(h.c.receive(h.msg.finished(0, job, 0, "failed"), 2))
    expect(h.c.status(job)).toBe("failed")
    expect(h.c.cluster.freeCpu[0]).toBe(4)
    expect(h.historyOf(job)).toEqual(["queued->queued", "queued->placed", "placed->running", "running->failed"])
  })

  it("JobFinished without a JobStarted records the start it never heard of", () => {
    const { h, job } = placedOnOneNode({}, [4, 4096, 1000], [1, 0, 0])
    h.ok(h.c.receive(h.msg.finished(0, job, 0), 100))
    expect(h.c.status(job)).toBe("succeeded")
    expect(h.c.jobs.startMs[job]).toBe(100 - usage.wallMs)
    expect(h.historyOf(job)).toEqual(["queued->queued", "queued->placed", "placed->running", "running->succeeded"])
  })

  it("a duplicate JobStarted is harmless and keeps the first start time", () => {
    const { h, job } = placedOnOneNode({}, [4, 4096, 1000], [1, 0, 0])
    h.ok(h.c.receive(h.msg.started(0, job, 0), 5))
    h.ok(h.c.receive(h.msg.started(0, job, 0), 9))
    expect(h.c.jobs.startMs[job]).toBe(5)
    expect(h.historyOf(job)).toEqual(["queued->queued", "queued->placed", "placed->running"])
  })

  it("JobRejected puts the job back in the queue and it is re-placed with the next attempt", () => {
    const h = make([[4, 0, 0], [4, 0, 0]])
    h.register(0, 1, 0)
    h.register(1, 1, 0)
    h.outbox()
    const job = h.submit([3, 0, 0], 0)
    h.c.flush(0)
    expect(assignsIn(h.outbox())).toEqual([{ node: 0, job, attempt: 0, session: 1 }])
    h.ok(h.c.receive(h.msg.rejected(0, job, 0), 5))
    expect(h.c.status(job)).toBe("queued")
    expect(h.c.jobs.rejections[job]).toBe(1)
    expect(h.c.cluster.freeCpu[0]).toBe(4)
    h.c.flush(5)
    expect(assignsIn(h.outbox())).toEqual([{ node: 0, job, attempt: 1, session: 1 }])
    expect(h.historyOf(job)).toEqual(["queued->queued", "queued->placed", "placed->queued", "queued->placed"])
  })

  it("a requeued job keeps its place in submit order", () => {
    const h = make([[2, 0, 0]])
    h.register(0, 1, 0)
    const a = h.submit([2, 0, 0], 0)
    h.c.flush(0)
    const b = h.submit([2, 0, 0], 10)
    const c = h.submit([1, 0, 0], 20)
    h.outbox()
    h.ok(h.c.receive(h.msg.rejected(0, a, 0), 30))
    h.c.flush(30)
    expect(assignsIn(h.outbox()).map((x) => x.job)).toEqual([a]) // a first (submitted at 0), then b blocks c
    expect(h.c.status(b)).toBe("queued")
    expect(h.c.status(c)).toBe("queued")
  })
})

// ---- node failure

describe("heartbeat timeouts", () => {
  it("a silent node is declared offline after heartbeatTimeoutMs and its jobs are requeued, then lost", () => {
    const h = make([[4, 0, 0], [4, 0, 0]], { heartbeatTimeoutMs: 1000, maxRetries: 1 })
    h.register(0, 1, 0)
    const job = h.submit([2, 0, 0], 0)
    h.c.flush(0)
    expect(assignsIn(h.outbox())).toEqual([{ node: 0, job, attempt: 0, session: 1 }])
    h.ok(h.c.receive(h.msg.started(0, job, 0), 100))
    h.ok(h.c.receive(h.msg.heartbeat(0, 1, [[job, 0]]), 500))

    h.c.tick(1500) // exactly the timeout: still alive
    expect(h.c.cluster.online[0]).toBe(1)
    expect(h.c.status(job)).toBe("running")

    h.c.tick(1501)
    expect(h.c.cluster.online[0]).toBe(0)
    expect(h.c.cluster.onlineNodes).toBe(0)
    expect(h.c.status(job)).toBe("queued")
    expect(h.c.jobsOn(0)).toEqual([])
    expect(h.c.cluster.freeCpu[0]).toBe(4)
    expect(h.c.jobs.lostCpuMs[job]).toBe((1501 - 100) * 2)
    expect(h.c.jobs.retries[job]).toBe(1)

    // Nowhere to go until another node registers.
    h.c.flush(1501)
    expect(assignsIn(h.outbox())).toEqual([])
    h.register(1, 1, 1600)
    h.c.flush(1600)
    expect(assignsIn(h.outbox())).toEqual([{ node: 1, job, attempt: 1, session: 1 }])

    // The second node goes silent too: retries are used up, the job is lost.
    h.c.tick(2601)
    expect(h.c.status(job)).toBe("lost")
    expect(h.c.jobs.endMs[job]).toBe(2601)
    expect(h.c.cluster.freeCpu[1]).toBe(4)
    expect(h.historyOf(job)).toEqual([
      "queued->queued",
      "queued->placed",
      "placed->running",
      "running->queued",
      "queued->placed",
      "placed->lost"
    ])
  })

  it("after resume (a coordinator restart) silence is counted from the resume time", () => {
    const { h, job } = placedOnOneNode()
    h.c.resume(5000) // down from 0 to 5000: without resume the next tick would time node 0 out
    h.c.tick(5500)
    expect(h.c.cluster.online[0]).toBe(1)
    expect(h.c.status(job)).toBe("placed")
    h.c.tick(6001)
    expect(h.c.cluster.online[0]).toBe(0)
    expect(h.c.status(job)).toBe("queued")
  })

  it("with maxRetries 0 a job is lost with its first node", () => {
    const { h, job } = placedOnOneNode({ maxRetries: 0 })
    h.c.tick(1001)
    expect(h.c.status(job)).toBe("lost")
  })

  it("any message from a node counts as a sign of life", () => {
    const { h, job } = placedOnOneNode()
    h.ok(h.c.receive(h.msg.started(0, job, 0), 900))
    h.c.tick(1800)
    expect(h.c.cluster.online[0]).toBe(1)
    h.c.tick(1901)
    expect(h.c.cluster.online[0]).toBe(0)
  })

  it("a node that never registered is not timed out (it was never online)", () => {
    const h = make([[4, 0, 0]])
    h.c.tick(1e9)
    expect(h.c.cluster.online[0]).toBe(0)
    expect(h.transitions).toEqual([])
  })

  it("a Heartbeat from a timed-out node gets ResetAgent; re-registering brings it back", () => {
    const h = make([[4, 0, 0]])
    h.register(0, 1, 0)
    h.outbox()
    h.c.tick(1001)
    h.ok(h.c.receive(h.msg.heartbeat(0, 1), 1002))
    expect(h.outbox()).toEqual([{ node: 0, message: { _tag: "ResetAgent", nodeId: 0 } }])
    expect(h.c.cluster.online[0]).toBe(0)
    h.register(0, 2, 1003)
    expect(h.c.cluster.online[0]).toBe(1)
    h.ok(h.c.receive(h.msg.heartbeat(0, 2), 1004))
    expect(h.outbox()).toEqual([{ node: 0, message: { _tag: "Registered", nodeId: 0, session: 2 } }])
  })

  it("remembers when each node was last heard from", () => {
    const h = make([[4, 0, 0], [4, 0, 0]])
    expect([h.c.lastSeen(0), h.c.lastSeen(1)]).toEqual([null, null])
    h.register(0, 1, 10)
    h.ok(h.c.receive(h.msg.heartbeat(0, 1), 250))
    expect([h.c.lastSeen(0), h.c.lastSeen(1)]).toEqual([250, null])
  })

  it("a Heartbeat from an old session, or before any Register, gets ResetAgent", () => {
    const h = make([[4, 0, 0], [4, 0, 0]])
    h.ok(h.c.receive(h.msg.heartbeat(1, 0), 0))
    expect(h.outbox()).toEqual([{ node: 1, message: { _tag: "ResetAgent", nodeId: 1 } }])
    h.register(0, 3, 0)
    h.outbox()
    h.ok(h.c.receive(h.msg.heartbeat(0, 2), 1))
    expect(h.outbox()).toEqual([{ node: 0, message: { _tag: "ResetAgent", nodeId: 0 } }])
    h.ok(h.c.receive(h.msg.heartbeat(0, 3), 2))
    expect(h.outbox()).toEqual([])
  })
})

describe("live job I/O", () => {
  it("a job's io (env, inputs, output, network) reaches its agent in the Assign", () => {
    const h = make([[4, 0, 0]])
    h.register(0, 1, 0)
    const io = { env: { A: "1" }, inputs: [{ bucket: "data", key: "in.csv", path: "in.csv" }], output: { bucket: "outputs", prefix: "job-0/" }, network: false }
    const r = h.c.submit({ ...request([1, 0, 0]), io }, 0)
    expect(Either.isRight(r)).toBe(true)
    h.c.flush(0)
    const assign = h.outbox().find((o) => o.message._tag === "Assign")!.message
    expect(assign._tag === "Assign" && assign.job.io).toEqual(io)
    // A job without io gets none.
    h.submit([1, 0, 0], 1)
    h.c.flush(1)
    const second = h.outbox().find((o) => o.message._tag === "Assign")!.message
    expect(second._tag === "Assign" && second.job.io).toBeUndefined()
  })
})

describe("heartbeat reconciliation", () => {
  it("a heartbeat that reports a placed attempt records the start that was never heard of", () => {
    const { h, job } = placedOnOneNode()
    h.ok(h.c.receive(h.msg.heartbeat(0, 1, [[job, 0]]), 50))
    expect(h.c.status(job)).toBe("running")
    expect(h.c.jobs.startMs[job]).toBe(50)
    expect(h.historyOf(job)).toEqual(["queued->queued", "queued->placed", "placed->running"])
  })

  it("an attempt the agent does not report for a whole timeout is lost and retried", () => {
    const { h, job } = placedOnOneNode({ heartbeatTimeoutMs: 1000 })
    h.outbox()
    h.ok(h.c.receive(h.msg.heartbeat(0, 1), 100)) // the Assign went missing: not reported
    h.ok(h.c.receive(h.msg.heartbeat(0, 1), 600))
    h.ok(h.c.receive(h.msg.heartbeat(0, 1), 1099))
    expect(h.c.status(job)).toBe("placed")
    h.ok(h.c.receive(h.msg.heartbeat(0, 1), 1100))
    expect(h.c.status(job)).toBe("queued")
    expect(h.c.cluster.freeCpu[0]).toBe(4)
    expect(h.c.jobsOn(0)).toEqual([])
    expect(h.c.jobs.retries[job]).toBe(1)
    h.c.flush(1100)
    expect(assignsIn(h.outbox())).toEqual([{ node: 0, job, attempt: 1, session: 1 }])
  })

  it("reporting the attempt again resets the missing clock", () => {
    const { h, job } = placedOnOneNode({ heartbeatTimeoutMs: 1000 })
    h.ok(h.c.receive(h.msg.heartbeat(0, 1), 100))
    h.ok(h.c.receive(h.msg.heartbeat(0, 1, [[job, 0]]), 600))
    h.ok(h.c.receive(h.msg.heartbeat(0, 1), 700))
    h.ok(h.c.receive(h.msg.heartbeat(0, 1), 1200)) // missing since 700 only
    expect(h.c.status(job)).toBe("running")
    h.ok(h.c.receive(h.msg.heartbeat(0, 1), 1700))
    expect(h.c.status(job)).toBe("queued")
  })

  it("an attempt the agent runs that the coordinator no longer tracks is cancelled", () => {
    const { h, job } = placedOnOneNode()
    h.ok(h.c.receive(h.msg.rejected(0, job, 0), 1))
    h.c.flush(1) // attempt 1 on the same node
    h.outbox()
    h.ok(h.c.receive(h.msg.heartbeat(0, 1, [[job, 0], [job, 1], [77, 3]]), 10))
    expect(h.outbox()).toEqual([
      { node: 0, message: { _tag: "CancelJob", jobId: job, attempt: 0 } },
      { node: 0, message: { _tag: "CancelJob", jobId: 77, attempt: 3 } }
    ])
    expect(h.c.status(job)).toBe("running")
  })
})

describe("sessions", () => {
  it("a re-Register with a new session loses the old session's jobs", () => {
    const h = make([[4, 0, 0]])
    h.register(0, 1, 0)
    const a = h.submit([2, 0, 0], 0)
    const b = h.submit([2, 0, 0], 1)
    h.c.flush(1)
    expect(assignsIn(h.outbox()).map((x) => [x.job, x.attempt, x.session])).toEqual([[a, 0, 1], [b, 0, 1]])
    h.ok(h.c.receive(h.msg.started(0, a, 0), 2))

    h.register(0, 2, 10)
    expect(h.c.status(a)).toBe("queued")
    expect(h.c.status(b)).toBe("queued")
    expect(h.c.cluster.online[0]).toBe(1)
    expect(h.c.jobs.lostCpuMs[a]).toBe((10 - 2) * 2)
    expect(h.outbox()).toEqual([{ node: 0, message: { _tag: "Registered", nodeId: 0, session: 2 } }])

    h.c.flush(10)
    expect(assignsIn(h.outbox()).map((x) => [x.job, x.attempt, x.session])).toEqual([[a, 1, 2], [b, 1, 2]])
    expect(h.historyOf(a)).toEqual(["queued->queued", "queued->placed", "placed->running", "running->queued", "queued->placed"])
    expect(h.historyOf(b)).toEqual(["queued->queued", "queued->placed", "placed->queued", "queued->placed"])
  })

  it("a duplicate Register with the same session keeps the jobs", () => {
    const h = make([[4, 0, 0]])
    h.register(0, 1, 0)
    const a = h.submit([2, 0, 0], 0)
    h.c.flush(0)
    h.register(0, 1, 5)
    expect(h.c.status(a)).toBe("placed")
    expect(h.c.cluster.freeCpu[0]).toBe(2)
  })

  it("stale messages about an old attempt are ignored without error", () => {
    const h = make([[4, 0, 0], [4, 0, 0]])
    h.register(0, 1, 0)
    const job = h.submit([2, 0, 0], 0)
    h.c.flush(0)
    h.register(0, 2, 10) // attempt 0 is lost with session 1
    h.c.flush(10) // attempt 1 on the new session
    expect(assignsIn(h.outbox()).map((x) => x.attempt)).toEqual([0, 1])
    const before = h.transitions.length
    for (const m of [h.msg.started(0, job, 0), h.msg.finished(0, job, 0, "failed"), h.msg.rejected(0, job, 0)]) {
      expect(h.c.receive(m, 20)).toEqual(Either.right(undefined))
    }
    expect(h.c.status(job)).toBe("placed")
    expect(h.c.cluster.freeCpu[0]).toBe(2)
    // The right attempt reported by the wrong (but known) node, and a job nobody knows.
    h.register(1, 1, 20)
    expect(h.c.receive(h.msg.finished(1, job, 1), 21)).toEqual(Either.right(undefined))
    expect(h.c.receive(h.msg.started(0, 999, 0), 21)).toEqual(Either.right(undefined))
    expect(h.c.receive(h.msg.finished(0, job, 7), 21)).toEqual(Either.right(undefined))
    expect(h.transitions.length).toBe(before)
    expect(h.c.status(job)).toBe("placed")
    // The current attempt still completes normally.
    h.ok(h.c.receive(h.msg.finished(0, job, 1), 30))
    expect(h.c.status(job)).toBe("succeeded")
    // ... and a late duplicate of it changes nothing.
    expect(h.c.receive(h.msg.finished(0, job, 1, "failed"), 31)).toEqual(Either.right(undefined))
    expect(h.c.status(job)).toBe("succeeded")
    expect(h.c.cluster.freeCpu[0]).toBe(4)
  })
})

// ---- errors

describe("errors", () => {
  it("messages from an unknown node id give UnknownNode", () => {
    const h = make([[4, 0, 0]])
    const cases: ReadonlyArray<[AgentMessage, string]> = [
      [h.msg.heartbeat(5, 1), "Heartbeat"],
      [{ _tag: "Register", node: nodeSpec(3, [4, 0, 0]), session: 1 }, "Register"],
      [h.msg.started(7, 0, 0), "JobStarted"],
      [h.msg.finished(1, 0, 0), "JobFinished"],
      [h.msg.rejected(2, 0, 0), "JobRejected"]
    ]
    for (const [m, tag] of cases) {
      const r = h.c.receive(m, 0)
      expect(Either.isLeft(r)).toBe(true)
      if (Either.isLeft(r)) {
        expect(r.left._tag).toBe("UnknownNode")
        expect(r.left).toMatchObject({ message_: tag })
        expect(r.left.message).toMatch(new RegExp(`${tag} from unknown node`))
      }
    }
    expect(h.sent).toEqual([])
    expect(h.c.cluster.count).toBe(1)
  })

  it("a job larger than every enrolled node gives JobUnsatisfiable and is not created", () => {
    const h = make([[4, 4096, 1000], [8, 1024, 1000]])
    for (const caps of [[9, 0, 0], [1, 4097, 0], [1, 0, 1001]] as const) {
      const r = h.c.submit(request(caps), 0)
      expect(Either.isLeft(r)).toBe(true)
      if (Either.isLeft(r)) {
        expect(r.left._tag).toBe("JobUnsatisfiable")
        expect([r.left.vcpus, r.left.memoryMiB, r.left.diskMiB]).toEqual(caps)
      }
    }
    expect(h.c.jobs.count).toBe(0)
    expect(h.transitions).toEqual([])
    expect(Either.isRight(h.c.submit(request([8, 1024, 1000]), 0))).toBe(true)
  })

  it("with no node enrolled every job is unsatisfiable", () => {
    const h = make([])
    expect(Either.isLeft(h.c.submit(request([1, 0, 0]), 0))).toBe(true)
  })

  // Regression: the check once compared each resource with the largest on any node.
  it("a job that fits no single node is JobUnsatisfiable even if each dimension fits some node", () => {
    const h = make([[8, 1024, 0], [1, 65536, 0]])
    h.register(0, 1, 0)
    h.register(1, 1, 0)
    const r = h.c.submit(request([8, 65536, 0]), 0)
    expect(Either.isLeft(r)).toBe(true)
  })

  it("enrollNode with a non-dense id gives NodeNotDense", () => {
    const h = make([])
    const skip = h.c.enrollNode(nodeSpec(1, [4, 0, 0]))
    expect(Either.isLeft(skip) && skip.left).toMatchObject({ _tag: "NodeNotDense", expected: 0, got: 1 })
    expect(Either.isRight(h.c.enrollNode(nodeSpec(0, [4, 0, 0])))).toBe(true)
    const again = h.c.enrollNode(nodeSpec(0, [4, 0, 0]))
    expect(Either.isLeft(again) && again.left).toMatchObject({ _tag: "NodeNotDense", expected: 1, got: 0 })
    expect(h.c.cluster.count).toBe(1)
    expect(h.c.enrollNode(nodeSpec(1, [4, 0, 0]))).toEqual(Either.right(1))
  })
})

// ---- cancel

describe("cancel", () => {
  it("of a queued job: cancelled, out of the queue, nothing sent", () => {
    const h = make([[4, 0, 0]])
    const job = h.submit([2, 0, 0], 0)
    expect(h.c.cancel(job, 5)).toEqual(Either.right("cancelled"))
    expect(h.c.queue.length).toBe(0)
    expect(h.c.jobs.endMs[job]).toBe(5)
    expect(h.sent).toEqual([])
    expect(h.historyOf(job)).toEqual(["queued->queued", "queued->cancelled"])
    h.register(0, 1, 6)
    h.c.flush(6)
    expect(assignsIn(h.outbox())).toEqual([])
  })

  it("of placed and running jobs: CancelJob with the current attempt, resources released", () => {
    const h = make([[4, 0, 0]])
    h.register(0, 1, 0)
    const placed = h.submit([2, 0, 0], 0)
    const running = h.submit([2, 0, 0], 0)
    h.c.flush(0)
    h.ok(h.c.receive(h.msg.started(0, running, 0), 1))
    h.outbox()
    expect(h.c.cancel(placed, 2)).toEqual(Either.right("cancelled"))
    expect(h.c.cancel(running, 3)).toEqual(Either.right("cancelled"))
    expect(h.outbox()).toEqual([
      { node: 0, message: { _tag: "CancelJob", jobId: placed, attempt: 0 } },
      { node: 0, message: { _tag: "CancelJob", jobId: running, attempt: 0 } }
    ])
    expect(h.c.cluster.freeCpu[0]).toBe(4)
    expect(h.c.jobsOn(0)).toEqual([])
    expect(h.historyOf(running)).toEqual(["queued->queued", "queued->placed", "placed->running", "running->cancelled"])
    // A JobFinished racing with the cancel is stale.
    expect(h.c.receive(h.msg.finished(0, running, 0), 4)).toEqual(Either.right(undefined))
    expect(h.c.status(running)).toBe("cancelled")
  })

  it("of a retried job names the current attempt", () => {
    const { h, job } = placedOnOneNode()
    h.ok(h.c.receive(h.msg.rejected(0, job, 0), 1))
    h.c.flush(1)
    h.outbox()
    h.c.cancel(job, 2)
    expect(h.outbox()).toEqual([{ node: 0, message: { _tag: "CancelJob", jobId: job, attempt: 1 } }])
  })

  it("of a finished job changes nothing and reports its status", () => {
    const { h, job } = placedOnOneNode()
    h.ok(h.c.receive(h.msg.finished(0, job, 0), 1))
    h.outbox()
    const before = h.transitions.length
    expect(h.c.cancel(job, 2)).toEqual(Either.right("succeeded"))
    expect(h.c.cancel(job, 3)).toEqual(Either.right("succeeded"))
    expect(h.transitions.length).toBe(before)
    expect(h.outbox()).toEqual([])
  })

  it("of an unknown id gives UnknownJob", () => {
    const h = make([[4, 0, 0]])
    h.submit([1, 0, 0], 0)
    for (const id of [1, 99, -1]) {
      const r = h.c.cancel(id, 0)
      expect(Either.isLeft(r) && r.left).toMatchObject({ _tag: "UnknownJob", jobId: id })
    }
    expect(h.c.status(99)).toBeUndefined()
    expect(h.c.status(-1)).toBeUndefined()
  })

  // Regression: cancelling a queued job once skipped the next scheduling pass.
  it("cancelling the blocked head of the queue lets the next job start at the next flush", () => {
    const h = make([[4, 0, 0]], {}, "fcfs")
    h.register(0, 1, 0)
    h.submit([2, 0, 0], 0)
    h.c.flush(0)
    const head = h.submit([4, 0, 0], 1)
    const next = h.submit([1, 0, 0], 2)
    h.c.flush(2)
    h.outbox()
    expect(h.c.status(next)).toBe("queued")
    h.c.cancel(head, 3)
    h.c.flush(3)
    expect(assignsIn(h.outbox()).map((a) => a.job)).toEqual([next])
  })
})

// ---- property: every recorded history is a legal path

type Event =
  | { readonly kind: "submit"; readonly caps: Caps }
  | { readonly kind: "heartbeat"; readonly node: number; readonly stale: boolean; readonly mask: number }
  | { readonly kind: "tick"; readonly advance: number }
  | { readonly kind: "start" | "finish" | "reject"; readonly pick: number; readonly stale: boolean; readonly ok: boolean }
  | { readonly kind: "register"; readonly node: number; readonly newSession: boolean }
  | { readonly kind: "cancel"; readonly pick: number }
  | { readonly kind: "flush" }

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("submit" as const), caps: fc.tuple(fc.integer({ min: 1, max: 10 }), fc.nat(64), fc.nat(64)) }), weight: 5 },
  {
    arbitrary: fc.record({ kind: fc.constant("heartbeat" as const), node: fc.nat(), stale: fc.boolean(), mask: fc.nat() }),
    weight: 4
  },
  { arbitrary: fc.record({ kind: fc.constant("tick" as const), advance: fc.integer({ min: 0, max: 1500 }) }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom("start" as const, "finish" as const, "reject" as const),
      pick: fc.nat(),
      stale: fc.boolean(),
      ok: fc.boolean()
    }),
    weight: 6
  },
  { arbitrary: fc.record({ kind: fc.constant("register" as const), node: fc.nat(), newSession: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.integer({ min: -1, max: 200 }) }), weight: 1 },
  { arbitrary: fc.constant({ kind: "flush" as const }), weight: 4 }
)

describe("property: lifecycle histories", () => {
  it("fast-check: for random event sequences every job's transitions form a legal path, ending at most once", () => {
    let transitionsSeen = 0
    let terminalsSeen = 0
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 16, max: 64 }), fc.integer({ min: 16, max: 64 })), {
          minLength: 1,
          maxLength: 4
        }),
        fc.array(eventArb, { maxLength: 120, size: "max" }),
        fc.constantFrom(...policyNames),
        fc.integer({ min: 0, max: 3 }),
        (nodes, events, policy, maxRetries) => {
          const h = make(nodes, { heartbeatTimeoutMs: 1000, maxRetries }, policy)
          const sessions = nodes.map(() => 0)
          const attempts = new Map<number, { node: number; attempt: number }>() // latest Assign per job
          const assigned: Array<{ node: number; job: number; attempt: number }> = [] // every Assign
          let now = 0
          for (const e of events) {
            now += 1
            switch (e.kind) {
              case "submit":
                h.c.submit(request(e.caps), now)
                break
              case "heartbeat": {
                // The agent reports a subset (by the mask) of the attempts ever assigned to it,
                // current or stale, so every reconciliation path is exercised.
                const node = e.node % nodes.length
                const here = assigned.filter((a) => a.node === node)
                const running = here.filter((_, i) => i < 30 && (e.mask >> i) & 1).map((a) => [a.job, a.attempt] as const)
                const unique = running.filter((r, i) => running.findIndex((q) => q[0] === r[0]) === i)
                h.ok(h.c.receive(h.msg.heartbeat(node, sessions[node]! - (e.stale ? 1 : 0), unique), now))
                break
              }
              case "tick":
                now += e.advance
                h.c.tick(now)
                break
              case "start":
              case "finish":
              case "reject": {
                const list = [...attempts.entries()]
                if (list.length === 0) break
                const [job, a] = list[e.pick % list.length]!
                const attempt = e.stale && a.attempt > 0 ? a.attempt - 1 : a.attempt
                const m = e.kind === "start"
                  ? h.msg.started(a.node, job, attempt)
                  : e.kind === "finish"
                  ? h.msg.finished(a.node, job, attempt, e.ok ? "succeeded" : "failed")
                  : h.msg.rejected(a.node, job, attempt)
                h.ok(h.c.receive(m, now))
                break
              }
              case "register": {
                const node = e.node % nodes.length
                if (e.newSession || sessions[node] === 0) sessions[node]!++
                h.register(node, sessions[node]!, now)
                break
              }
              case "cancel":
                h.c.cancel(e.pick, now)
                break
              case "flush":
                h.c.flush(now)
                break
            }
            for (const a of assignsIn(h.outbox())) {
              attempts.set(a.job, { node: a.node, attempt: a.attempt })
              assigned.push(a)
            }
          }
          // Check every job's history.
          const byJob = new Map<number, Array<Transition>>()
          for (const t of h.transitions) byJob.set(t.job, [...(byJob.get(t.job) ?? []), t])
          expect(byJob.size).toBe(h.c.jobs.count)
          for (const [job, ts] of byJob) {
            expect([ts[0]!.from, ts[0]!.to]).toEqual(["queued", "queued"]) // creation
            let state: JobStatus = "queued"
            let terminal = 0
            for (const t of ts.slice(1)) {
              transitionsSeen++
              expect(t.from).toBe(state)
              expect(canTransition(t.from, t.to)).toBe(true)
              state = t.to
              if (isTerminal(t.to)) terminal++
            }
            expect(terminal).toBeLessThanOrEqual(1)
            terminalsSeen += terminal
            expect(h.c.status(job)).toBe(state)
          }
          // Resource accounting: every node's free capacity is its capacity minus its jobs.
          for (let n = 0; n < nodes.length; n++) {
            const jobs = h.c.jobsOn(n)
            for (const j of jobs) expect(["placed", "running"]).toContain(h.c.status(j))
            const usedCpu = jobs.reduce((s, j) => s + h.c.jobs.cpu[j]!, 0)
            expect(h.c.cluster.freeCpu[n]).toBe(nodes[n]![0] - usedCpu)
            expect(h.c.cluster.freeCpu[n]).toBeGreaterThanOrEqual(0)
          }
        }
      ),
      { numRuns: 300 }
    )
    expect(transitionsSeen).toBeGreaterThan(1000)
    expect(terminalsSeen).toBeGreaterThan(100)
  })
})
