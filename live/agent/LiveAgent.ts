// The agent daemon's engine: core's Agent state machine driven by a TLS link to the coordinator,
// timers and QEMU microVMs. Everything that changes the agent's state goes through one queue and
// is handled by one fiber (messages, attempt exits, heartbeat ticks, the link coming and going, and
// the frames jobs want to send), so frames leave in the order they were made. Jobs run in their own
// fibers and outlive the link: while the coordinator is away, what cannot wait for it (JobStarted,
// JobLog, JobExit, JobFinished) is kept and sent after the agent has registered again with the same
// session, and the requests of running jobs (InputFetch, OutputStore) are asked again.
import { X509Certificate } from "node:crypto"
import * as os from "node:os"
import { Deferred, Effect, Fiber, FiberSet, Option, Queue, Schema, type Scope } from "effect"
import { Agent } from "../../core/agent/Agent.ts"
import type { JobId, NodeId } from "../../core/domain/ids.ts"
import type { JobSpec } from "../../core/domain/job.ts"
import type { AgentMessage, CoordinatorMessage } from "../../core/domain/messages.ts"
import { NodeSpec } from "../../core/domain/node.ts"
import { type AgentFrame, type CoordinatorFrame, isCoreCoordinatorMessage } from "../protocol/messages.ts"
import { QemuSandbox } from "../sandbox/QemuSandbox.ts"
import { type AgentCredentials, type AgentLinkShape, connectAgentLink, joinCluster, loadCredentials, saveCredentials } from "../transport/AgentLink.ts"
import type { CredentialsStoreFailed, JoinFailed } from "../transport/errors.ts"
import { AgentNotEnrolled, AgentSpecInvalid, CredentialsInvalid, type SessionStoreFailed } from "./errors.ts"
import { type AttemptReport, type ObjectRequest, type ObjectResult, runAttempt } from "./runAttempt.ts"
import { readSession, writeSession } from "./session.ts"
import { noShardStorage, type ShardRequestHandler } from "./ShardRequestHandler.ts"

export interface LiveAgentOptions {
  /** Credentials, the session counter, and (for the storage) shards live here. */
  readonly dataDir: string
  /** How to join when the data directory holds no credentials yet. */
  readonly join?: { readonly host: string; readonly joinPort: number; readonly token: string }
  /** What this machine lends; defaults: the host's cores - 1 (at least 1), 2048 MiB, 10240 MiB. */
  readonly vcpus?: number
  readonly memoryMiB?: number
  readonly diskMiB?: number
  /** Failure domain; default "local". */
  readonly region?: string
  /** Credits per vCPU-hour; default 1. */
  readonly askingPrice?: number
  /** The lender lets jobs that ask for it have a network interface; default false. */
  readonly allowNetwork?: boolean
  /** Default 1000. */
  readonly heartbeatIntervalMs?: number
  /** Where shard requests go; default: no storage lent (puts are refused as NodeFull). */
  readonly shards?: ShardRequestHandler
  /** Shard requests handled at once; default 8. */
  readonly shardConcurrency?: number
  /** Waits between reconnection attempts, doubling from min to max; defaults 200 ms and 5 s. */
  readonly reconnectDelayMsMin?: number
  readonly reconnectDelayMsMax?: number
  /** JobLog text kept while disconnected, at most; default 16 MiB (more is dropped, with a warning). */
  readonly queuedLogBytesMax?: number
}

export interface LiveAgentHandle {
  readonly spec: NodeSpec
  readonly credentials: AgentCredentials
  /** The session in use (it changes only when the coordinator resets the agent). */
  readonly session: Effect.Effect<number>
  /** Waits until the coordinator has answered this agent's first Register. */
  readonly registered: Effect.Effect<void>
  readonly connected: Effect.Effect<boolean>
  readonly runningAttempts: Effect.Effect<number>
  /** Runs as long as the agent does; fails only if the agent itself breaks (a defect). */
  readonly await: Effect.Effect<never>
}

