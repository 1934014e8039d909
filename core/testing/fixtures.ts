// Small builders shared by core's tests: nodes and jobs from [vCPU, MiB, disk MiB] triples.
import type { JobRequest } from "../coordinator/Coordinator.ts"
import type { JobId, NodeId, RegionId, UserId } from "../domain/ids.ts"
import type { JobSpec } from "../domain/job.ts"
import type { AgentMessage } from "../domain/messages.ts"
import type { NodeSpec } from "../domain/node.ts"

export type Caps = readonly [cpu: number, mem: number, disk: number]

export const nodeSpec = (id: number, [cpu, mem, disk]: Caps, speed = 1): NodeSpec => ({
  id: id as NodeId,
  resources: { vcpus: cpu, memoryMiB: mem, diskMiB: disk },
  speed,
  region: "r" as RegionId,
  askingPrice: 0
})

export const jobRequest = ([cpu, mem, disk]: Caps, requestedTimeMs = 1000, workMs = requestedTimeMs, owner = "user"): JobRequest => ({
  owner: owner as UserId,
  resources: { vcpus: cpu, memoryMiB: mem, diskMiB: disk },
  requestedTimeMs,
  workMs,
  image: "img",
  command: ["run"],
  replication: 1
})

export const jobSpec = (id: number, caps: Caps, owner = "user"): JobSpec => ({ id: id as JobId, ...jobRequest(caps, 1000, 500, owner) })

/** An attempt as the tests track it: which job, on which node, which try. */
export interface Attempt {
  readonly job: number
  readonly node: number
  readonly attempt: number
}

/** The agent's report that an attempt started. */
export const jobStarted = (a: Attempt): AgentMessage => ({ _tag: "JobStarted", nodeId: a.node as NodeId, jobId: a.job as JobId, attempt: a.attempt })

/** The agent's report that an attempt succeeded (usage is irrelevant to scheduling). */
export const jobSucceeded = (a: Attempt): AgentMessage => ({
  _tag: "JobFinished",
  nodeId: a.node as NodeId,
  jobId: a.job as JobId,
  attempt: a.attempt,
  outcome: "succeeded",
  usage: { cpuMs: 0, wallMs: 0, memoryMiBMax: 0 }
})
