// Messages between coordinator and agents: tagged unions decoded at every boundary
// (the live transport decodes them from TCP frames; the simulator passes them as values).
import { Schema } from "effect"
import { JobId, NodeId } from "./ids.ts"
import { JobSpec } from "./job.ts"
import { NodeSpec } from "./node.ts"

const Attempt = Schema.NonNegativeInt

export const Usage = Schema.Struct({
  cpuMs: Schema.NonNegative,
  wallMs: Schema.NonNegative,
  memoryMiBMax: Schema.NonNegative
})
export type Usage = typeof Usage.Type

// ---- agent -> coordinator
export const Register = Schema.TaggedStruct("Register", {
  node: NodeSpec,
  /** Increases every time the agent (re)starts: a new session means the old one's jobs are gone. */
  session: Schema.NonNegativeInt
})
export const RunningAttempt = Schema.Struct({ jobId: JobId, attempt: Attempt })
/** Liveness, and the attempts the agent is running, so a lost message cannot strand a job. */
export const Heartbeat = Schema.TaggedStruct("Heartbeat", {
  nodeId: NodeId,
  session: Schema.NonNegativeInt,
  running: Schema.Array(RunningAttempt)
})
export const JobStarted = Schema.TaggedStruct("JobStarted", { nodeId: NodeId, jobId: JobId, attempt: Attempt })
export const JobRejected = Schema.TaggedStruct("JobRejected", {
  nodeId: NodeId, jobId: JobId, attempt: Attempt, reason: Schema.String
})
export const JobFinished = Schema.TaggedStruct("JobFinished", {
  nodeId: NodeId,
  jobId: JobId,
  attempt: Attempt,
  outcome: Schema.Literal("succeeded", "failed"),
  usage: Usage,
  /** Digest of the attempt's outputs, compared across replicas when the job is verified. */
  resultDigest: Schema.optional(Schema.String)
})
export const AgentMessage = Schema.Union(Register, Heartbeat, JobStarted, JobRejected, JobFinished)
export type AgentMessage = typeof AgentMessage.Type

// ---- coordinator -> agent
export const Registered = Schema.TaggedStruct("Registered", { nodeId: NodeId, session: Schema.NonNegativeInt })
/** `session` is the agent session the coordinator assigns into; an agent in another session drops it. */
export const Assign = Schema.TaggedStruct("Assign", { job: JobSpec, attempt: Attempt, session: Schema.NonNegativeInt })
export const CancelJob = Schema.TaggedStruct("CancelJob", { jobId: JobId, attempt: Attempt })
/** The coordinator timed this node out: drop every job and register with a new session. */
export const ResetAgent = Schema.TaggedStruct("ResetAgent", { nodeId: NodeId })
export const CoordinatorMessage = Schema.Union(Registered, Assign, CancelJob, ResetAgent)
export type CoordinatorMessage = typeof CoordinatorMessage.Type