export type LiveAgentStartError = AgentNotEnrolled | JoinFailed | CredentialsStoreFailed | CredentialsInvalid | SessionStoreFailed | AgentSpecInvalid

type Input =
  | { readonly _tag: "Message"; readonly message: CoordinatorMessage }
  | { readonly _tag: "Exited"; readonly jobId: JobId; readonly attempt: number; readonly report: AttemptReport }
  | { readonly _tag: "Emit"; readonly frame: AgentFrame }
  | { readonly _tag: "SendRequest"; readonly requestId: number }
  | { readonly _tag: "Tick" }
  | { readonly _tag: "Connected"; readonly link: AgentLinkShape; readonly generation: number }
  | { readonly _tag: "Disconnected"; readonly generation: number }

type Command =
  | { readonly _tag: "Send"; readonly message: AgentMessage }
  | { readonly _tag: "Start"; readonly job: JobSpec; readonly attempt: number }
  | { readonly _tag: "Stop"; readonly jobId: JobId; readonly attempt: number }

/** Frames that must reach the coordinator even if the link is down when they are made. */
const mustArrive = (frame: AgentFrame): boolean =>
  frame._tag === "JobStarted" || frame._tag === "JobRejected" || frame._tag === "JobFinished" || frame._tag === "JobRunning" || frame._tag === "JobLog" || frame._tag === "JobExit"

export const defaultVcpus = (): number => Math.max(1, os.availableParallelism() - 1)

/** The node id in the certificate's CN, which is what the coordinator authenticates. */
export const nodeIdOfCertificatePem = (certificatePem: string): number | undefined => {
  try {
    const cn = /^CN=(\d+)$/m.exec(new X509Certificate(certificatePem).subject)
    return cn ? Number(cn[1]) : undefined
  } catch {
    return undefined
  }
}

/** Saved credentials, or join with the token and save what the coordinator issued. */
export const enroll = (options: Pick<LiveAgentOptions, "dataDir" | "join">): Effect.Effect<AgentCredentials, AgentNotEnrolled | JoinFailed | CredentialsStoreFailed> =>
  Effect.gen(function* () {
    const saved = yield* loadCredentials(options.dataDir)
    if (Option.isSome(saved)) return saved.value
    if (options.join === undefined) return yield* new AgentNotEnrolled({ dataDir: options.dataDir })
    const credentials = yield* joinCluster({ host: options.join.host, joinPort: options.join.joinPort, joinToken: options.join.token })
    yield* saveCredentials(options.dataDir, credentials)
    yield* Effect.logInfo(`joined the cluster at ${options.join.host}:${options.join.joinPort} as node ${credentials.nodeId}`)
    return credentials
  })

export const nodeSpecOf = (nodeId: NodeId, options: LiveAgentOptions): Effect.Effect<NodeSpec, AgentSpecInvalid> =>
  Schema.decodeUnknown(NodeSpec)({
    id: nodeId,
    resources: { vcpus: options.vcpus ?? defaultVcpus(), memoryMiB: options.memoryMiB ?? 2048, diskMiB: options.diskMiB ?? 10240 },
    speed: 1,
    region: options.region ?? "local",
    askingPrice: options.askingPrice ?? 1
  }).pipe(Effect.mapError((e) => new AgentSpecInvalid({ reason: e.message })))

