// The live side: a real local cluster (coordinator + one agent process per scenario node, each
// with the node class's vCPUs and memory), every planned job submitted over the HTTP API at its
// arrival time as the busybox job `sleep <run time>`, and the coordinator's own timestamps read back.
import { Data } from "effect"
import type { JobView } from "../api/ClusterApi.ts"
import { ClusterProcesses } from "../testing/clusterProcesses.ts"
import type { JobTimes } from "./jobTimes.ts"
import { type Plan, sleepSeconds } from "./plan.ts"

export interface LiveOptions {
  /** Warm VMs per agent and shape (default 1, as `crowdcloud live up`). */
  readonly warmPool?: number
  /** How long to wait for the last job to end after the last submission (default 5 min). */
  readonly drainTimeoutMs?: number
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void
}

export interface LiveRun {
  readonly jobs: ReadonlyArray<JobTimes>
  /** Coordinator's arrival time minus the planned one, per job (how late the submissions landed). */
  readonly submitLagMs: ReadonlyArray<number>
  readonly clusterStartS: number
  readonly wallS: number
  readonly warmPool: number
  readonly agents: number
}

/** The cluster did not start, a submission was refused, or jobs did not end in time. */
export class LiveRunFailed extends Data.TaggedError("LiveRunFailed")<{ readonly reason: string; readonly clusterDir: string | undefined }> {
  override get message() {
    return `the live run failed: ${this.reason}${this.clusterDir !== undefined ? `; the cluster's logs are kept in ${this.clusterDir}` : ""}`
  }
}

const ended = (state: string) => state === "succeeded" || state === "failed" || state === "cancelled" || state === "lost"
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)))
const seconds = (ms: number | null, originMs: number) => (ms === null ? NaN : (ms - originMs) / 1000)

/**
 * Runs the plan on a fresh cluster. The cluster's directory is removed when every job ended;
 * otherwise it is kept and named in the error. Times are on the coordinator's clock, from the
 * moment the first arrival was due (the host's wall clock, which both processes share).
 */
export const runLive = async (plan: Plan, options: LiveOptions = {}): Promise<LiveRun> => {
  const log = options.log ?? (() => {})
  const node = plan.scenario.nodes.classes[0]
  const warmPool = options.warmPool ?? 1
  const agents = plan.scenario.nodes.count
  const startedMs = performance.now()
  log(`live: starting a coordinator and ${agents} agents (${node.vcpus} vCPU, ${node.memoryMiB} MiB, warm pool ${warmPool})`)
  let cluster: ClusterProcesses
  try {
    cluster = await ClusterProcesses.start({
      agents,
      warmPool,
      policy: plan.scenario.policies[0],
      seed: plan.scenario.seed,
      agentVcpus: node.vcpus,
      agentMemoryMiB: node.memoryMiB,
      agentDiskMiB: node.diskMiB
    })
  } catch (e) {
    throw new LiveRunFailed({ reason: `the cluster did not start: ${e instanceof Error ? e.message : String(e)}`, clusterDir: undefined })
  }
  let ok = false
  try {
    const clusterStartS = (performance.now() - startedMs) / 1000
    log(`live: cluster up in ${clusterStartS.toFixed(1)} s (${cluster.dir}); submitting ${plan.jobs.length} jobs over ${(plan.jobs.at(-1)!.submitMs / 1000).toFixed(0)} s`)
    const originMs = Date.now()
    const t0 = performance.now()
    const ids = new Array<number>(plan.jobs.length)
    await Promise.all(plan.jobs.map(async (job, i) => {
      await sleep(t0 + job.submitMs - performance.now())
      const view = await cluster.request<JobView>("POST", "/api/jobs", {
        image: "busybox",
        command: ["sleep", sleepSeconds(job.runMs)],
        vcpus: job.vcpus,
        memoryMiB: job.memoryMiB,
        diskMiB: job.diskMiB,
        timeoutS: Math.ceil(job.runMs / 1000) + 60
      })
      ids[i] = view.id
    }))
    log(`live: all submitted; waiting for them to end`)
    const views = new Map<number, JobView>()
    await cluster.waitFor(async () => {
      const listed = (await cluster.request<{ jobs: ReadonlyArray<JobView> }>("GET", "/api/jobs")).jobs
      for (const v of listed) views.set(v.id, v)
      return ids.every((id) => ended(views.get(id)?.state ?? "queued"))
    }, options.drainTimeoutMs ?? 300_000, "every job to end")
    const jobs = plan.jobs.map((job, i): JobTimes => {
      const v = views.get(ids[i]!)!
      return {
        index: job.index,
        submitS: seconds(v.submittedAtMs, originMs),
        // Started = the guest started the process (the agent's JobRunning), as in the simulator's sandbox.
        startS: seconds(v.runningAtMs ?? v.startedAtMs, originMs),
        endS: seconds(v.endedAtMs, originMs),
        state: v.state,
        attempts: v.attempts,
        node: v.node
      }
    })
    ok = true
    return {
      jobs,
      submitLagMs: jobs.map((j, i) => j.submitS * 1000 - plan.jobs[i]!.submitMs),
      clusterStartS,
      wallS: (performance.now() - startedMs) / 1000,
      warmPool,
      agents
    }
  } catch (e) {
    throw new LiveRunFailed({ reason: e instanceof Error ? e.message : String(e), clusterDir: cluster.dir })
  } finally {
    await cluster.stop()
    if (ok) cluster.remove()
  }
}
