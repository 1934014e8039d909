import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { Coordinator } from "../coordinator/Coordinator.ts"
import type { JobId, NodeId, UserId } from "../domain/ids.ts"
import type { JobSpec } from "../domain/job.ts"
import type { AgentMessage, CoordinatorMessage } from "../domain/messages.ts"
import { Prng } from "../random/prng.ts"
import { makePolicy } from "../scheduler/policies.ts"
import { type Caps, jobSpec as baseJobSpec, nodeSpec } from "../testing/fixtures.ts"
import { Agent } from "./Agent.ts"


const jobSpec = (id: number, caps: Caps): JobSpec => baseJobSpec(id, caps, "bob")

const usage = { cpuMs: 250, wallMs: 500, memoryMiBMax: 100 }

const make = (caps: Caps = [4, 4096, 1000], session?: number) => {
  const sent: Array<AgentMessage> = []
  const started: Array<[number, number]> = []
  const stopped: Array<[number, number]> = []
  const agent = new Agent(nodeSpec(3, caps), {
    send: (m) => sent.push(m),
    startSandbox: (job, attempt) => started.push([job.id, attempt]),
    stopSandbox: (job, attempt) => stopped.push([job, attempt])
  }, session)
  const assign = (id: number, c: Caps, attempt = 0, s = agent.currentSession) =>
    agent.receive({ _tag: "Assign", job: jobSpec(id, c), attempt, session: s })
  const drain = () => sent.splice(0)
  return { agent, sent, started, stopped, assign, drain }
}

describe("Agent registration", () => {
  it("registers on start with an increasing session", () => {
    const h = make()
    expect(h.agent.currentSession).toBe(0)
    h.agent.start()
    expect(h.drain()).toEqual([{ _tag: "Register", node: h.agent.spec, session: 1 }])
    h.agent.start()
    h.agent.start()
    expect(h.drain().map((m) => m._tag === "Register" && m.session)).toEqual([2, 3])
    expect(h.agent.currentSession).toBe(3)
    expect(h.agent.nodeId).toBe(3)
  })

  it("a persisted session continues from where it was", () => {
    const h = make(undefined, 41)
    h.agent.start()
    expect(h.drain()).toEqual([{ _tag: "Register", node: h.agent.spec, session: 42 }])
  })

  it("Registered is a no-op", () => {
    const h = make()
    h.agent.start()
    h.drain()
    h.agent.receive({ _tag: "Registered", nodeId: 3 as NodeId, session: 1 })
    expect(h.sent).toEqual([])
  })

  it("heartbeats carry the session and the running attempts", () => {
    const h = make()
    h.agent.start()
    h.drain()
    h.agent.heartbeat()
    expect(h.drain()).toEqual([{ _tag: "Heartbeat", nodeId: 3, session: 1, running: [] }])
    h.assign(5, [1, 0, 0], 2)
    h.assign(6, [1, 0, 0], 0)
    h.drain()
    h.agent.heartbeat()
    expect(h.drain()).toEqual([
      { _tag: "Heartbeat", nodeId: 3, session: 1, running: [{ jobId: 5, attempt: 2 }, { jobId: 6, attempt: 0 }] }
    ])
    h.agent.sandboxExited(5 as JobId, 2, "succeeded", usage)
    h.drain()
    h.agent.heartbeat()
    h.agent.heartbeat() // unchanged report
    expect(h.drain()).toEqual([
      { _tag: "Heartbeat", nodeId: 3, session: 1, running: [{ jobId: 6, attempt: 0 }] },
      { _tag: "Heartbeat", nodeId: 3, session: 1, running: [{ jobId: 6, attempt: 0 }] }
    ])
    h.agent.receive({ _tag: "CancelJob", jobId: 6 as JobId, attempt: 0 })
    h.agent.heartbeat()
    expect(h.drain()).toEqual([{ _tag: "Heartbeat", nodeId: 3, session: 1, running: [] }])
  })
})

