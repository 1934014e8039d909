// ClusterApi over the running coordinator: jobs go through the logged step function, job views and
// logs are read from SQLite (what survives a restart), objects through core's ObjectStore. What
// belongs to another user is reported as unknown, never as forbidden, so nothing leaks.
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Either, Schema } from "effect"
import { JobUnsatisfiable, UnknownJob } from "../../core/coordinator/errors.ts"
import type { JobId, NodeId, UserId } from "../../core/domain/ids.ts"
import { borrowerAccount } from "../../core/economy/accounts.ts"
import { creditsFromMicroCredits } from "../../core/ledger/accounts.ts"
import { InsufficientCredits } from "../../core/ledger/errors.ts"
import { UnknownBucket, UnknownObject } from "../../core/storage/errors.ts"
import type { ObjectStoreService } from "../../core/storage/ObjectStore.ts"
import { describeRedundancy, type Redundancy } from "../../core/storage/redundancy.ts"
import type { JobRequest } from "../../core/coordinator/Coordinator.ts"
import type { AccountsShape } from "../accounts/Accounts.ts"
import { type ClusterApiShape, type Credential, Forbidden, type StorageFailure, InvalidJobInput, type JobScope, type JobView, type ObjectView, type SubmitJob } from "../api/ClusterApi.ts"
import { personalPrincipal, type Principal } from "../api/Principal.ts"
import type { AgentEndpointShape } from "../transport/AgentEndpoint.ts"
import type { ClusterMachine } from "./ClusterMachine.ts"
import type { CoordinatorInput } from "./inputs.ts"
import type { InputResult } from "./ClusterMachine.ts"
import type { JobRow } from "./store.ts"
import { userNameRule } from "../accounts/names.ts"
import { addUser, userNamePattern, userOfToken } from "./users.ts"

export interface ClusterApiDeps {
  readonly machine: ClusterMachine
  /** Sessions and API tokens of signed-up users (the `users` table's tokens are checked first). */
  readonly accounts: AccountsShape
  readonly step: (make: CoordinatorInput | ((m: ClusterMachine) => CoordinatorInput)) => Effect.Effect<InputResult>
  readonly objects: ObjectStoreService
  readonly endpoint: AgentEndpointShape
  /** Which users are operators (read at authentication). */
  readonly operators: Set<string>
  /** The id the next join token is for (ids are dense; persisted in meta). */
  readonly nextNodeId: () => Effect.Effect<NodeId, never, SqlClient.SqlClient>
}

const JobUsage = Schema.parseJson(Schema.Struct({ cpuMs: Schema.Number, wallMs: Schema.Number, memoryPeakMiB: Schema.Number, bytesIn: Schema.Number, bytesOut: Schema.Number }))
const decodeUsage = Schema.decodeUnknownOption(JobUsage)

export const jobViewOf = (row: JobRow): JobView => {
  const spec = JSON.parse(row.spec) as {
    image: string; command: Array<string>; resources: { vcpus: number; memoryMiB: number; diskMiB: number }; requestedTimeMs: number; replication: number; payer?: string
  }
  const usage = row.usage === null ? null : decodeUsage(row.usage)
  return {
    id: row.id as JobId,
    owner: row.owner as UserId,
    submittedBy: row.owner as UserId,
    payer: (spec.payer ?? row.owner) as UserId,
    replicas: spec.replication,
    state: row.state as JobView["state"],
    image: spec.image,
    command: spec.command,
    vcpus: spec.resources.vcpus,
    memoryMiB: spec.resources.memoryMiB,
    diskMiB: spec.resources.diskMiB,
    timeoutS: spec.requestedTimeMs / 1000,
    submittedAtMs: row.submitted_at_ms,
    startedAtMs: row.started_at_ms,
    runningAtMs: row.running_at_ms ?? null,
    endedAtMs: row.ended_at_ms,
    node: row.node as NodeId | null,
    attempts: row.attempts,
    exitCode: row.exit_code,
    reason: row.reason,
    usage: usage === null ? null : usage._tag === "Some" ? usage.value : null,
    costCredits: creditsFromMicroCredits(row.cost_micro),
    outputs: JSON.parse(row.outputs) as Array<string>
  }
}

