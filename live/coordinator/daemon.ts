// The coordinator daemon assembled: SQLite, the agent endpoint (mutual TLS), the replayed state
// machine, the object gateway over shards on agents' disks with its repair and audit loops, and
// the HTTP API. Lives as long as its scope.
import { randomInt } from "node:crypto"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Duration, Effect, Layer, Schedule, type Scope } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import { Rng } from "../../core/random/Rng.ts"
import { makeObjectStore } from "../../core/storage/ObjectStore.ts"
import { ShardStore } from "../../core/storage/ShardStore.ts"
import { Accounts } from "../accounts/Accounts.ts"
import { makeSqliteAccounts } from "../accounts/sqliteAccounts.ts"
import { ClusterApi } from "../api/ClusterApi.ts"
import { serveCluster } from "../api/serve.ts"
import { TrafficMeter } from "../api/Principal.ts"
import { makeInsightsApi } from "../insights/coordinatorInsights.ts"
import { InsightsApi } from "../insights/InsightsApi.ts"
import { makeSqliteTrafficMeter } from "../insights/trafficMeter.ts"
import { makeShardRpc, shardStoreOverRpc } from "../storage/ShardRpc.ts"
import { makeSqliteCatalog } from "../storage/sqliteCatalog.ts"
import { AgentEndpoint, layerCoordinatorTransport } from "../transport/AgentEndpoint.ts"
import { makeAgentFrameHandler } from "./agentFrames.ts"
import { ensureOwnBucket, makeClusterApi } from "./clusterApi.ts"
import { openLiveCoordinator, runLiveCoordinator, type LiveCoordinatorOptions } from "./LiveCoordinator.ts"
import { addSignedUpUser, operatorName, operatorToken } from "./users.ts"

export interface CoordinatorDaemonOptions extends Omit<LiveCoordinatorOptions, "seed"> {
  readonly host: string
  readonly apiPort: number
  readonly agentPort: number
  readonly joinPort: number
  /** Default: drawn from the OS on the first start (kept in the database after). */
  readonly seed?: number
  /** How often the repair loop looks for objects short of shards; default 5 s. */
  readonly repairIntervalMs?: number
  /** How often a round of audit challenges goes out; default 30 s. */
  readonly auditIntervalMs?: number
}

export interface CoordinatorReady {
  readonly api: string
  readonly agentPort: number
  readonly joinPort: number
  readonly adminToken: string
}

const MiB = 1024 * 1024

const meta = (key: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.map(sql<{ value: string }>`SELECT value FROM meta WHERE key = ${key}`, (rows) => rows[0]?.value))

export const runCoordinatorDaemon = (options: CoordinatorDaemonOptions) =>
  Effect.gen(function* () {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
    const context = yield* Layer.build(Layer.merge(
      SqliteClient.layer({ filename: join(options.dataDir, "coordinator.sqlite") }),
      layerCoordinatorTransport({ dataDir: options.dataDir, host: options.host, port: options.agentPort, joinPort: options.joinPort })
    ))
    return yield* Effect.provide(daemon(options), context)
  })

