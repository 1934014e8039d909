// Job arrivals for a run: a synthetic generator (Poisson arrivals, heavy-tailed run times, mixed
// shapes, overestimated requested times) drawing lazily from its own stream, or an SWF trace replay.
import type { UserId } from "../../core/domain/ids.ts"
import type { JobRequest } from "../../core/coordinator/Coordinator.ts"
import type { Prng } from "../../core/random/prng.ts"
import type { SwfJob } from "../../scenarios/traces/swf.ts"
import type { Workload } from "../../scenarios/schema.ts"
import { sampleSeconds } from "./distributions.ts"

export interface SimJob {
  readonly submitMs: number
  readonly request: JobRequest
  /** Fraction of its work after which the job fails on its own; -1 if it succeeds. */
  readonly failAt: number
}

export interface WorkloadSource {
  readonly total: number
  next(): SimJob | undefined
}

const image = "busybox"
const command = ["/bin/sh", "-c", "work"] as const

export const syntheticWorkload = (w: Extract<Workload, { kind: "synthetic" }>, rng: Prng): WorkloadSource => {
  const weights = w.shapes.map((s) => s.weight)
  const users = Array.from({ length: w.users }, (_, i) => `user-${i}` as UserId)
  // Zipf-like user activity: a few users submit most jobs, as in real traces.
  const userWeights = users.map((_, i) => 1 / (i + 1))
  let t = 0
  let made = 0
  return {
    total: w.jobs,
    next() {
      if (made >= w.jobs) return undefined
      made++
      t += rng.exponential(1000 / w.arrivalRatePerS)
      const shape = w.shapes[rng.weighted(weights)]!
      const workMs = Math.max(1, 1000 * sampleSeconds(w.runtime, rng))
      const requestedTimeMs = Math.ceil(workMs * rng.uniform(w.overestimate.min, w.overestimate.max) / 1000) * 1000
      const owner = users[rng.weighted(userWeights)]!
      const failAt = rng.nextDouble() < w.failureProbability ? rng.nextDouble() : -1
      return {
        submitMs: t,
        failAt,
        request: {
          owner,
          resources: { vcpus: shape.vcpus, memoryMiB: shape.memoryMiB, diskMiB: shape.diskMiB },
          requestedTimeMs,
          workMs,
          image,
          command,
          replication: w.replication,
          ...(w.priceCap !== undefined ? { priceCap: w.priceCap } : {}),
          ...(w.minReputation !== undefined ? { minReputation: w.minReputation } : {})
        }
      }
    }
  }
}

/** Replays SWF jobs as recorded: run time as work, requested processors as vCPUs, submit times shifted to 0. */
export const swfWorkload = (jobs: ReadonlyArray<SwfJob>, memoryMiBPerProc: number): WorkloadSource => {
  const usable = jobs.filter((j) => j.runS >= 0 && (j.requestedProcs > 0 || j.allocatedProcs > 0))
  const t0 = usable.length > 0 ? usable[0]!.submitS : 0
  let i = 0
  return {
    total: usable.length,
    next() {
      const j = usable[i++]
      if (j === undefined) return undefined
      const procs = j.requestedProcs > 0 ? j.requestedProcs : j.allocatedProcs
      const workMs = j.runS * 1000
      return {
        submitMs: (j.submitS - t0) * 1000,
        failAt: -1,
        request: {
          owner: `u${j.user}` as UserId,
          resources: { vcpus: procs, memoryMiB: procs * memoryMiBPerProc, diskMiB: 0 },
          requestedTimeMs: Math.max(1000, workMs, j.requestedTimeS * 1000),
          workMs,
          image,
          command,
          replication: 1
        }
      }
    }
  }
}
