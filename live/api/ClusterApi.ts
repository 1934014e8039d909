// The port the HTTP API talks to: everything a borrower, a lender or the operator can ask of a live
// cluster. The coordinator daemon provides it (live/coordinator); route tests provide a stub.
// Every call names the authenticated Principal (user, organisation, payer); what the caller may not
// see is reported as unknown, so no one learns what others have.
import { Context, Data, type Effect, Schema } from "effect"
import type { JobUnsatisfiable, UnknownJob } from "../../core/coordinator/errors.ts"
import { JobId, NodeId, UserId } from "../../core/domain/ids.ts"
import { JobStatus } from "../../core/domain/lifecycle.ts"
import type { InsufficientCredits } from "../../core/ledger/errors.ts"
import type { Principal } from "./Principal.ts"
import type { BucketExists, InvalidStorageInput, NotEnoughNodes, ObjectUnavailable, UnknownBucket, UnknownObject, WriteFailed } from "../../core/storage/errors.ts"

const PositiveInt = Schema.Int.pipe(Schema.positive())

/** An input object copied into the guest before the job starts. */
export const JobInput = Schema.Struct({
  bucket: Schema.String,
  key: Schema.String,
  /** Where the guest sees it, relative to /in; default: the key. */
  path: Schema.optional(Schema.String)
})
export type JobInput = typeof JobInput.Type

/** A job as a borrower submits it over the API (`POST /api/jobs`). */
export const SubmitJob = Schema.Struct({
  image: Schema.Literal("busybox", "python"),
  command: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  vcpus: PositiveInt,
  memoryMiB: PositiveInt,
  diskMiB: Schema.optionalWith(Schema.NonNegativeInt, { default: () => 64 }),
  /** Wall-clock limit; the job is stopped past it. */
  timeoutS: PositiveInt,
  env: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), { default: () => ({}) }),
  inputs: Schema.optionalWith(Schema.Array(JobInput), { default: () => [] }),
  /** Files the job writes under /out become objects `<bucket>/<prefix><path>`; default bucket `outputs`, prefix `job-<id>/`. */
  outputBucket: Schema.optional(Schema.String),
  /** The job asks for a network interface (granted only on agents whose lender allows it). */
  network: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** How many copies run for verification (core's `replication`); each is paid for. */
  replicas: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 3)), { default: () => 1 })
})
export type SubmitJob = typeof SubmitJob.Type

export const JobUsage = Schema.Struct({
  cpuMs: Schema.Number,
  wallMs: Schema.Number,
  memoryPeakMiB: Schema.Number,
  bytesIn: Schema.Number,
  bytesOut: Schema.Number
})

/** A job as the API shows it; `state` is the lifecycle status (the CLI's `job status --json` relies on it). */
export const JobView = Schema.Struct({
  id: JobId,
  owner: UserId,
  /** Who submitted it (the same as `owner`). */
  submittedBy: UserId,
  /** Whose credits pay for it: the submitter's organisation for a company user, else the submitter. */
  payer: UserId,
  replicas: Schema.Number,
  state: JobStatus,
  image: Schema.String,
  command: Schema.Array(Schema.String),
  vcpus: Schema.Number,
  memoryMiB: Schema.Number,
  diskMiB: Schema.Number,
  timeoutS: Schema.Number,
  submittedAtMs: Schema.Number,
  /** When the node admitted the attempt (core's JobStarted), before its VM starts the job. */
  startedAtMs: Schema.NullOr(Schema.Number),
  /** When the guest started the job's process; submitted -> running is the start latency. */
  runningAtMs: Schema.NullOr(Schema.Number),
  endedAtMs: Schema.NullOr(Schema.Number),
  /** The node of the current or last attempt. */
  node: Schema.NullOr(NodeId),
  attempts: Schema.Number,
  exitCode: Schema.NullOr(Schema.Number),
  /** Why it failed or was stopped (a limit, a lost node), when it did. */
  reason: Schema.NullOr(Schema.String),
  usage: Schema.NullOr(JobUsage),
  /** What the job cost so far, in credits. */
  costCredits: Schema.Number,
  /** Objects made from its /out files, as `bucket/key`. */
  outputs: Schema.Array(Schema.String)
})
export type JobView = typeof JobView.Type