const daemon = (options: CoordinatorDaemonOptions): Effect.Effect<CoordinatorReady, unknown, SqlClient.SqlClient | AgentEndpoint | Scope.Scope> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const endpoint = yield* AgentEndpoint
    const opened = yield* openLiveCoordinator({ ...options, seed: options.seed ?? randomInt(2 ** 31) })
    const { machine } = opened

    // ---- the object gateway
    const catalog = yield* makeSqliteCatalog
    const snapshot = yield* catalog.load
    const rpc = yield* makeShardRpc((node, frame) => endpoint.send(node, frame))
    // Shards of large objects cross TLS to agents that may be busy booting VMs: allow them time.
    const objects = yield* makeObjectStore({ journal: catalog.journal, restore: snapshot, shardTimeoutMs: 30_000 }).pipe(
      Effect.provideService(ShardStore, shardStoreOverRpc(rpc)),
      Effect.provide(Rng.layerSeeded(opened.seed))
    )
    const addStorageNode = (node: NodeId) => {
      const c = machine.coordinator.cluster
      return objects.addNode({ id: node, region: c.regionNames[c.region[node]!] ?? "local", capacityBytes: c.capDisk[node]! * MiB })
    }
    for (let node = 0; node < machine.coordinator.cluster.count; node++) yield* addStorageNode(node as NodeId)

    const onFrame = yield* makeAgentFrameHandler({
      machine,
      objects,
      send: (node, frame) => endpoint.send(node, frame),
      deliverShardReply: (node, frame) => rpc.deliver(node, frame),
      ensureBucket: (owner, bucket) => ensureOwnBucket(objects, owner, bucket)
    })
    const running = yield* runLiveCoordinator(opened, {
      onFrame,
      onEnrolled: addStorageNode,
      onDisconnected: (node) => Effect.sync(() => rpc.nodeDisconnected(node))
    })

    // ---- storage upkeep: repair what node loss or corruption took, challenge shards now and then
    yield* objects.repairLoop(options.repairIntervalMs ?? 5000, 256 * MiB).pipe(Effect.forkScoped)
    yield* objects.audit({ challenges: 8 }).pipe(
      Effect.repeat(Schedule.spaced(Duration.millis(options.auditIntervalMs ?? 30_000))),
      Effect.delay(Duration.millis(options.auditIntervalMs ?? 30_000)),
      Effect.forkScoped
    )

    // ---- the API
    const adminToken = yield* operatorToken(options.dataDir)
    const nextNodeId = () =>
      Effect.gen(function* () {
        const next = Number((yield* meta("next_node_id")) ?? 0)
        yield* sql`INSERT INTO meta (key, value) VALUES ('next_node_id', ${String(next + 1)}) ON CONFLICT(key) DO UPDATE SET value = excluded.value`
        return next as NodeId
      }).pipe(Effect.orDie)
    const accounts = yield* makeSqliteAccounts({
      nameInUse: (name) => Effect.map(sql<{ n: number }>`SELECT count(*) AS n FROM users WHERE name = ${name}`, ([row]) => (row?.n ?? 0) > 0).pipe(Effect.orDie),
      isOperator: (user) => Effect.map(sql<{ operator: number }>`SELECT operator FROM users WHERE name = ${user}`, ([row]) => row?.operator === 1).pipe(Effect.orDie),
      // The new user joins the list of user ids, and their payer gets the sign-up grant now, so the
      // balance shows it before the first job (a payer already funded is not funded twice).
      onSignedUp: (user, payer) =>
        Effect.zipRight(addSignedUpUser(user).pipe(Effect.orDie, Effect.provideService(SqlClient.SqlClient, sql)), Effect.asVoid(running.step({ _tag: "Fund", borrower: payer })))
    })
    const api = yield* makeClusterApi({ machine, accounts, step: running.step, objects, endpoint, operators: new Set([operatorName]), nextNodeId })
    const traffic = yield* makeSqliteTrafficMeter
    const insights = yield* makeInsightsApi({
      machine, step: running.step, nextNodeId, endpoint, ledgerStore: opened.ledgerStore, flushTraffic: traffic.flush,
      orgMembers: (principal) => accounts.org(principal).pipe(Effect.map((org) => org.members.map((m) => m.user)), Effect.orElseSucceed(() => []))
    })
    const served = yield* serveCluster({ port: options.apiPort, host: options.host }).pipe(
      Effect.provideService(ClusterApi, api),
      Effect.provideService(Accounts, accounts),
      Effect.provideService(InsightsApi, insights),
      Effect.provideService(TrafficMeter, traffic)
    )
    return { api: served.url, agentPort: endpoint.port, joinPort: endpoint.joinPort, adminToken }
  })
