// A borrower's job: what it needs, how long the borrower says it runs, and how much work it is.
import { Schema } from "effect"
import { JobId, UserId } from "./ids.ts"
import { Resources } from "./resources.ts"

/** An object copied into the guest at `/in/<path>` before the job starts. */
export const JobInputRef = Schema.Struct({ bucket: Schema.String, key: Schema.String, path: Schema.String })

export const JobIo = Schema.Struct({
  env: Schema.Record({ key: Schema.String, value: Schema.String }),
  inputs: Schema.Array(JobInputRef),
  /** Files written under /out become objects `<bucket>/<prefix><path>`. */
  output: Schema.Struct({ bucket: Schema.String, prefix: Schema.String }),
  /** The job asks for a network interface; an agent grants it only if its lender allows. */
  network: Schema.Boolean
})
export type JobIo = typeof JobIo.Type

export const JobSpec = Schema.Struct({
  id: JobId,
  owner: UserId,
  /** Whose credits pay for the job when not the owner's (an organisation paying for its members' jobs). */
  payer: Schema.optional(UserId),
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
  minReputation: Schema.optional(Schema.Number.pipe(Schema.between(0, 1))),
  /** What only a real sandbox uses (the simulator's ignores it): environment, inputs, outputs, network. */
  io: Schema.optional(JobIo)
})
export type JobSpec = typeof JobSpec.Type