/** What a submission fixes about a job; everything else a JobView says comes later. */
export type SubmittedJobFacts = Omit<JobView, "state" | "startedAtMs" | "runningAtMs" | "endedAtMs" | "node" | "attempts" | "exitCode" | "reason" | "usage" | "outputs">

/** A job just submitted: queued, on no node, not started, no usage or outputs yet. */
export const queuedJobView = (facts: SubmittedJobFacts): JobView => ({
  ...facts,
  state: "queued",
  startedAtMs: null,
  runningAtMs: null,
  endedAtMs: null,
  node: null,
  attempts: 0,
  exitCode: null,
  reason: null,
  usage: null,
  outputs: []
})

/** What a submission would cost at most, against what the payer has (`POST /api/jobs/estimate`). */
export const JobEstimate = Schema.Struct({ maxCredits: Schema.Number, balanceCredits: Schema.Number, affordable: Schema.Boolean })
export type JobEstimate = typeof JobEstimate.Type

/** `GET /api/jobs?scope=`: the caller's own jobs, or every job the caller may see (an org admin: the org's too). */
export type JobScope = "mine" | "all"

export const JobLogs = Schema.Struct({ stdout: Schema.String, stderr: Schema.String })
export type JobLogs = typeof JobLogs.Type

export const ObjectView = Schema.Struct({
  bucket: Schema.String,
  key: Schema.String,
  sizeBytes: Schema.Number,
  contentSha256: Schema.String,
  createdAtMs: Schema.Number,
  /** Shards whose node is there and not known bad, of `n`; readable while at least `k`. */
  healthyShards: Schema.Number,
  k: Schema.Number,
  n: Schema.Number
})
export type ObjectView = typeof ObjectView.Type

export const BucketView = Schema.Struct({ name: Schema.String, redundancy: Schema.String, createdAtMs: Schema.Number })
export type BucketView = typeof BucketView.Type

export const NodeView = Schema.Struct({
  id: NodeId,
  online: Schema.Boolean,
  vcpus: Schema.Number,
  memoryMiB: Schema.Number,
  diskMiB: Schema.Number,
  allocatedVcpus: Schema.Number,
  region: Schema.String,
  runningJobs: Schema.Number,
  reputation: Schema.Number,
  lastSeenMs: Schema.NullOr(Schema.Number)
})
export type NodeView = typeof NodeView.Type

export const LedgerLine = Schema.Struct({ seq: Schema.Number, atMs: Schema.Number, kind: Schema.String, amountCredits: Schema.Number, memo: Schema.String })
export const CreditsView = Schema.Struct({
  user: UserId,
  balanceCredits: Schema.Number,
  /** Held for jobs that have not ended. */
  escrowCredits: Schema.Number,
  entries: Schema.Array(LedgerLine)
})
export type CreditsView = typeof CreditsView.Type

/** How a request says who it is from: a session cookie or a bearer token. */
export type Credential =
  | { readonly _tag: "Session"; readonly sessionId: string }
  | { readonly _tag: "Bearer"; readonly token: string }

/** An authenticated caller, and the CSRF token a session's state-changing calls must carry (null for a bearer token). */
export interface Authenticated {
  readonly principal: Principal
  readonly csrfToken: string | null
}

/** No valid session or API token came with the request. */
export class Unauthenticated extends Data.TaggedError("Unauthenticated")<{ readonly reason: string }> {
  override get message() {
    return `not authenticated: ${this.reason}`
  }
}

/** A state-changing call authenticated by the session cookie did not carry the session's CSRF token. */
export class CsrfRejected extends Data.TaggedError("CsrfRejected")<{ readonly method: string; readonly reason: string }> {
  override get message() {
    return `${this.method} with a session cookie needs the X-CSRF-Token header (the csrfToken of GET /api/auth/me): ${this.reason}`
  }
}

