// The scheduling port: a policy looks at the queue and the cluster and commits placements.
// Policies are plain synchronous objects so the simulator can call them millions of times;
// the `Scheduler` service hands one to the coordinator in sim and live alike.
import { Context, Layer } from "effect"
import type { JobTable } from "../coordinator/JobTable.ts"
import type { ClusterState } from "./ClusterState.ts"
import type { JobQueue } from "./JobQueue.ts"

export interface SchedulingContext {
  readonly cluster: ClusterState
  readonly jobs: JobTable
  readonly queue: JobQueue
  readonly now: number
  /** Jobs placed on or running on a node. */
  readonly jobsOn: (node: number) => ReadonlyArray<number>
  /** Most queued jobs a policy examines past a blocked one in one pass (like Slurm's bf_max_job_test). */
  readonly scanDepth: number
  /**
   * Whether the job may not run on the node although it fits: another instance of its replica
   * group is there (verification needs distinct nodes), or the node breaks its marketplace terms.
   */
  readonly excluded: (job: number, node: number) => boolean
  /** Commits a decision: the coordinator allocates the node's resources and dispatches the job. */
  readonly place: (job: number, node: number) => void
}

export interface SchedulingPolicy {
  readonly name: string
  schedule(ctx: SchedulingContext): void
  /** Told whenever a node's allocation or availability changes (for policies that cache plans). */
  nodeChanged?(node: number): void
  /**
   * Told when a job's attempt on a node ends, before the job is requeued or closed: what a live
   * coordinator observes too (start and end times, the node), which is all a learning policy may use.
   */
  attemptEnded?(ctx: SchedulingContext, job: number, node: number, outcome: AttemptOutcome): void
  /** Told when a job enters the queue: submitted, or requeued after a lost or refused attempt. */
  jobQueued?(ctx: SchedulingContext, job: number): void
  /** Told when the coordinator sees a node register (a new session) or declares it gone. */
  nodeAvailability?(ctx: SchedulingContext, node: number, online: boolean): void
}

/** How an attempt ended: the job's own result, cancelled by its borrower, or lost with its node. */
export type AttemptOutcome = "succeeded" | "failed" | "cancelled" | "lost"

/** Picks a node for one job, or -1 when it fits nowhere right now. */
export type NodeSelector = (ctx: SchedulingContext, job: number) => number

export class Scheduler extends Context.Tag("crowdcloud/Scheduler")<Scheduler, SchedulingPolicy>() {
  static layer(make: () => SchedulingPolicy): Layer.Layer<Scheduler> {
    return Layer.sync(Scheduler, make)
  }
}

/** Expected end of a placed or running job from its requested time on its node's speed. */
export const expectedEndMs = (ctx: SchedulingContext, job: number): number => {
  const { jobs, cluster } = ctx
  const start = jobs.startMs[job]! < 0 ? ctx.now : jobs.startMs[job]!
  return Math.max(ctx.now, start + jobs.requestedMs[job]! / cluster.speed[jobs.node[job]!]!)
}
