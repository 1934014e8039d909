// The live agent against a coordinator side built from the real AgentEndpoint (real TLS sockets, a
// real CA in a temporary data directory), whose frames the tests answer by hand, with jobs in real
// QEMU microVMs: joining and registering, a job's logs, outputs and exit, inputs, cancellation, shard
// requests, and a coordinator that goes away and comes back on the same port while a job runs.
import { describe, expect, it, layer } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Exit, Option, Scope } from "effect"
import type { JobId, NodeId } from "../../core/domain/ids.ts"
import type { AgentFrame, CoordinatorFrame } from "../protocol/messages.ts"
import { QemuSandbox } from "../sandbox/QemuSandbox.ts"
import { loadCredentials } from "../transport/AgentLink.ts"
import { type LiveAgentOptions, nodeIdOfCertificatePem, startLiveAgent } from "./LiveAgent.ts"
import { layerAgentSandbox } from "./sandboxLayer.ts"
import { noShardStorage } from "./ShardRequestHandler.ts"
import { busyboxJob, memoryShardHandler, startTestCoordinator, tagged, tempDir, type TestCoordinator } from "./testSupport.ts"

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8")

/** The agent's stdout for one attempt, as the coordinator received it. */
const stdoutOf = (frames: ReadonlyArray<{ frame: AgentFrame }>, jobId: number, attempt = 0) =>
  frames.flatMap(({ frame }) => (frame._tag === "JobLog" && frame.jobId === jobId && frame.attempt === attempt && frame.stream === "stdout" ? [frame.text] : [])).join("")

/** A coordinator and an agent (node `nodeId`) that has joined it with a token and been answered Registered. */
const joinedAgent = (nodeId: number, extra: Partial<LiveAgentOptions> = {}) =>
  Effect.gen(function* () {
    const coordinator = yield* startTestCoordinator(yield* tempDir)
    yield* Effect.addFinalizer(() => coordinator.close)
    const dataDir = yield* tempDir
    const token = yield* coordinator.endpoint.createJoinToken(nodeId as NodeId)
    const agent = yield* startLiveAgent({
      dataDir,
      join: { host: coordinator.endpoint.host, joinPort: coordinator.endpoint.joinPort, token },
      vcpus: 2,
      memoryMiB: 1024,
      diskMiB: 1024,
      heartbeatIntervalMs: 200,
      ...extra
    })
    const { frame: register } = yield* coordinator.waitFor("Register", tagged("Register"))
    yield* coordinator.endpoint.send(nodeId as NodeId, { _tag: "Registered", nodeId: nodeId as NodeId, session: register.session })
    yield* agent.registered
    return { coordinator, agent, dataDir, register }
  })

const sendTo = (coordinator: TestCoordinator, nodeId: number, frame: CoordinatorFrame) => coordinator.endpoint.send(nodeId as NodeId, frame)

describe("live agent without VMs", () => {
  it("reads the node id from the certificate's CN", () => {
    expect(nodeIdOfCertificatePem("not a certificate")).toBeUndefined()
  })

  it.effect("an agent that lends no storage holds no shards and refuses puts as full", () =>
    Effect.gen(function* () {
      const objectId = "0123456789abcdef0123456789abcdef"
      expect(yield* noShardStorage.handle({ _tag: "ShardPut", requestId: 1, objectId, index: 0, data: new Uint8Array(5) }))
        .toEqual({ _tag: "Failed", failure: { _tag: "NodeFull", neededBytes: 5, freeBytes: 0 } })
      expect(yield* noShardStorage.handle({ _tag: "ShardList", requestId: 2 })).toEqual({ _tag: "Shards", shards: [] })
      expect(yield* noShardStorage.handle({ _tag: "ShardGet", requestId: 3, objectId, index: 0 })).toEqual({ _tag: "Failed", failure: { _tag: "ShardMissing" } })
    }))
})