/** The user is authenticated but may not do this (operator-only calls). */
export class Forbidden extends Data.TaggedError("Forbidden")<{ readonly action: string }> {
  override get message() {
    return `only the cluster operator may ${this.action}`
  }
}

/** A job names an input object the borrower cannot read, or an output bucket that is not theirs. */
export class InvalidJobInput extends Data.TaggedError("InvalidJobInput")<{ readonly field: string; readonly reason: string }> {
  override get message() {
    return `${this.field}: ${this.reason}`
  }
}

export type StorageFailure = UnknownBucket | UnknownObject | InvalidStorageInput | NotEnoughNodes | WriteFailed | ObjectUnavailable | BucketExists

export interface ClusterApiShape {
  /** The caller a session cookie (`cc_session`) or an `Authorization: Bearer` token belongs to. */
  readonly authenticate: (credential: Credential) => Effect.Effect<Authenticated, Unauthenticated>
  readonly submitJob: (principal: Principal, job: SubmitJob) => Effect.Effect<JobView, JobUnsatisfiable | InsufficientCredits | InvalidJobInput>
  /** What the job would cost at most if submitted now, and whether the payer can cover it. */
  readonly estimateJob: (principal: Principal, job: SubmitJob) => Effect.Effect<JobEstimate, JobUnsatisfiable>
  readonly job: (principal: Principal, id: number) => Effect.Effect<JobView, UnknownJob>
  /** The jobs in scope, newest first. */
  readonly jobs: (principal: Principal, scope: JobScope) => Effect.Effect<ReadonlyArray<JobView>>
  /** Cancels a job that has not ended; an ended job is left as it is. Either way, the job as it now is. */
  readonly cancelJob: (principal: Principal, id: number) => Effect.Effect<JobView, UnknownJob>
  readonly jobLogs: (principal: Principal, id: number) => Effect.Effect<JobLogs, UnknownJob>
  /**
   * One of a job's output objects (`name` as its `outputs` lists it, `bucket/key`), for whoever may see
   * the job: an organisation admin reads a member's outputs here, though the bucket is the member's.
   */
  readonly jobOutput: (principal: Principal, id: number, name: string) => Effect.Effect<Uint8Array, UnknownJob | StorageFailure>
  /** Stores an object, creating the bucket (owned by the user) on first use. */
  readonly putObject: (principal: Principal, bucket: string, key: string, data: Uint8Array) => Effect.Effect<ObjectView, StorageFailure>
  readonly getObject: (principal: Principal, bucket: string, key: string) => Effect.Effect<Uint8Array, StorageFailure>
  readonly headObject: (principal: Principal, bucket: string, key: string) => Effect.Effect<ObjectView, StorageFailure>
  readonly listObjects: (principal: Principal, bucket: string, prefix: string) => Effect.Effect<ReadonlyArray<ObjectView>, StorageFailure>
  readonly deleteObject: (principal: Principal, bucket: string, key: string) => Effect.Effect<void, StorageFailure>
  readonly buckets: (principal: Principal) => Effect.Effect<ReadonlyArray<BucketView>>
  readonly nodes: (principal: Principal) => Effect.Effect<ReadonlyArray<NodeView>>
  /** The payer's balance; its entries only for whoever may see that ledger (the user themself, an org admin). */
  readonly credits: (principal: Principal) => Effect.Effect<CreditsView>
  /** Operator only: a one-time token for a new agent (`crowdcloud agent --token`). */
  readonly createJoinToken: (principal: Principal) => Effect.Effect<{ readonly nodeId: NodeId; readonly token: string }, Forbidden>
  /** Operator only: a new borrower and their API token (shown once). */
  readonly createUser: (principal: Principal, name: string) => Effect.Effect<{ readonly user: UserId; readonly token: string }, Forbidden | InvalidJobInput>
}

export class ClusterApi extends Context.Tag("crowdcloud/live/ClusterApi")<ClusterApi, ClusterApiShape>() {}
