// What drives the coordinator's state, as it is written to the input log before it is applied.
// Replaying the log through the same code rebuilds the state exactly (TigerBeetle's replica works
// so): the state machines are deterministic given their inputs and each input's time.
import { Schema } from "effect"
import { JobId, UserId } from "../../core/domain/ids.ts"
import { JobSpec } from "../../core/domain/job.ts"
import { AgentMessage } from "../../core/domain/messages.ts"
import { NodeSpec } from "../../core/domain/node.ts"

export const JobRequest = JobSpec.pipe(Schema.omit("id"))

export const CoordinatorInput = Schema.Union(
  /** A node registered for the first time: it joins the cluster and the market. */
  Schema.TaggedStruct("Enroll", { spec: NodeSpec }),
  Schema.TaggedStruct("Submit", { request: JobRequest }),
  Schema.TaggedStruct("Cancel", { job: JobId }),
  Schema.TaggedStruct("FromAgent", { message: AgentMessage }),
  /** The periodic check for silent nodes, and the market's uptime bookkeeping. */
  Schema.TaggedStruct("Tick", { intervalMs: Schema.NonNegative }),
  /** The coordinator came back after a restart. */
  Schema.TaggedStruct("Resume", {}),
  /** A borrower (a user or an organisation) signed up: their sign-up grant, once. */
  Schema.TaggedStruct("Fund", { borrower: UserId }),
  /** Credits a borrower bought; `key` names the purchase, so a retried request is credited once. */
  Schema.TaggedStruct("TopUp", { borrower: UserId, microCredits: Schema.Int.pipe(Schema.positive()), key: Schema.NonEmptyString })
)
export type CoordinatorInput = typeof CoordinatorInput.Type

export const encodeInput = (input: CoordinatorInput): string => JSON.stringify(Schema.encodeSync(CoordinatorInput)(input))
export const decodeInput = Schema.decodeUnknownEither(Schema.parseJson(CoordinatorInput))