describe("Agent admission", () => {
  it("an Assign within capacity starts a sandbox and reports JobStarted", () => {
    const h = make([4, 4096, 1000])
    h.agent.start()
    h.drain()
    h.assign(7, [3, 4000, 1000], 2)
    expect(h.started).toEqual([[7, 2]])
    expect(h.drain()).toEqual([{ _tag: "JobStarted", nodeId: 3, jobId: 7, attempt: 2 }])
    expect(h.agent.runningCount).toBe(1)
    expect(h.agent.usedCpu).toBe(3)
    h.assign(8, [1, 96, 0], 0) // exactly the rest
    expect(h.started).toEqual([[7, 2], [8, 0]])
    expect(h.agent.usedCpu).toBe(4)
  })

  for (const [name, caps] of [["vCPUs", [2, 0, 0]], ["memory", [1, 3000, 0]], ["disk", [1, 0, 600]]] as const) {
    it(`an Assign beyond free ${name} is rejected with a reason and starts nothing`, () => {
      const h = make([4, 4096, 1000])
      h.agent.start()
      h.assign(1, [3, 2000, 500])
      h.drain()
      h.assign(2, caps, 4)
      const out = h.drain()
      expect(out).toHaveLength(1)
      expect(out[0]).toMatchObject({ _tag: "JobRejected", nodeId: 3, jobId: 2, attempt: 4 })
      expect(out[0]!._tag === "JobRejected" && out[0]!.reason).toMatch(/insufficient/)
      expect(h.started).toEqual([[1, 0]])
      expect(h.agent.runningCount).toBe(1)
      expect(h.agent.usedCpu).toBe(3)
    })
  }

  it("an Assign for a job it already runs is rejected as already running", () => {
    const h = make()
    h.agent.start()
    h.assign(1, [1, 0, 0], 0)
    h.drain()
    h.assign(1, [1, 0, 0], 1)
    const out = h.drain()
    expect(out).toHaveLength(1)
    expect(out[0]).toMatchObject({ _tag: "JobRejected", jobId: 1, attempt: 1, reason: "already running" })
    expect(h.started).toEqual([[1, 0]])
    expect(h.agent.usedCpu).toBe(1)
  })

  it("an Assign meant for another session is dropped silently", () => {
    const h = make()
    h.agent.start()
    h.agent.start()
    h.drain()
    h.assign(1, [1, 0, 0], 0, 1)
    h.assign(2, [1, 0, 0], 0, 3)
    expect(h.sent).toEqual([])
    expect(h.started).toEqual([])
    expect(h.agent.runningCount).toBe(0)
  })
})