layer(layerAgentSandbox({ warmPoolSize: 0, vcpus: 2 }), { timeout: 240_000, excludeTestServices: true })("live agent with QEMU", (it) => {
  it.effect("joins with a token, registers, and runs an assigned job: logs, an output, exit code 3, a failed attempt", () =>
    Effect.gen(function* () {
      const { coordinator, agent, dataDir, register } = yield* joinedAgent(5, { region: "lab" })
      expect(register).toEqual({
        _tag: "Register",
        node: { id: 5, resources: { vcpus: 2, memoryMiB: 1024, diskMiB: 1024 }, speed: 1, region: "lab", askingPrice: 1 },
        session: 1
      })
      // Joined once: the certificate and where to reach the coordinator are kept, and the session.
      const saved = Option.getOrThrow(yield* loadCredentials(dataDir))
      expect({ nodeId: saved.nodeId, host: saved.host, agentPort: saved.agentPort }).toEqual({ nodeId: 5, host: "127.0.0.1", agentPort: coordinator.endpoint.port })
      expect(fs.readFileSync(path.join(dataDir, "session"), "utf8").trim()).toBe("1")

      const job = busyboxJob(1, ["sh", "-c", "echo hi; echo x > /out/r.txt; exit 3"])
      yield* sendTo(coordinator, 5, { _tag: "Assign", job, attempt: 0, session: 1 })
      const started = yield* coordinator.waitFor("JobStarted", tagged("JobStarted", (f) => f.jobId === 1))
      const store = yield* coordinator.waitFor("OutputStore", tagged("OutputStore"))
      expect({ jobId: store.frame.jobId, attempt: store.frame.attempt, path: store.frame.path, data: text(store.frame.data) })
        .toEqual({ jobId: 1, attempt: 0, path: "r.txt", data: "x\n" })
      // The attempt waits for the coordinator's answer, and meanwhile heartbeats report it running.
      const beat = yield* coordinator.waitFor("a heartbeat with the job", tagged("Heartbeat", (f) => f.running.length === 1), store.at)
      expect(beat.frame.running).toEqual([{ jobId: 1, attempt: 0 }])
      expect(yield* agent.runningAttempts).toBe(1)
      yield* sendTo(coordinator, 5, { _tag: "ObjectReply", requestId: store.frame.requestId, result: { _tag: "Stored", key: "job-1/r.txt" } })

      const exit = yield* coordinator.waitFor("JobExit", tagged("JobExit"))
      expect(exit.frame).toMatchObject({ jobId: 1, attempt: 0, exitCode: 3, outcome: "failed", reason: "exited with code 3" })
      const finished = yield* coordinator.waitFor("JobFinished", tagged("JobFinished"))
      expect(finished.frame).toMatchObject({ nodeId: 5, jobId: 1, attempt: 0, outcome: "failed" })
      expect(finished.frame.resultDigest).toMatch(/^[0-9a-f]{64}$/)
      expect(finished.frame.usage.wallMs).toBeGreaterThan(0)
      expect(stdoutOf(coordinator.frames, 1)).toBe("hi\n")
      const firstLog = coordinator.frames.findIndex(({ frame }) => frame._tag === "JobLog")
      expect(started.at < firstLog && firstLog < store.at && store.at < exit.at && exit.at < finished.at).toBe(true)
      yield* coordinator.waitFor("a heartbeat after the job", tagged("Heartbeat", (f) => f.running.length === 0), finished.at)
      expect(yield* agent.runningAttempts).toBe(0)
    }).pipe(Effect.scoped))

  it.effect("fetches a job's inputs from the coordinator; a refused input fails the attempt with the coordinator's reason", () =>
    Effect.gen(function* () {
      const { coordinator } = yield* joinedAgent(6)
      const io = (key: string) => ({
        env: { GREETING: "hello" },
        inputs: [{ bucket: "data", key, path: "data.txt" }],
        output: { bucket: "outputs", prefix: "job/" },
        network: false
      })
      yield* sendTo(coordinator, 6, { _tag: "Assign", job: busyboxJob(2, ["sh", "-c", "cat /in/data.txt; echo $GREETING"], io("in/data.txt")), attempt: 0, session: 1 })
      const fetch = yield* coordinator.waitFor("InputFetch", tagged("InputFetch"))
      expect(fetch.frame).toMatchObject({ jobId: 2, attempt: 0, bucket: "data", key: "in/data.txt" })
      yield* sendTo(coordinator, 6, { _tag: "ObjectReply", requestId: fetch.frame.requestId, result: { _tag: "Bytes", data: Buffer.from("from the object store\n") } })
      const finished = yield* coordinator.waitFor("JobFinished", tagged("JobFinished", (f) => f.jobId === 2))
      expect(finished.frame.outcome).toBe("succeeded")
      expect((yield* coordinator.waitFor("JobExit", tagged("JobExit", (f) => f.jobId === 2))).frame).toMatchObject({ exitCode: 0, outcome: "succeeded" })
      expect(stdoutOf(coordinator.frames, 2)).toBe("from the object store\nhello\n")

      yield* sendTo(coordinator, 6, { _tag: "Assign", job: busyboxJob(3, ["cat", "/in/data.txt"], io("missing")), attempt: 4, session: 1 })
      const refused = yield* coordinator.waitFor("InputFetch", tagged("InputFetch", (f) => f.jobId === 3))
      expect(refused.frame.attempt).toBe(4)
      yield* sendTo(coordinator, 6, { _tag: "ObjectReply", requestId: refused.frame.requestId, result: { _tag: "Refused", reason: "no such object" } })
      const exit = yield* coordinator.waitFor("JobExit", tagged("JobExit", (f) => f.jobId === 3))
      expect(exit.frame).toMatchObject({ attempt: 4, exitCode: null, outcome: "failed", reason: "input data/missing: no such object" })
      expect((yield* coordinator.waitFor("JobFinished", tagged("JobFinished", (f) => f.jobId === 3))).frame).toMatchObject({ attempt: 4, outcome: "failed" })
    }).pipe(Effect.scoped))

  it.effect("a job the sandbox cannot run fails its attempt with the sandbox's reason; ResetAgent starts a new session, kept on disk", () =>
    Effect.gen(function* () {
      const { coordinator, dataDir } = yield* joinedAgent(10)
      yield* sendTo(coordinator, 10, { _tag: "Assign", job: { ...busyboxJob(8, ["true"]), image: "no-such-image" }, attempt: 0, session: 1 })
      const exit = yield* coordinator.waitFor("JobExit", tagged("JobExit", (f) => f.jobId === 8))
      expect(exit.frame).toMatchObject({ exitCode: null, outcome: "failed" })
      expect(exit.frame.reason).toContain("unknown image \"no-such-image\"")
      expect((yield* coordinator.waitFor("JobFinished", tagged("JobFinished", (f) => f.jobId === 8))).frame.outcome).toBe("failed")

      yield* sendTo(coordinator, 10, { _tag: "ResetAgent", nodeId: 10 as NodeId })
      const register = yield* coordinator.waitFor("a new Register", tagged("Register", (f) => f.session === 2))
      expect(register.frame.node.id).toBe(10)
      yield* coordinator.waitFor("a heartbeat in the new session", tagged("Heartbeat", (f) => f.session === 2), register.at)
      expect(fs.readFileSync(path.join(dataDir, "session"), "utf8").trim()).toBe("2")
    }).pipe(Effect.scoped))

  it.effect("CancelJob stops a running job's VM; no exit is reported for it and the agent runs the next job", () =>
    Effect.gen(function* () {
      const { coordinator, agent } = yield* joinedAgent(8)
      const sandbox = yield* QemuSandbox
      yield* sendTo(coordinator, 8, { _tag: "Assign", job: busyboxJob(4, ["sh", "-c", "echo started; sleep 30; echo never"]), attempt: 1, session: 1 })
      yield* coordinator.waitFor("the job's first line", tagged("JobLog", (f) => f.jobId === 4 && f.text.includes("started")))
      expect((yield* sandbox.stats).live).toBe(1)
      yield* sendTo(coordinator, 8, { _tag: "CancelJob", jobId: 4 as JobId, attempt: 1 })
      // Well before the job's 30 s sleep ends, its VM is gone.
      yield* Effect.gen(function* () {
        while ((yield* sandbox.stats).live > 0 || (yield* agent.runningAttempts) > 0) yield* Effect.sleep(50)
      }).pipe(Effect.timeoutFail({ duration: 20_000, onTimeout: () => new Error("the cancelled job's VM is still live") }))

      yield* sendTo(coordinator, 8, { _tag: "Assign", job: busyboxJob(5, ["echo", "after"]), attempt: 0, session: 1 })
      expect((yield* coordinator.waitFor("JobFinished", tagged("JobFinished", (f) => f.jobId === 5))).frame.outcome).toBe("succeeded")
      expect(stdoutOf(coordinator.frames, 5)).toBe("after\n")
      expect(coordinator.frames.filter(({ frame }) => (frame._tag === "JobExit" || frame._tag === "JobFinished") && frame.jobId === 4)).toEqual([])
      expect(stdoutOf(coordinator.frames, 4, 1)).toBe("started\n")
    }).pipe(Effect.scoped))

  it.effect("an Assign for another session is dropped; shard requests go to the shard handler and come back as ShardReply", () =>
    Effect.gen(function* () {
      const { coordinator } = yield* joinedAgent(9, { shards: memoryShardHandler() })
      const objectId = "00112233445566778899aabbccddeeff"
      yield* sendTo(coordinator, 9, { _tag: "ShardPut", requestId: 11, objectId, index: 2, data: Buffer.from("shard bytes") })
      expect((yield* coordinator.waitFor("ShardReply 11", tagged("ShardReply", (f) => f.requestId === 11))).frame.result).toEqual({ _tag: "Done" })
      yield* sendTo(coordinator, 9, { _tag: "ShardGet", requestId: 12, objectId, index: 2 })
      const got = (yield* coordinator.waitFor("ShardReply 12", tagged("ShardReply", (f) => f.requestId === 12))).frame.result
      expect(got._tag === "Bytes" && text(got.data)).toBe("shard bytes")
      yield* sendTo(coordinator, 9, { _tag: "ShardList", requestId: 13 })
      expect((yield* coordinator.waitFor("ShardReply 13", tagged("ShardReply", (f) => f.requestId === 13))).frame.result)
        .toEqual({ _tag: "Shards", shards: [{ objectId, index: 2 }] })
      yield* sendTo(coordinator, 9, { _tag: "ShardGet", requestId: 14, objectId, index: 3 })
      expect((yield* coordinator.waitFor("ShardReply 14", tagged("ShardReply", (f) => f.requestId === 14))).frame.result)
        .toEqual({ _tag: "Failed", failure: { _tag: "ShardMissing" } })

      // An Assign into an old session would have died with that session: the agent neither runs nor rejects it.
      yield* sendTo(coordinator, 9, { _tag: "Assign", job: busyboxJob(7, ["echo", "stale"]), attempt: 0, session: 0 })
      yield* sendTo(coordinator, 9, { _tag: "ShardList", requestId: 15 })
      const after = yield* coordinator.waitFor("ShardReply 15", tagged("ShardReply", (f) => f.requestId === 15))
      yield* coordinator.waitFor("two heartbeats", tagged("Heartbeat"), (yield* coordinator.waitFor("a heartbeat", tagged("Heartbeat"), after.at)).at + 1)
      expect(coordinator.frames.filter(({ frame }) => "jobId" in frame && frame.jobId === 7)).toEqual([])
    }).pipe(Effect.scoped))

  it.effect("when the coordinator restarts on the same port mid-job, the agent reconnects, re-registers with the same session and delivers what waited; a restarted agent reuses its credentials with a new session", () =>
    Effect.gen(function* () {
      const coordinatorDir = yield* tempDir
      const agentDir = yield* tempDir
      const first = yield* startTestCoordinator(coordinatorDir)
      const { port, joinPort, host } = first.endpoint
      const token = yield* first.endpoint.createJoinToken(7 as NodeId)
      const agentScope = yield* Scope.make()
      const options: LiveAgentOptions = { dataDir: agentDir, vcpus: 2, memoryMiB: 1024, diskMiB: 1024, heartbeatIntervalMs: 200, reconnectDelayMsMax: 1000 }
      yield* startLiveAgent({ ...options, join: { host, joinPort, token } }).pipe(Scope.extend(agentScope))
      yield* first.waitFor("Register", tagged("Register"))
      yield* sendTo(first, 7, { _tag: "Registered", nodeId: 7 as NodeId, session: 1 })
      yield* sendTo(first, 7, { _tag: "Assign", job: busyboxJob(6, ["sh", "-c", "echo a; sleep 2; echo b; echo y > /out/o.txt"]), attempt: 0, session: 1 })
      yield* first.waitFor("the job's first line", tagged("JobLog", (f) => f.jobId === 6))

      yield* first.close
      // The job ends while the coordinator is away (its VM is gone): its last line, exit and output wait.
      const sandbox = yield* QemuSandbox
      yield* Effect.gen(function* () {
        while ((yield* sandbox.stats).live > 0) yield* Effect.sleep(50)
      }).pipe(Effect.timeoutFail({ duration: 60_000, onTimeout: () => new Error("the job's VM is still live") }))
      const second = yield* startTestCoordinator(coordinatorDir, { port, joinPort })
      yield* Effect.addFinalizer(() => second.close)
      const register = yield* second.waitFor("Register", tagged("Register"))
      expect(register.at).toBe(0)
      expect(register.frame.session).toBe(1)
      const beat = yield* second.waitFor("Heartbeat", tagged("Heartbeat"))
      expect(beat.at).toBe(1)
      expect(beat.frame).toMatchObject({ session: 1, running: [{ jobId: 6, attempt: 0 }] })
      yield* sendTo(second, 7, { _tag: "Registered", nodeId: 7 as NodeId, session: 1 })

      const store = yield* second.waitFor("OutputStore", tagged("OutputStore", (f) => f.jobId === 6))
      expect(text(store.frame.data)).toBe("y\n")
      yield* sendTo(second, 7, { _tag: "ObjectReply", requestId: store.frame.requestId, result: { _tag: "Stored", key: "o.txt" } })
      expect((yield* second.waitFor("JobFinished", tagged("JobFinished", (f) => f.jobId === 6))).frame.outcome).toBe("succeeded")
      // Nothing lost or said twice across the two connections.
      expect(stdoutOf(first.frames, 6) + stdoutOf(second.frames, 6)).toBe("a\nb\n")
      expect(second.frames.filter(({ frame }) => frame._tag === "JobExit").length).toBe(1)

      // The agent process restarts: no token needed, a new session.
      yield* Scope.close(agentScope, Exit.void)
      yield* startLiveAgent(options)
      const again = yield* second.waitFor("a second Register", tagged("Register"), register.at + 1)
      expect(again.frame.session).toBe(2)
      expect(fs.readFileSync(path.join(agentDir, "session"), "utf8").trim()).toBe("2")
    }).pipe(Effect.scoped))
})
