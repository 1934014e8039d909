// An in-memory ClusterApi for tests only (route tests, CLI tests): enough behaviour to exercise every
// route and every error mapping, no scheduling. Jobs stay where the test puts them (`control.setJob`).
// Ownership works as in the real port: another user's job or bucket is reported as unknown.
// Its layer brings the real accounts store over an in-memory SQLite database, so sign-up, sessions,
// API tokens and organisations work as they do in the daemon; the stub's own users are bearer tokens.
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Effect, Layer } from "effect"
import { Accounts } from "../accounts/Accounts.ts"
import { type AccountsOptions, layerSqliteAccounts } from "../accounts/sqliteAccounts.ts"
import { JobUnsatisfiable, UnknownJob } from "../../core/coordinator/errors.ts"
import { sha256Hex } from "../../core/crypto/sha256.ts"
import type { JobId, NodeId, UserId } from "../../core/domain/ids.ts"
import { microCreditsFromCredits } from "../../core/ledger/accounts.ts"
import { InsufficientCredits } from "../../core/ledger/errors.ts"
import { InvalidStorageInput, ObjectUnavailable, UnknownBucket, UnknownObject } from "../../core/storage/errors.ts"
import {
  type Authenticated,
  type BucketView,
  ClusterApi,
  type ClusterApiShape,
  Forbidden,
  InvalidJobInput,
  type JobLogs,
  type JobView,
  type NodeView,
  type ObjectView,
  queuedJobView,
  Unauthenticated
} from "./ClusterApi.ts"
import { personalPrincipal, type Principal, type TrafficMeter } from "./Principal.ts"
import { layerNoTraffic } from "./trafficMeter.ts"

export interface StubUser {
  readonly name: string
  readonly token: string
  readonly operator?: boolean
  readonly balanceCredits?: number
}

export interface StubOptions {
  readonly users: ReadonlyArray<StubUser>
  /** A job asking for more vCPUs than this is unsatisfiable. Default 4. */
  readonly vcpusMax?: number
  /** What a job costs per vCPU-second of its timeout. Default 0.001. */
  readonly creditsPerVcpuSecond?: number
  /** For the accounts store (login limits, session lifetime); hashing is cheap here by default. */
  readonly accounts?: AccountsOptions
  /** Default: a meter that keeps nothing. */
  readonly traffic?: Layer.Layer<TrafficMeter>
}

export interface StubControl {
  readonly setJob: (id: number, patch: Partial<JobView>) => void
  readonly appendLogs: (id: number, logs: Partial<JobLogs>) => void
  /** Reads of this object fail with ObjectUnavailable (as when too many shards are lost). */
  readonly loseObject: (bucket: string, key: string) => void
  readonly jobCount: () => number
  /** Payers given the sign-up grant, in order (as the daemon steps `Fund`). */
  readonly funded: () => ReadonlyArray<string>
}

interface StoredBucket {
  readonly owner: UserId
  readonly createdAtMs: number
  readonly objects: Map<string, { readonly data: Uint8Array; readonly view: ObjectView }>
}

const bucketName = /^[a-z0-9][a-z0-9.-]{1,62}$/

