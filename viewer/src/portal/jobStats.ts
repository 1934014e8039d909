// Summaries of a job list for the Jobs overview: counts per state (d3.rollup), what is running now
// (vCPUs, memory) and what the jobs cost.
import { rollup, sum } from "d3"
import type { Job } from "./api/schemas.ts"

export const activeStates: ReadonlyArray<string> = ["queued", "placed", "running"]
export const stateOrder: ReadonlyArray<Job["state"]> = ["queued", "placed", "running", "succeeded", "failed", "cancelled", "lost"]

export const isActive = (job: Job): boolean => activeStates.includes(job.state)

export interface JobStats {
  readonly total: number
  readonly active: number
  readonly byState: ReadonlyArray<{ readonly name: string; readonly value: number }>
  readonly vcpusInUse: number
  readonly memoryMiBInUse: number
  readonly costCredits: number
  /** Failed or lost among ended jobs; null when none has ended. */
  readonly failureRate: number | null
}

export const jobStats = (jobs: ReadonlyArray<Job>): JobStats => {
  const counts = rollup(jobs, (v) => v.length, (j) => j.state)
  const byState = stateOrder
    .filter((s) => (counts.get(s) ?? 0) > 0)
    .map((name) => ({ name, value: counts.get(name) ?? 0 }))
  const running = jobs.filter((j) => j.state === "running" || j.state === "placed")
  const ended = jobs.filter((j) => !isActive(j))
  const bad = ended.filter((j) => j.state === "failed" || j.state === "lost").length
  return {
    total: jobs.length,
    active: jobs.filter(isActive).length,
    byState,
    vcpusInUse: sum(running, (j) => j.vcpus),
    memoryMiBInUse: sum(running, (j) => j.memoryMiB),
    costCredits: sum(jobs, (j) => j.costCredits),
    failureRate: ended.length === 0 ? null : bad / ended.length
  }
}