describe("Agent exits and cancellation", () => {
  it("sandboxExited reports JobFinished with the usage and frees the resources", () => {
    const h = make([4, 4096, 1000])
    h.agent.start()
    h.assign(1, [4, 4096, 1000], 3)
    h.assign(2, [1, 0, 0], 0) // rejected: full
    h.drain()
    h.agent.sandboxExited(1 as JobId, 3, "failed", usage)
    expect(h.drain()).toEqual([{ _tag: "JobFinished", nodeId: 3, jobId: 1, attempt: 3, outcome: "failed", usage }])
    expect(h.agent.runningCount).toBe(0)
    expect(h.agent.usedCpu).toBe(0)
    h.assign(2, [4, 4096, 1000], 1) // the whole node again
    expect(h.drain()).toEqual([{ _tag: "JobStarted", nodeId: 3, jobId: 2, attempt: 1 }])
  })

  it("exits of a stale attempt, an unknown job or a second time are ignored", () => {
    const h = make()
    h.agent.start()
    h.assign(1, [2, 0, 0], 1)
    h.drain()
    h.agent.sandboxExited(1 as JobId, 0, "succeeded", usage)
    h.agent.sandboxExited(1 as JobId, 2, "succeeded", usage)
    h.agent.sandboxExited(9 as JobId, 1, "succeeded", usage)
    expect(h.sent).toEqual([])
    expect(h.agent.usedCpu).toBe(2)
    h.agent.sandboxExited(1 as JobId, 1, "succeeded", usage)
    h.agent.sandboxExited(1 as JobId, 1, "succeeded", usage)
    expect(h.drain().map((m) => m._tag)).toEqual(["JobFinished"])
    expect(h.agent.usedCpu).toBe(0)
  })

  it("CancelJob stops the sandbox of that attempt and frees its resources, without a report", () => {
    const h = make()
    h.agent.start()
    h.assign(1, [2, 0, 0], 1)
    h.assign(2, [2, 0, 0], 0)
    h.drain()
    h.agent.receive({ _tag: "CancelJob", jobId: 1 as JobId, attempt: 0 }) // wrong attempt
    h.agent.receive({ _tag: "CancelJob", jobId: 5 as JobId, attempt: 0 }) // unknown job
    expect(h.stopped).toEqual([])
    expect(h.agent.usedCpu).toBe(4)
    h.agent.receive({ _tag: "CancelJob", jobId: 1 as JobId, attempt: 1 })
    expect(h.stopped).toEqual([[1, 1]])
    expect(h.sent).toEqual([])
    expect(h.agent.usedCpu).toBe(2)
    expect(h.agent.runningCount).toBe(1)
    // Its sandbox's exit, arriving after the cancel, is not reported.
    h.agent.sandboxExited(1 as JobId, 1, "failed", usage)
    expect(h.sent).toEqual([])
  })

  it("ResetAgent stops every sandbox and registers again with session + 1", () => {
    const h = make()
    h.agent.start()
    h.assign(1, [1, 0, 0], 0)
    h.assign(2, [2, 0, 0], 5)
    h.drain()
    h.agent.receive({ _tag: "ResetAgent", nodeId: 3 as NodeId })
    expect([...h.stopped].sort()).toEqual([[1, 0], [2, 5]])
    expect(h.drain()).toEqual([{ _tag: "Register", node: h.agent.spec, session: 2 }])
    expect(h.agent.currentSession).toBe(2)
    expect(h.agent.runningCount).toBe(0)
    expect(h.agent.usedCpu).toBe(0)
    // Exits from the old session are ignored; an Assign for the old session is dropped.
    h.agent.sandboxExited(2 as JobId, 5, "succeeded", usage)
    h.assign(3, [1, 0, 0], 0, 1)
    expect(h.sent).toEqual([])
    h.agent.heartbeat()
    expect(h.drain()).toEqual([{ _tag: "Heartbeat", nodeId: 3, session: 2, running: [] }])
  })

  it("crash() forgets everything silently", () => {
    const h = make()
    h.agent.start()
    h.assign(1, [3, 0, 0], 0)
    h.agent.heartbeat()
    h.drain()
    h.agent.crash()
    expect(h.sent).toEqual([])
    expect(h.stopped).toEqual([])
    expect(h.agent.runningCount).toBe(0)
    expect(h.agent.usedCpu).toBe(0)
    expect(h.agent.currentSession).toBe(1)
    h.agent.sandboxExited(1 as JobId, 0, "succeeded", usage)
    expect(h.sent).toEqual([])
    h.agent.heartbeat()
    expect(h.drain()).toEqual([{ _tag: "Heartbeat", nodeId: 3, session: 1, running: [] }])
    // The restart after a crash has nothing left to stop.
    h.agent.start()
    expect(h.stopped).toEqual([])
    expect(h.drain()).toEqual([{ _tag: "Register", node: h.agent.spec, session: 2 }])
  })
})

// ---- property: the agent is the ground truth that no node is over-committed

