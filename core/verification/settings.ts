// How results are verified. A job that asks for replication r > 1 always gets r replicas and a
// majority quorum. Otherwise `adaptive` follows BOINC's adaptive replication: a job placed on a
// trusted node is spot-checked with a small probability, on any other node it gets a second replica
// at once; `none` trusts every result.
import { Schema } from "effect"

export const VerificationSettings = Schema.Struct({
  mode: Schema.optionalWith(Schema.Literal("none", "adaptive"), { default: () => "none" as const }),
  /** Probability that a trusted node's result is checked anyway. */
  spotCheckRate: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.1 }),
  /** Replicas a job may use in all while no quorum is reached (tie-breakers included). */
  maxInstances: Schema.optionalWith(Schema.Int.pipe(Schema.between(2, 16)), { default: () => 4 })
})
export type VerificationSettings = typeof VerificationSettings.Type

export const defaultVerificationSettings: VerificationSettings = { mode: "none", spotCheckRate: 0.1, maxInstances: 4 }