/** Starts the agent in the current scope: it joins (or loads its credentials), then connects and runs until the scope closes. */
export const startLiveAgent = (options: LiveAgentOptions): Effect.Effect<LiveAgentHandle, LiveAgentStartError, Scope.Scope | QemuSandbox> =>
  Effect.gen(function* () {
    const sandbox = yield* QemuSandbox
    const scope = yield* Effect.scope
    const credentials = yield* enroll(options)
    const certifiedId = nodeIdOfCertificatePem(credentials.certificatePem)
    if (certifiedId !== credentials.nodeId) {
      return yield* new CredentialsInvalid({ reason: `the credentials say node ${credentials.nodeId}, the certificate names ${certifiedId ?? "no node"}` })
    }
    const spec = yield* nodeSpecOf(credentials.nodeId, options)
    const shards = options.shards ?? noShardStorage
    const allowNetwork = options.allowNetwork ?? false
    const reconnectDelayMsMin = options.reconnectDelayMsMin ?? 200
    const reconnectDelayMsMax = options.reconnectDelayMsMax ?? 5000
    const queuedLogBytesMax = options.queuedLogBytesMax ?? 16 * 1024 * 1024

    const inputs = yield* Queue.unbounded<Input>()
    const commands: Array<Command> = []
    const agent = new Agent(spec, {
      send: (message) => commands.push({ _tag: "Send", message }),
      startSandbox: (job, attempt) => commands.push({ _tag: "Start", job, attempt }),
      stopSandbox: (jobId, attempt) => commands.push({ _tag: "Stop", jobId, attempt })
    }, yield* readSession(options.dataDir))
    // A new session for this start of the daemon; its Register is sent once the link is up.
    agent.start()
    commands.length = 0
    yield* writeSession(options.dataDir, agent.currentSession)
    let persistedSession = agent.currentSession
    yield* Effect.logInfo(`agent for node ${spec.id}: ${spec.resources.vcpus} vCPUs, ${spec.resources.memoryMiB} MiB, ${spec.resources.diskMiB} MiB disk, session ${agent.currentSession}`)

    // ---- state owned by the loop fiber (pending is also read by the link readers)
    let link: { readonly shape: AgentLinkShape; readonly generation: number } | undefined
    const outbox: Array<AgentFrame> = []
    let queuedLogBytes = 0
    let droppedLogBytes = 0
    /** Requests of running attempts awaiting their ObjectReply, and the link generation they were last sent on. */
    const pending = new Map<number, { readonly frame: ObjectRequest; readonly reply: Deferred.Deferred<ObjectResult>; sentOn?: number }>()
    let nextRequestId = 0
    const runs = new Map<string, { readonly seq: number; readonly fiber: Fiber.RuntimeFiber<void> }>()
    let runSeq = 0
    const registered = yield* Deferred.make<void>()
    const shardFibers = yield* FiberSet.make()
    const shardPermits = yield* Effect.makeSemaphore(options.shardConcurrency ?? 8)

    const sendNow = (frame: AgentFrame): Effect.Effect<boolean> =>
      Effect.suspend(() => {
        const current = link
        if (current === undefined) return Effect.succeed(false)
        return current.shape.send(frame).pipe(
          Effect.as(true),
          Effect.catchAll((closed) =>
            Effect.gen(function* () {
              if (link === current) link = undefined
              yield* Effect.logWarning(`could not send ${frame._tag}: ${closed.message}`)
              return false
            })
          ),
          // A frame that cannot be encoded is dropped (and said so), rather than stopping the agent.
          Effect.catchAllDefect((defect) => Effect.as(Effect.logError(`dropped a ${frame._tag} frame that could not be encoded: ${String(defect)}`), true))
        )
      })

    const keep = (frame: AgentFrame) => {
      if (frame._tag === "JobLog") {
        if (queuedLogBytes + frame.text.length > queuedLogBytesMax) {
          droppedLogBytes += frame.text.length
          return
        }
        queuedLogBytes += frame.text.length
      }
      outbox.push(frame)
    }

    const deliver = (frame: AgentFrame) =>
      sendNow(frame).pipe(Effect.tap((sent) => (sent || !mustArrive(frame) ? Effect.void : Effect.sync(() => keep(frame)))))

    const attemptIo = {
      request: (make: (requestId: number) => ObjectRequest) =>
        Effect.suspend(() => {
          const requestId = nextRequestId++
          return Deferred.make<ObjectResult>().pipe(
            Effect.tap((reply) => Effect.sync(() => pending.set(requestId, { frame: make(requestId), reply }))),
            Effect.tap(() => Queue.offer(inputs, { _tag: "SendRequest", requestId })),
            Effect.flatMap(Deferred.await),
            Effect.ensuring(Effect.sync(() => pending.delete(requestId)))
          )
        }),
      emit: (frame: AgentFrame) => Queue.unsafeOffer(inputs, { _tag: "Emit", frame })
    }

    const startRun = (job: JobSpec, attempt: number) =>
      Effect.gen(function* () {
        const key = `${job.id}:${attempt}`
        const seq = ++runSeq
        const fiber = yield* runAttempt(sandbox, job, attempt, attemptIo, { allowNetwork }).pipe(
          Effect.flatMap((report) => Queue.offer(inputs, { _tag: "Exited", jobId: job.id, attempt, report })),
          Effect.asVoid,
          Effect.ensuring(Effect.sync(() => {
            if (runs.get(key)?.seq === seq) runs.delete(key)
          })),
          Effect.annotateLogs({ jobId: job.id, attempt }),
          Effect.forkIn(scope)
        )
        runs.set(key, { seq, fiber })
      })

    const drain = Effect.gen(function* () {
      while (commands.length > 0) {
        const command = commands.shift()!
        if (command._tag === "Send") yield* deliver(command.message)
        else if (command._tag === "Start") yield* startRun(command.job, command.attempt)
        else {
          const run = runs.get(`${command.jobId}:${command.attempt}`)
          // Not waited for: the VM is being killed while the agent goes on.
          if (run !== undefined) yield* Fiber.interruptFork(run.fiber)
        }
      }
      if (agent.currentSession !== persistedSession) {
        persistedSession = agent.currentSession
        yield* writeSession(options.dataDir, persistedSession).pipe(Effect.catchAll((e) => Effect.logError(e.message)))
      }
    })

    /** Sends a pending request once per link (asked again after a reconnection, as its answer may be lost). */
    const sendRequest = (requestId: number): Effect.Effect<void> =>
      Effect.suspend(() => {
        const request = pending.get(requestId)
        const generation = link?.generation
        if (request === undefined || generation === undefined || request.sentOn === generation) return Effect.void
        return sendNow(request.frame).pipe(Effect.tap((sent) => Effect.sync(() => {
          if (sent) request.sentOn = generation
        })))
      })

    /** Register again with the same session (the coordinator keeps its jobs), report them, then send what waited. */
    const onConnected = Effect.gen(function* () {
      if (!(yield* sendNow({ _tag: "Register", node: spec, session: agent.currentSession }))) return
      agent.heartbeat()
      yield* drain
      if (droppedLogBytes > 0) {
        yield* Effect.logWarning(`dropped ${droppedLogBytes} bytes of job logs made while the coordinator was away`)
        droppedLogBytes = 0
      }
      while (outbox.length > 0 && link !== undefined) {
        const frame = outbox[0]!
        if (!(yield* sendNow(frame))) return
        outbox.shift()
        if (frame._tag === "JobLog") queuedLogBytes -= frame.text.length
      }
      for (const requestId of [...pending.keys()].sort((a, b) => a - b)) {
        yield* sendRequest(requestId)
        if (link === undefined) return
      }
    })

    const step = (input: Input): Effect.Effect<void> => {
      switch (input._tag) {
        case "Message":
          agent.receive(input.message)
          if (input.message._tag === "Registered") {
            return Effect.logInfo(`registered with the coordinator as node ${spec.id}, session ${input.message.session}`).pipe(
              Effect.zipRight(Deferred.succeed(registered, undefined)),
              Effect.zipRight(drain)
            )
          }
          return drain
        case "Exited":
          agent.sandboxExited(input.jobId, input.attempt, input.report.outcome, input.report.usage, input.report.resultDigest)
          return drain
        case "Emit":
          return deliver(input.frame)
        case "SendRequest":
          return sendRequest(input.requestId)
        case "Tick":
          agent.heartbeat()
          return drain
        case "Connected":
          link = { shape: input.link, generation: input.generation }
          return onConnected
        case "Disconnected":
          if (link?.generation === input.generation) link = undefined
          return Effect.void
      }
    }

    const dispatch = (from: AgentLinkShape) => (frame: CoordinatorFrame): Effect.Effect<void> => {
      if (isCoreCoordinatorMessage(frame)) return Queue.offer(inputs, { _tag: "Message", message: frame })
      if (frame._tag === "ObjectReply") {
        const request = pending.get(frame.requestId)
        if (request === undefined) return Effect.void
        pending.delete(frame.requestId)
        return Deferred.succeed(request.reply, frame.result)
      }
      // A shard reply goes back on the link its request came on.
      return FiberSet.run(shardFibers, shardPermits.withPermits(1)(shards.handle(frame)).pipe(
        Effect.flatMap((result) => from.send({ _tag: "ShardReply", requestId: frame.requestId, result })),
        Effect.catchAll((closed) => Effect.logWarning(`shard reply ${frame.requestId} not sent: ${closed.message}`)),
        Effect.catchAllDefect((defect) => Effect.logError(`shard request ${frame._tag} ${frame.requestId} broke the shard store: ${String(defect)}`))
      )).pipe(Effect.asVoid)
    }

    const connectForever = Effect.gen(function* () {
      let delayMs = reconnectDelayMsMin
      let generation = 0
      for (;;) {
        const outcome = yield* Effect.either(Effect.scoped(Effect.gen(function* () {
          const shape = yield* connectAgentLink({ host: credentials.host, port: credentials.agentPort, credentials })
          const current = ++generation
          yield* Effect.logInfo(`connected to the coordinator at ${credentials.host}:${credentials.agentPort}`)
          yield* Queue.offer(inputs, { _tag: "Connected", link: shape, generation: current })
          yield* Queue.take(shape.received).pipe(Effect.flatMap(dispatch(shape)), Effect.forever, Effect.forkScoped)
          const closed = yield* shape.closed
          yield* Queue.offer(inputs, { _tag: "Disconnected", generation: current })
          return closed
        })))
        if (outcome._tag === "Right") {
          yield* Effect.logWarning(`lost the coordinator (${outcome.right.reason}); reconnecting`)
          delayMs = reconnectDelayMsMin
        } else {
          yield* Effect.logWarning(`${outcome.left.message}; retrying in ${delayMs} ms`)
        }
        yield* Effect.sleep(delayMs)
        if (outcome._tag === "Left") delayMs = Math.min(reconnectDelayMsMax, delayMs * 2)
      }
    })

    const loop = yield* Queue.take(inputs).pipe(Effect.flatMap(step), Effect.forever, Effect.forkScoped)
    yield* Queue.offer(inputs, { _tag: "Tick" }).pipe(Effect.delay(options.heartbeatIntervalMs ?? 1000), Effect.forever, Effect.forkScoped)
    const connector = yield* Effect.forkScoped(connectForever)

    return {
      spec,
      credentials,
      session: Effect.sync(() => agent.currentSession),
      registered: Deferred.await(registered),
      connected: Effect.sync(() => link !== undefined),
      runningAttempts: Effect.sync(() => agent.runningCount),
      await: Effect.raceFirst(Fiber.join(loop), Fiber.join(connector))
    } satisfies LiveAgentHandle
  })

/** The agent daemon: starts the agent and runs it until interrupted. */
export const runLiveAgent = (options: LiveAgentOptions): Effect.Effect<never, LiveAgentStartError, QemuSandbox> =>
  Effect.scoped(Effect.flatMap(startLiveAgent(options), (agent) => agent.await))