type Op =
  | { readonly kind: "assign"; readonly job: number; readonly caps: Caps; readonly attempt: number; readonly wrongSession: boolean }
  | { readonly kind: "exit"; readonly job: number; readonly attempt: number }
  | { readonly kind: "cancel"; readonly job: number; readonly attempt: number }
  | { readonly kind: "reset" }
  | { readonly kind: "crash" }
  | { readonly kind: "heartbeat" }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("assign" as const),
      job: fc.nat(8),
      caps: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.nat(3000), fc.nat(600)),
      attempt: fc.nat(2),
      wrongSession: fc.boolean()
    }),
    weight: 6
  },
  { arbitrary: fc.record({ kind: fc.constant("exit" as const), job: fc.nat(8), attempt: fc.nat(2) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("cancel" as const), job: fc.nat(8), attempt: fc.nat(2) }), weight: 2 },
  { arbitrary: fc.constant({ kind: "reset" as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: "crash" as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: "heartbeat" as const }), weight: 2 }
)

describe("Agent property", () => {
  it("fast-check: running sandboxes never exceed capacity and every report matches a model", () => {
    const cap: Caps = [8, 4096, 1000]
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 100, size: "max" }), (ops) => {
        const h = make(cap)
        h.agent.start()
        h.drain()
        // Model: job -> [attempt, caps] of sandboxes that were started and not stopped or exited.
        const model = new Map<number, [number, Caps]>()
        for (const op of ops) {
          const startedBefore = h.started.length
          const stoppedBefore = h.stopped.length
          switch (op.kind) {
            case "assign": {
              const session = h.agent.currentSession + (op.wrongSession ? 1 : 0)
              h.assign(op.job, op.caps, op.attempt, session)
              const out = h.drain()
              if (op.wrongSession) {
                expect(out).toEqual([])
                break
              }
              const used = [...model.values()].reduce((u, [, c]) => u.map((x, d) => x + c[d]!), [0, 0, 0])
              const fits = !model.has(op.job) && op.caps.every((v, d) => used[d]! + v <= cap[d]!)
              expect(out).toHaveLength(1)
              expect(out[0]!._tag).toBe(fits ? "JobStarted" : "JobRejected")
              if (fits) model.set(op.job, [op.attempt, op.caps])
              break
            }
            case "exit": {
              h.agent.sandboxExited(op.job as JobId, op.attempt, "succeeded", usage)
              const out = h.drain()
              const current = model.get(op.job)?.[0] === op.attempt
              expect(out.map((m) => m._tag)).toEqual(current ? ["JobFinished"] : [])
              if (current) model.delete(op.job)
              break
            }
            case "cancel": {
              h.agent.receive({ _tag: "CancelJob", jobId: op.job as JobId, attempt: op.attempt })
              const current = model.get(op.job)?.[0] === op.attempt
              expect(h.stopped.slice(stoppedBefore)).toEqual(current ? [[op.job, op.attempt]] : [])
              if (current) model.delete(op.job)
              expect(h.drain()).toEqual([])
              break
            }
            case "reset": {
              const session = h.agent.currentSession
              h.agent.receive({ _tag: "ResetAgent", nodeId: 3 as NodeId })
              expect(h.stopped.length - stoppedBefore).toBe(model.size)
              expect(h.drain()).toEqual([{ _tag: "Register", node: h.agent.spec, session: session + 1 }])
              model.clear()
              break
            }
            case "crash":
              h.agent.crash()
              expect(h.drain()).toEqual([])
              model.clear()
              break
            case "heartbeat": {
              h.agent.heartbeat()
              const out = h.drain()
              expect(out).toHaveLength(1)
              const hb = out[0]!
              expect(hb._tag === "Heartbeat" && [...hb.running].sort((a, b) => a.jobId - b.jobId)).toEqual(
                [...model.entries()].sort((a, b) => a[0] - b[0]).map(([jobId, [attempt]]) => ({ jobId, attempt }))
              )
              break
            }
          }
          expect(h.started.length - startedBefore).toBeLessThanOrEqual(1)
          const usedCpu = [...model.values()].reduce((s, [, c]) => s + c[0], 0)
          expect(h.agent.usedCpu).toBe(usedCpu)
          expect(usedCpu).toBeLessThanOrEqual(cap[0])
          expect(h.agent.runningCount).toBe(model.size)
        }
      }),
      { numRuns: 300 }
    )
  })
})

