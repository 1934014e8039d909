// For tests: a live coordinator (the real logged step function, SQLite tables and ledger store) in a
// temporary directory, with a stand-in agent endpoint, driven on Effect's TestClock so a history
// can span months. Agents are played by stepping their messages directly.
import { join } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Clock, Effect, Layer, Queue } from "effect"
import * as TestClock from "effect/TestClock"
import type { JobId, NodeId, RegionId, UserId } from "../../core/domain/ids.ts"
import { personalPrincipal, type Principal } from "../api/Principal.ts"
import { openLiveCoordinator, runLiveCoordinator } from "../coordinator/LiveCoordinator.ts"
import { scopedTempDir } from "../testing/tempDir.ts"
import { AgentEndpoint, type AgentEndpointShape, type AgentEvent } from "../transport/AgentEndpoint.ts"
import { makeInsightsApi } from "./coordinatorInsights.ts"
import { makeSqliteTrafficMeter } from "./trafficMeter.ts"

export const orgPrincipal = (user: string, org: string, role: "admin" | "member"): Principal =>
  ({ user: user as UserId, operator: false, org: { id: org as UserId, name: org, role }, payer: org as UserId, via: "session" })

export const personal = (user: string): Principal => personalPrincipal(user as UserId, "session")

export const openTestCluster = Effect.gen(function* () {
  const dir = yield* scopedTempDir("insights")
  const context = yield* Layer.build(SqliteClient.layer({ filename: join(dir, "coordinator.sqlite") }))
  const sql = SqlClient.SqlClient.pipe(Effect.provide(context))
  const connected = new Set<NodeId>()
  const events = yield* Queue.unbounded<AgentEvent>()
  let nextNode = 0
  /** Who belongs to which organisation, as the accounts store would say (tests set it). */
  const orgMembers = new Map<string, ReadonlyArray<string>>()
  const endpoint: AgentEndpointShape = {
    host: "127.0.0.1", port: 7000, joinPort: 7001, caFingerprint: "test", events,
    send: () => Effect.void,
    createJoinToken: (node) => Effect.succeed(`join-token-${node}`),
    connectedNodes: Effect.sync(() => [...connected])
  }
  const run = <A, E, R>(effect: Effect.Effect<A, E, R | SqlClient.SqlClient>) => Effect.provide(effect, context)
  // A tick interval far past any test's clock: the coordinator's timer never fires.
  const opened = yield* run(openLiveCoordinator({ dataDir: dir, policy: "fcfs", seed: 1, tickIntervalMs: 1e13, heartbeatTimeoutMs: 1e13 }))
  const running = yield* runLiveCoordinator(opened, { onFrame: () => Effect.void, onEnrolled: () => Effect.void, onDisconnected: () => Effect.void }).pipe(
    Effect.provide(context),
    Effect.provideService(AgentEndpoint, endpoint)
  )
  const { machine, step } = running
  // The meter's timer on the real clock: on the TestClock, a jump of months would wake it once a second of it.
  const meter = yield* run(makeSqliteTrafficMeter).pipe(Effect.withClock(Clock.make()))
  const insights = yield* run(makeInsightsApi({
    machine, step, endpoint, ledgerStore: opened.ledgerStore, flushTraffic: meter.flush,
    orgMembers: (p) => Effect.succeed(p.org === null ? [] : orgMembers.get(p.org.id) ?? []),
    nextNodeId: () => Effect.sync(() => nextNode++ as NodeId)
  }))

  const at = (ms: number) => TestClock.setTime(ms)
  const agent = (message: Parameters<typeof step>[0]) => step(message)
  return {
    machine, step, insights, meter, sql, run, connected, at, orgMembers,
    /** Enrolls and registers the next node (ids are dense: call in order). */
    addNode: (region = "local") =>
      Effect.gen(function* () {
        const id = machine.coordinator.cluster.count as NodeId
        const spec = { id, resources: { vcpus: 4, memoryMiB: 4096, diskMiB: 4096 }, speed: 1, region: region as RegionId, askingPrice: 1 }
        yield* step({ _tag: "Enroll", spec })
        yield* agent({ _tag: "FromAgent", message: { _tag: "Register", node: spec, session: 1 } })
        connected.add(id)
        // As if the operator's CLI had asked for this node's token: the ids share one counter.
        nextNode = Math.max(nextNode, id + 1)
        return id
      }),
    submit: (owner: string, options: { payer?: string; vcpus?: number; memoryMiB?: number; image?: string } = {}) =>
      Effect.gen(function* () {
        const result = yield* step((m) => ({
          _tag: "Submit",
          request: {
            owner: owner as UserId,
            ...(options.payer !== undefined ? { payer: options.payer as UserId } : {}),
            resources: { vcpus: options.vcpus ?? 1, memoryMiB: options.memoryMiB ?? 256, diskMiB: 64 },
            requestedTimeMs: 3600_000, workMs: 3600_000, image: options.image ?? "busybox", command: ["true"], replication: 1,
            io: { env: {}, inputs: [], output: { bucket: `${owner}-outputs`, prefix: `job-${m.coordinator.nextJobId}/` }, network: false }
          }
        }))
        if (result._tag !== "Submitted") return yield* Effect.dieMessage(`submit gave ${result._tag}`)
        return result.job
      }),
    start: (job: JobId) => {
      const j = machine.coordinator.jobs
      return agent({ _tag: "FromAgent", message: { _tag: "JobStarted", nodeId: j.node[job]! as NodeId, jobId: job, attempt: j.attempts[job]! - 1 } })
    },
    finish: (job: JobId, outcome: "succeeded" | "failed", wallMs: number) => {
      const j = machine.coordinator.jobs
      return agent({
        _tag: "FromAgent",
        message: { _tag: "JobFinished", nodeId: j.node[job]! as NodeId, jobId: job, attempt: j.attempts[job]! - 1, outcome, usage: { cpuMs: wallMs, wallMs, memoryMiBMax: 100 } }
      })
    },
    cancel: (job: JobId) => step({ _tag: "Cancel", job }),
    fund: (borrower: string) => step({ _tag: "Fund", borrower: borrower as UserId })
  }
})

export type TestCluster = Effect.Effect.Success<typeof openTestCluster>
