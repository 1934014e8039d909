// The port the HTTP API talks to: what a borrower can do with jobs. The live coordinator daemon
// provides it over core's Coordinator (see layerCoordinator.ts); tests may provide a stub.
import { Context, type Effect, Schema } from "effect"
import type { JobUnsatisfiable, UnknownJob } from "../../core/coordinator/errors.ts"
import { JobId, UserId } from "../../core/domain/ids.ts"
import { JobStatus } from "../../core/domain/lifecycle.ts"

const PositiveInt = Schema.Int.pipe(Schema.positive())

/** A job as a borrower submits it over the API (`POST /api/jobs`). */
export const SubmitJob = Schema.Struct({
  image: Schema.NonEmptyTrimmedString,
  command: Schema.Array(Schema.String).pipe(Schema.minItems(1)),
  vcpus: PositiveInt,
  memoryMiB: PositiveInt,
  diskMiB: Schema.NonNegativeInt,
  /** Wall-clock limit; the job is killed past it. */
  timeoutS: PositiveInt,
  /** Until the API authenticates borrowers, the owner is stated in the request. */
  owner: UserId
})
export type SubmitJob = typeof SubmitJob.Type

/** A job as the API shows it; `state` is the lifecycle status (the CLI's `job status --json` relies on it). */
export const JobView = Schema.Struct({
  id: JobId,
  owner: UserId,
  state: JobStatus,
  image: Schema.String,
  command: Schema.Array(Schema.String),
  vcpus: Schema.Number,
  memoryMiB: Schema.Number,
  diskMiB: Schema.Number,
  timeoutS: Schema.Number
})
export type JobView = typeof JobView.Type

export class JobsApi extends Context.Tag("crowdcloud/live/JobsApi")<JobsApi, {
  readonly submit: (request: SubmitJob) => Effect.Effect<JobView, JobUnsatisfiable>
  readonly status: (id: number) => Effect.Effect<JobView, UnknownJob>
  /** Every job, oldest first; only the owner's when one is given. */
  readonly list: (owner: UserId | undefined) => Effect.Effect<ReadonlyArray<JobView>>
  /** Cancels a job that has not ended; an ended job is left as it is. Either way, the job as it now is. */
  readonly cancel: (id: number) => Effect.Effect<JobView, UnknownJob>
}>() {}
