// A borrower's job: what it needs, how long the borrower says it runs, and how much work it is.
import { Schema } from "effect"
import { JobId, UserId } from "./ids.ts"
import { Resources } from "./resources.ts"

export const JobSpec = Schema.Struct({
  id: JobId,
  owner: UserId,
  resources: Resources,
  /** The borrower's upper bound on run time (used by backfilling and as a kill limit). */
  requestedTimeMs: Schema.Positive,
  /** Run time on a reference-speed node; the simulator's sandbox divides it by node speed. */
  workMs: Schema.NonNegative,
  image: Schema.String,
  command: Schema.Array(Schema.String),
  /** Replicas run for result verification (1 = no verification). */
  replication: Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)),
  /** Marketplace: the most the borrower pays per vCPU-hour (absent: any price). */
  priceCap: Schema.optional(Schema.NonNegative),
  /** Marketplace: the least reputation score (0..1) a node must have to run the job. */
  minReputation: Schema.optional(Schema.Number.pipe(Schema.between(0, 1)))
})
export type JobSpec = typeof JobSpec.Type
