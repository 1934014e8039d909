// Small builders shared by core's tests: nodes and jobs from [vCPU, MiB, disk MiB] triples.
import type { JobRequest } from "../coordinator/Coordinator.ts"
import type { JobId, NodeId, RegionId, UserId } from "../domain/ids.ts"
import type { JobSpec } from "../domain/job.ts"
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