export const makeStubClusterApi = (options: StubOptions): { readonly api: ClusterApiShape; readonly layer: Layer.Layer<ClusterApi | Accounts | TrafficMeter>; readonly control: StubControl } => {
  const users = new Map(options.users.map((u) => [u.token, u]))
  const balances = new Map(options.users.map((u) => [u.name, u.balanceCredits ?? 100]))
  const jobs: Array<JobView> = []
  const logs = new Map<number, { stdout: string; stderr: string }>()
  const buckets = new Map<string, StoredBucket>()
  const lost = new Set<string>()
  const vcpusMax = options.vcpusMax ?? 4
  const price = options.creditsPerVcpuSecond ?? 0.001
  let clockMs = 1_700_000_000_000
  const now = () => (clockMs += 1)

  const isOperator = (user: UserId) => options.users.some((u) => u.name === user && u.operator === true) || [...users.values()].some((u) => u.name === user && u.operator === true)
  // As the real port: one's own jobs, and an org admin also the org's.
  const visible = (p: Principal, job: JobView) => job.owner === p.user || (p.org !== null && p.org.role === "admin" && job.payer === p.org.id)
  const ownJob = (p: Principal, id: number) => {
    const job = jobs[id]
    return job !== undefined && visible(p, job) ? Effect.succeed(job) : Effect.fail(new UnknownJob({ jobId: id }))
  }
  const costOf = (job: { readonly vcpus: number; readonly timeoutS: number; readonly replicas: number }) => job.vcpus * job.timeoutS * job.replicas * price
  const checkBucketName = (bucket: string) =>
    bucketName.test(bucket) ? Effect.void : Effect.fail(new InvalidStorageInput({ field: "bucket", reason: `"${bucket}" is not 2-63 lowercase letters, digits, dots or dashes` }))
  const ownBucket = (user: UserId, bucket: string) => {
    const stored = buckets.get(bucket)
    return stored !== undefined && stored.owner === user ? Effect.succeed(stored) : Effect.fail(new UnknownBucket({ bucket }))
  }
  const ownObject = (user: UserId, bucket: string, key: string) =>
    Effect.flatMap(ownBucket(user, bucket), (stored) => {
      const object = stored.objects.get(key)
      return object === undefined ? Effect.fail(new UnknownObject({ bucket, key })) : Effect.succeed(object)
    })

  const api: ClusterApiShape = {
    authenticate: (credential) => {
      const user = credential._tag === "Bearer" ? users.get(credential.token) : undefined
      return user === undefined
        ? Effect.fail(new Unauthenticated({ reason: credential._tag === "Bearer" ? "the token is not known to this cluster" : "the session is not known or has expired" }))
        : Effect.succeed<Authenticated>({ principal: personalPrincipal(user.name as UserId, "token", user.operator === true), csrfToken: null })
    },
    estimateJob: (principal, job) =>
      job.vcpus > vcpusMax
        ? Effect.fail(new JobUnsatisfiable({ vcpus: job.vcpus, memoryMiB: job.memoryMiB, diskMiB: job.diskMiB, reason: "no enrolled node is that large" }))
        : Effect.sync(() => {
          const balanceCredits = balances.get(principal.payer) ?? 0
          return { maxCredits: costOf(job), balanceCredits, affordable: costOf(job) <= balanceCredits }
        }),
    submitJob: (principal, job) =>
      Effect.gen(function* () {
        if (job.vcpus > vcpusMax) return yield* Effect.fail(new JobUnsatisfiable({ vcpus: job.vcpus, memoryMiB: job.memoryMiB, diskMiB: job.diskMiB, reason: "no enrolled node is that large" }))
        for (const [i, input] of job.inputs.entries()) {
          const readable = yield* Effect.either(ownObject(principal.user, input.bucket, input.key))
          if (readable._tag === "Left") return yield* Effect.fail(new InvalidJobInput({ field: `inputs[${i}]`, reason: readable.left.message }))
        }
        const cost = costOf(job)
        const balance = balances.get(principal.payer) ?? 0
        if (cost > balance) {
          return yield* Effect.fail(new InsufficientCredits({ account: `user:${principal.payer}`, balance: microCreditsFromCredits(balance), amount: microCreditsFromCredits(cost) }))
        }
        balances.set(principal.payer, balance - cost)
        const view = queuedJobView({
          id: jobs.length as JobId,
          owner: principal.user,
          submittedBy: principal.user,
          payer: principal.payer,
          replicas: job.replicas,
          image: job.image,
          command: job.command,
          vcpus: job.vcpus,
          memoryMiB: job.memoryMiB,
          diskMiB: job.diskMiB,
          timeoutS: job.timeoutS,
          submittedAtMs: now(),
          costCredits: cost
        })
        jobs.push(view)
        logs.set(view.id, { stdout: "", stderr: "" })
        return view
      }),
    job: ownJob,
    jobs: (principal, scope) => Effect.sync(() => jobs.filter((j) => scope === "all" ? visible(principal, j) : j.owner === principal.user).reverse()),
    cancelJob: (principal, id) =>
      Effect.map(ownJob(principal, id), (job) => {
        if (["succeeded", "failed", "cancelled", "lost"].includes(job.state)) return job
        const cancelled: JobView = { ...job, state: "cancelled", endedAtMs: now() }
        jobs[id] = cancelled
        return cancelled
      }),
    jobLogs: (principal, id) => Effect.map(ownJob(principal, id), () => ({ ...logs.get(id)! })),
    jobOutput: (principal, id, name) =>
      Effect.flatMap(ownJob(principal, id), (job) => {
        const slash = name.indexOf("/")
        const [bucket, key] = slash > 0 ? [name.slice(0, slash), name.slice(slash + 1)] : [name, ""]
        const object = job.outputs.includes(name) ? buckets.get(bucket)?.objects.get(key) : undefined
        return object === undefined ? Effect.fail(new UnknownObject({ bucket, key })) : Effect.succeed(object.data)
      }),
    putObject: ({ user }, bucket, key, data) =>
      Effect.gen(function* () {
        yield* checkBucketName(bucket)
        let stored = buckets.get(bucket)
        if (stored !== undefined && stored.owner !== user) return yield* Effect.fail(new UnknownBucket({ bucket }))
        if (stored === undefined) {
          stored = { owner: user, createdAtMs: now(), objects: new Map() }
          buckets.set(bucket, stored)
        }
        const view: ObjectView = { bucket, key, sizeBytes: data.length, contentSha256: sha256Hex(data), createdAtMs: now(), healthyShards: 6, k: 4, n: 6 }
        stored.objects.set(key, { data: data.slice(), view })
        lost.delete(`${bucket}/${key}`)
        return view
      }),
    getObject: ({ user }, bucket, key) =>
      Effect.flatMap(ownObject(user, bucket, key), (object) =>
        lost.has(`${bucket}/${key}`)
          ? Effect.fail(new ObjectUnavailable({ bucket, key, verified: 1, k: 4, reasons: ["node 2 is offline"] }))
          : Effect.succeed(object.data)),
    headObject: ({ user }, bucket, key) => Effect.map(ownObject(user, bucket, key), (object) => object.view),
    listObjects: ({ user }, bucket, prefix) =>
      Effect.map(ownBucket(user, bucket), (stored) =>
        [...stored.objects.values()].map((o) => o.view).filter((v) => v.key.startsWith(prefix)).sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    deleteObject: ({ user }, bucket, key) => Effect.map(ownObject(user, bucket, key), () => void buckets.get(bucket)!.objects.delete(key)),
    buckets: ({ user }) =>
      Effect.sync(() =>
        [...buckets.entries()].filter(([, b]) => b.owner === user).map(([name, b]): BucketView => ({ name, redundancy: "rs(4,2)", createdAtMs: b.createdAtMs }))),
    nodes: () =>
      Effect.succeed([0, 1, 2].map((i): NodeView => ({
        id: i as NodeId,
        online: i !== 2,
        vcpus: vcpusMax,
        memoryMiB: 4096,
        diskMiB: 20_480,
        allocatedVcpus: jobs.filter((j) => j.node === i && j.state === "running").length,
        region: "local",
        runningJobs: jobs.filter((j) => j.node === i && j.state === "running").length,
        reputation: 1,
        lastSeenMs: clockMs
      }))),
    credits: ({ payer }) => Effect.sync(() => ({ user: payer, balanceCredits: balances.get(payer) ?? 0, escrowCredits: 0, entries: [] })),
    createJoinToken: ({ user }) =>
      isOperator(user) ? Effect.succeed({ nodeId: 3 as NodeId, token: `join-${now()}` }) : Effect.fail(new Forbidden({ action: "create join tokens" })),
    createUser: ({ user }, name) =>
      Effect.gen(function* () {
        if (!isOperator(user)) return yield* Effect.fail(new Forbidden({ action: "add users" }))
        if (balances.has(name)) return yield* Effect.fail(new InvalidJobInput({ field: "name", reason: `a user named "${name}" already exists` }))
        const token = `token-${name}-${now()}`
        users.set(token, { name, token })
        balances.set(name, 100)
        return { user: name as UserId, token }
      })
  }

  const controlBase: Omit<StubControl, "funded"> = {
    setJob: (id, patch) => {
      jobs[id] = { ...jobs[id]!, ...patch }
    },
    appendLogs: (id, more) => {
      const current = logs.get(id)!
      logs.set(id, { stdout: current.stdout + (more.stdout ?? ""), stderr: current.stderr + (more.stderr ?? "") })
    },
    loseObject: (bucket, key) => void lost.add(`${bucket}/${key}`),
    jobCount: () => jobs.length
  }

  const funded: Array<string> = []
  const accounts = layerSqliteAccounts({
    scryptCost: { N: 1024, r: 8, p: 1 },
    nameInUse: (name) => Effect.sync(() => balances.has(name) && !name.startsWith("org.")),
    isOperator: (user) => Effect.sync(() => isOperator(user)),
    onSignedUp: (_user, payer) => Effect.sync(() => {
      funded.push(payer)
      if (!balances.has(payer)) balances.set(payer, 100)
    }),
    ...options.accounts
  }).pipe(Layer.provide(Layer.orDie(SqliteClient.layer({ filename: ":memory:" }))))
  // The stub's users first, then sessions and API tokens of the accounts store.
  const withAccounts = Layer.effect(ClusterApi, Effect.map(Accounts, (store) => ClusterApi.of({
    ...api,
    authenticate: (credential) =>
      Effect.catchAll(api.authenticate(credential), (own) =>
        Effect.mapError(store.authenticate(credential), (theirs) => (credential._tag === "Bearer" ? own : theirs)))
  })))
  const control: StubControl = { ...controlBase, funded: () => [...funded] }
  // By default a meter that keeps nothing: the CLI's tests serve these routes and do not look at traffic.
  return { api, layer: Layer.merge(Layer.provideMerge(withAccounts, accounts), options.traffic ?? layerNoTraffic), control }
}