/** The redundancy a new bucket gets: the default where there are nodes enough, less on a small cluster. */
export const redundancyFor = (nodes: number): Redundancy =>
  nodes >= 6 ? { kind: "rs", k: 4, m: 2 } : nodes >= 3 ? { kind: "rs", k: nodes - 1, m: 1 } : { kind: "replication", r: Math.max(1, nodes) }

/** The user's bucket, created on first use; a name another user has taken is refused as unknown. */
export const ensureOwnBucket = (objects: ObjectStoreService, user: string, bucket: string): Effect.Effect<void, StorageFailure> =>
  Effect.gen(function* () {
    const b = (yield* objects.listBuckets()).find((x) => x.name === bucket)
    if (b !== undefined && b.owner !== user) return yield* new UnknownBucket({ bucket })
    if (b !== undefined) return
    const redundancy = redundancyFor(objects.nodeCount())
    // A single copy has no margin to repair at: it is repaired only when it is gone.
    yield* objects.createBucket({ name: bucket, owner: user, redundancy, ...(redundancy.kind === "replication" && redundancy.r === 1 ? { repairAtHealthy: 1 } : {}) })
  })

/** The default bucket a user's job outputs go to. */
export const outputBucketOf = (user: string) => `${user}-outputs`

export const makeClusterApi = (deps: ClusterApiDeps) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const { objects, machine } = deps
    const orDie = Effect.orDie

    /** The organisation whose jobs the principal may see besides their own: theirs, if they are its admin. */
    const adminOf = (p: Principal): string | null => p.org !== null && p.org.role === "admin" ? p.org.id : null
    const visible = (p: Principal, row: JobRow) => row.owner === p.user || (adminOf(p) !== null && row.payer === adminOf(p))
    const jobRow = (p: Principal, id: number) =>
      Effect.flatMap(orDie(sql<JobRow>`SELECT * FROM jobs WHERE id = ${id}`), (rows) =>
        rows[0] === undefined || !visible(p, rows[0]) ? Effect.fail(new UnknownJob({ jobId: id })) : Effect.succeed(rows[0]))
    const job = (p: Principal, id: number) => Effect.map(jobRow(p, id), jobViewOf)
    const jobsIn = (p: Principal, scope: JobScope) => {
      const org = adminOf(p)
      return scope === "all" && org !== null
        ? sql<JobRow>`SELECT * FROM jobs WHERE owner = ${p.user} OR payer = ${org} ORDER BY id DESC`
        : sql<JobRow>`SELECT * FROM jobs WHERE owner = ${p.user} ORDER BY id DESC`
    }

    const requestOf = (p: Principal, body: SubmitJob, outputBucket: string, nextJobId: number): JobRequest => ({
      owner: p.user,
      ...(p.payer !== p.user ? { payer: p.payer } : {}),
      resources: { vcpus: body.vcpus, memoryMiB: body.memoryMiB, diskMiB: body.diskMiB },
      requestedTimeMs: body.timeoutS * 1000,
      // Live jobs have no known work: the borrower's limit is the only estimate there is.
      workMs: body.timeoutS * 1000,
      image: body.image,
      command: body.command,
      replication: body.replicas,
      io: {
        env: body.env,
        inputs: body.inputs.map((i) => ({ bucket: i.bucket, key: i.key, path: i.path ?? i.key })),
        output: { bucket: outputBucket, prefix: `job-${nextJobId}/` },
        network: body.network
      }
    })

    /** Bearer tokens of operator-made users (the `users` table); everything else is the accounts store's. */
    const authenticate = (credential: Credential) =>
      Effect.gen(function* () {
        if (credential._tag === "Bearer") {
          const row = yield* orDie(userOfToken(credential.token).pipe(Effect.provideService(SqlClient.SqlClient, sql)))
          if (row !== undefined) {
            if (row.operator === 1) deps.operators.add(row.name)
            return { principal: personalPrincipal(row.name as UserId, "token", row.operator === 1), csrfToken: null }
          }
        }
        return yield* deps.accounts.authenticate(credential)
      })

    /** The bucket, if the user owns it; another's bucket is as unknown as a missing one. */
    const ownBucket = (user: UserId, bucket: string) =>
      Effect.flatMap(objects.listBuckets(), (buckets) => {
        const b = buckets.find((x) => x.name === bucket)
        return b === undefined || b.owner !== user ? Effect.fail(new UnknownBucket({ bucket })) : Effect.succeed(b)
      })
    const ensureBucket = (user: UserId, bucket: string) => ensureOwnBucket(objects, user, bucket)
    const objectView = (bucket: string, key: string) =>
      Effect.gen(function* () {
        const r = yield* objects.headObject(bucket, key)
        const h = yield* objects.health(bucket, key)
        return { bucket, key, sizeBytes: r.sizeBytes, contentSha256: r.contentSha256, createdAtMs: r.createdAtMs, healthyShards: h.healthy, k: h.k, n: h.n } satisfies ObjectView
      })

    const api: ClusterApiShape = {
      authenticate,

      submitJob: (principal, body) =>
        Effect.gen(function* () {
          for (const [i, input] of body.inputs.entries()) {
            const known = yield* Effect.either(ownBucket(principal.user, input.bucket).pipe(Effect.zipRight(objects.headObject(input.bucket, input.key))))
            if (Either.isLeft(known)) return yield* new InvalidJobInput({ field: `inputs[${i}]`, reason: `no object ${input.bucket}/${input.key} of yours` })
            const path = input.path ?? input.key
            if (path.startsWith("/") || path.split("/").includes("..")) return yield* new InvalidJobInput({ field: `inputs[${i}].path`, reason: "must be a relative path without '..'" })
          }
          const outputBucket = body.outputBucket ?? outputBucketOf(principal.user)
          const ensured = yield* Effect.either(ensureBucket(principal.user, outputBucket))
          if (Either.isLeft(ensured)) return yield* new InvalidJobInput({ field: "outputBucket", reason: ensured.left.message })
          const result = yield* deps.step((m) => ({ _tag: "Submit", request: requestOf(principal, body, outputBucket, m.coordinator.nextJobId) }))
          if (result._tag === "Submitted") return yield* job(principal, result.job).pipe(Effect.orDie)
          if (result._tag === "Refused" && (result.error instanceof JobUnsatisfiable || result.error instanceof InsufficientCredits)) return yield* Effect.fail(result.error)
          return yield* Effect.dieMessage(`submit gave ${result._tag}`)
        }),

      estimateJob: (principal, body) =>
        Effect.gen(function* () {
          const request = requestOf(principal, body, body.outputBucket ?? outputBucketOf(principal.user), machine.coordinator.nextJobId)
          const admissible = machine.coordinator.admissible(request)
          if (Either.isLeft(admissible)) return yield* admissible.left
          const max = machine.market.estimate(request).maxMicroCredits
          const balance = machine.book.balance(borrowerAccount(principal.payer))
          return { maxCredits: creditsFromMicroCredits(max), balanceCredits: creditsFromMicroCredits(balance), affordable: balance >= max }
        }),
      job,
      jobs: (principal, scope) => orDie(Effect.map(jobsIn(principal, scope), (rows) => rows.map(jobViewOf))),
      cancelJob: (principal, id) =>
        Effect.gen(function* () {
          yield* jobRow(principal, id)
          yield* deps.step({ _tag: "Cancel", job: id as JobId })
          return yield* job(principal, id)
        }),
      jobLogs: (principal, id) =>
        Effect.gen(function* () {
          yield* jobRow(principal, id)
          const rows = yield* orDie(sql<{ stream: string; text: string }>`SELECT stream, text FROM job_logs WHERE job_id = ${id}
            AND attempt = (SELECT max(attempt) FROM job_logs WHERE job_id = ${id}) ORDER BY rowid`)
          return {
            stdout: rows.filter((r) => r.stream === "stdout").map((r) => r.text).join(""),
            stderr: rows.filter((r) => r.stream === "stderr").map((r) => r.text).join("")
          }
        }),

      jobOutput: (principal, id, name) =>
        Effect.gen(function* () {
          const row = yield* jobRow(principal, id)
          const slash = name.indexOf("/")
          const [bucket, key] = slash > 0 ? [name.slice(0, slash), name.slice(slash + 1)] : [name, ""]
          if (!(JSON.parse(row.outputs) as Array<string>).includes(name)) return yield* new UnknownObject({ bucket, key })
          return yield* objects.getObject(bucket, key)
        }),

      putObject: ({ user }, bucket, key, data) =>
        Effect.gen(function* () {
          yield* ensureBucket(user, bucket)
          yield* objects.putObject({ bucket, key, data, owner: user })
          return yield* objectView(bucket, key)
        }),
      getObject: ({ user }, bucket, key) => Effect.zipRight(ownBucket(user, bucket), objects.getObject(bucket, key)),
      headObject: ({ user }, bucket, key) => Effect.zipRight(ownBucket(user, bucket), objectView(bucket, key)),
      listObjects: ({ user }, bucket, prefix) =>
        Effect.gen(function* () {
          yield* ownBucket(user, bucket)
          const out: Array<ObjectView> = []
          let after: string | undefined
          for (;;) {
            const page = yield* objects.listObjects(bucket, { prefix, ...(after !== undefined ? { after } : {}) })
            for (const o of page.objects) out.push(yield* objectView(bucket, o.key))
            if (page.nextAfter === undefined) return out
            after = page.nextAfter
          }
        }),
      deleteObject: ({ user }, bucket, key) => Effect.zipRight(ownBucket(user, bucket), objects.deleteObject(bucket, key)),
      buckets: ({ user }) =>
        Effect.map(objects.listBuckets(), (buckets) =>
          buckets.filter((b) => b.owner === user).map((b) => ({ name: b.name, redundancy: describeRedundancy(b.redundancy), createdAtMs: b.createdAtMs }))),

      nodes: () =>
        Effect.gen(function* () {
          const rows = yield* orDie(sql<{ id: number; spec: string }>`SELECT id, spec FROM nodes ORDER BY id`)
          const connected = new Set(yield* deps.endpoint.connectedNodes)
          const c = machine.coordinator.cluster
          return rows.map((row) => {
            const spec = JSON.parse(row.spec) as { region: string }
            const i = row.id
            return {
              id: i as NodeId,
              online: c.online[i] === 1 && connected.has(i as NodeId),
              vcpus: c.capCpu[i]!,
              memoryMiB: c.capMem[i]!,
              diskMiB: c.capDisk[i]!,
              allocatedVcpus: c.capCpu[i]! - c.freeCpu[i]!,
              region: spec.region,
              runningJobs: machine.coordinator.jobsOn(i).length,
              reputation: c.reputation[i]!,
              lastSeenMs: machine.coordinator.lastSeen(i)
            }
          })
        }),

      credits: (principal) =>
        Effect.sync(() => {
          const user = principal.payer
          // A member's jobs draw on the organisation's balance, but only its admins read its ledger.
          const seesLedger = principal.org === null || principal.org.role === "admin"
          const account = borrowerAccount(user)
          const book = machine.book
          const escrow = book.openEscrows().filter((e) => e.payer === account).reduce((s, e) => s + e.remaining, 0)
          const entries = !seesLedger ? [] : book.entries
            .filter((e) => e.postings.some((p) => p.account === account))
            .slice(-200)
            .map((e) => ({
              seq: e.seq,
              atMs: e.timeMs,
              kind: e.kind,
              amountCredits: creditsFromMicroCredits(e.postings.filter((p) => p.account === account).reduce((s, p) => s + p.amount, 0)),
              memo: e.memo
            }))
          return { user, balanceCredits: creditsFromMicroCredits(book.balance(account)), escrowCredits: creditsFromMicroCredits(escrow), entries }
        }),

      createJoinToken: ({ user }) =>
        Effect.gen(function* () {
          if (!deps.operators.has(user)) return yield* new Forbidden({ action: "create join tokens" })
          const nodeId = yield* deps.nextNodeId().pipe(Effect.provideService(SqlClient.SqlClient, sql))
          const token = yield* Effect.orDie(deps.endpoint.createJoinToken(nodeId))
          return { nodeId, token }
        }),
      createUser: ({ user }, name) =>
        Effect.gen(function* () {
          if (!deps.operators.has(user)) return yield* new Forbidden({ action: "create users" })
          if (!userNamePattern.test(name)) return yield* new InvalidJobInput({ field: "name", reason: userNameRule })
          const [taken] = yield* orDie(sql<{ n: number }>`SELECT count(*) AS n FROM users WHERE name = ${name}`)
          if ((taken?.n ?? 0) > 0) return yield* new InvalidJobInput({ field: "name", reason: `${name} is taken` })
          const token = yield* orDie(addUser(name, false).pipe(Effect.provideService(SqlClient.SqlClient, sql)))
          return { user: name as UserId, token }
        })
    }
    return api
  })
