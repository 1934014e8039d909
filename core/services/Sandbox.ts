// The sandbox port: run one job attempt to its end. Interrupting the effect stops the job.
// Sim provides a virtual sandbox (run time = work / node speed, in virtual time); live provides
// QEMU microVMs.
import { Context, type Effect, Schema } from "effect"
import type { JobSpec } from "../domain/job.ts"
import type { Usage } from "../domain/messages.ts"
import type { NodeSpec } from "../domain/node.ts"

export interface SandboxRun {
  readonly job: JobSpec
  readonly attempt: number
  readonly node: NodeSpec
}

export interface SandboxExit {
  readonly outcome: "succeeded" | "failed"
  readonly usage: Usage
  /** Digest of the job's outputs, for comparing replicas. */
  readonly resultDigest?: string
}

export class SandboxError extends Schema.TaggedError<SandboxError>()("SandboxError", {
  jobId: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `sandbox for job ${this.jobId} failed: ${this.reason}`
  }
}

export class Sandbox extends Context.Tag("crowdcloud/Sandbox")<Sandbox, {
  readonly run: (run: SandboxRun) => Effect.Effect<SandboxExit, SandboxError>
}>() {}

/** The reference model of a job's wall time on a node: its work scaled by the node's speed. */
export const modelRunTimeMs = (job: JobSpec, node: NodeSpec): number => job.workMs / node.speed
