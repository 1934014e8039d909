// The job lifecycle and its legal transitions. A job that lost its node goes back to `queued`
// for a retry, or to `lost` when retries are exhausted.
import { Data, Either, Schema } from "effect"
import type { JobId } from "./ids.ts"

export const JobStatus = Schema.Literal(
  "queued", "placed", "running", "succeeded", "failed", "cancelled", "lost"
)
export type JobStatus = typeof JobStatus.Type

export const terminalStatuses: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "cancelled", "lost"])
export const isTerminal = (status: JobStatus): boolean => terminalStatuses.has(status)

const legal: Readonly<Record<JobStatus, ReadonlyArray<JobStatus>>> = {
  queued: ["placed", "cancelled"],
  placed: ["running", "queued", "lost", "cancelled"],
  running: ["succeeded", "failed", "queued", "lost", "cancelled"],
  succeeded: [],
  failed: [],
  cancelled: [],
  lost: []
}

export const canTransition = (from: JobStatus, to: JobStatus): boolean => legal[from].includes(to)

export class IllegalTransition extends Data.TaggedError("IllegalTransition")<{
  readonly jobId: JobId
  readonly from: JobStatus
  readonly to: JobStatus
}> {
  override get message() {
    return `job ${this.jobId}: illegal transition ${this.from} -> ${this.to}`
  }
}

export const transition = (jobId: JobId, from: JobStatus, to: JobStatus): Either.Either<JobStatus, IllegalTransition> =>
  canTransition(from, to) ? Either.right(to) : Either.left(new IllegalTransition({ jobId, from, to }))

/** Dense numeric codes so job tables can keep status in a Uint8Array. */
export const statusCodes: ReadonlyArray<JobStatus> = JobStatus.literals
export const statusCode = (status: JobStatus): number => statusCodes.indexOf(status)