// ---- wired to a coordinator

describe("Agent with a Coordinator", () => {
  it("agents and a coordinator, messages delivered in order, run every job to completion", () => {
    const policy = makePolicy("best-fit", Prng.fromSeed(1))
    if (Either.isLeft(policy)) throw policy.left
    const toAgents: Array<[number, CoordinatorMessage]> = []
    const toCoordinator: Array<AgentMessage> = []
    const coordinator = new Coordinator(policy.right, {
      send: (node, m) => toAgents.push([node, m]),
      transition: () => {}
    }, { heartbeatTimeoutMs: 10_000, maxRetries: 3, scanDepth: 64 })
    const sandboxes = new Map<string, { node: number; job: number; attempt: number }>()
    const agents = ([[4, 4096, 100], [2, 2048, 100], [8, 8192, 100]] as const).map((caps, i) => {
      const spec = nodeSpec(i, caps)
      expect(Either.isRight(coordinator.enrollNode(spec))).toBe(true)
      return new Agent(spec, {
        send: (m) => toCoordinator.push(m),
        startSandbox: (job, attempt) => sandboxes.set(`${i}:${job.id}:${attempt}`, { node: i, job: job.id, attempt }),
        stopSandbox: (job, attempt) => sandboxes.delete(`${i}:${job}:${attempt}`)
      })
    })
    let now = 0
    const pump = () => {
      do {
        for (const m of toCoordinator.splice(0)) expect(Either.isRight(coordinator.receive(m, now))).toBe(true)
        coordinator.flush(now)
        for (const [node, m] of toAgents.splice(0)) agents[node]!.receive(m)
      } while (toAgents.length > 0 || toCoordinator.length > 0)
    }
    for (const a of agents) a.start()
    pump()
    const rng = Prng.fromSeed(11)
    const jobs: Array<number> = []
    for (let i = 0; i < 40; i++) {
      const r = coordinator.submit({
        owner: "u" as UserId,
        resources: { vcpus: 1 + rng.nextInt(4), memoryMiB: rng.nextInt(2048), diskMiB: rng.nextInt(100) },
        requestedTimeMs: 1000,
        workMs: 500,
        image: "img",
        command: [],
        replication: 1
      }, now)
      if (Either.isRight(r)) jobs.push(r.right)
    }
    pump()
    // Finish sandboxes one at a time (in a seeded order), crash-restarting an agent now and then.
    for (let step = 0; step < 500 && sandboxes.size > 0; step++) {
      now += 10
      const all = [...sandboxes.values()]
      const s = all[rng.nextInt(all.length)]!
      sandboxes.delete(`${s.node}:${s.job}:${s.attempt}`)
      agents[s.node]!.sandboxExited(s.job as JobId, s.attempt, "succeeded", usage)
      if (step % 17 === 16) {
        const victim = rng.nextInt(agents.length)
        for (const key of [...sandboxes.keys()]) if (key.startsWith(`${victim}:`)) sandboxes.delete(key)
        agents[victim]!.crash()
        agents[victim]!.start()
      }
      pump()
      for (const a of agents) expect(a.usedCpu).toBeLessThanOrEqual(a.spec.resources.vcpus)
    }
    expect(jobs.length).toBe(40)
    const statuses = jobs.map((j) => coordinator.status(j))
    expect(statuses.filter((s) => s !== "succeeded" && s !== "lost")).toEqual([])
    expect(statuses.filter((s) => s === "succeeded").length).toBeGreaterThan(30)
    expect(coordinator.cluster.allocatedCpu).toBe(0)
  })
})
