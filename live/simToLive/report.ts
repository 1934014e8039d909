// The comparison itself: completion, wait and run time statistics of both worlds side by side
// (core/metrics quantiles, numpy's type 7), their differences, the table printed and the report.
import { describe } from "../../core/metrics/stats.ts"
import { completionS, type JobTimes, runS, waitS } from "./jobTimes.ts"
import type { LiveRun } from "./liveRun.ts"
import type { Plan } from "./plan.ts"
import type { SimRun } from "./simRun.ts"

export interface Stats {
  readonly mean: number
  readonly p50: number
  readonly p95: number
  readonly max: number
}

export const measures = ["completionS", "waitS", "runS"] as const
export type Measure = (typeof measures)[number]
const measureLabel: Record<Measure, string> = { completionS: "completion (end - submit)", waitS: "wait (start - submit)", runS: "run (end - start)" }
const statNames = ["mean", "p50", "p95", "max"] as const

export interface WorldFigures {
  readonly jobs: number
  readonly succeeded: number
  readonly completionS: Stats
  readonly waitS: Stats
  readonly runS: Stats
}

export interface Comparison {
  readonly scenario: string
  readonly seed: number
  readonly policy: string
  readonly jobs: number
  readonly sim: WorldFigures
  readonly live: WorldFigures
  /** live - sim, statistic by statistic. */
  readonly difference: Record<Measure, Stats>
  /** Per job, live's completion time minus the simulator's for the same job. */
  readonly pairedCompletionDifferenceS: Stats
  readonly liveRun: {
    readonly agents: number
    readonly warmPool: number
    readonly clusterStartS: number
    readonly wallS: number
    /** How late submissions reached the coordinator after their planned arrival. */
    readonly submitLagMs: Stats
    readonly retried: number
    /** Jobs the live coordinator placed on the same node as the simulator (both number nodes from 0 in enrolment order). */
    readonly sameNode: number
  }
  readonly perJob: ReadonlyArray<{ readonly index: number; readonly submitS: number; readonly plannedRunS: number; readonly sim: JobRow; readonly live: JobRow }>
}

interface JobRow {
  readonly state: string
  readonly node: number | null
  readonly waitS: number
  readonly runS: number
  readonly completionS: number
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

export const statsOf = (values: ReadonlyArray<number>): Stats => {
  if (values.length === 0) return { mean: NaN, p50: NaN, p95: NaN, max: NaN }
  const d = describe(Float64Array.from(values))
  return { mean: round3(d.mean), p50: round3(d.p50), p95: round3(d.p95), max: round3(Math.max(...values)) }
}

/** Statistics over the jobs that succeeded (the others have no run time to speak of). */
export const figuresOf = (jobs: ReadonlyArray<JobTimes>): WorldFigures => {
  const done = jobs.filter((j) => j.state === "succeeded")
  return {
    jobs: jobs.length,
    succeeded: done.length,
    completionS: statsOf(done.map(completionS)),
    waitS: statsOf(done.map(waitS)),
    runS: statsOf(done.map(runS))
  }
}

const minus = (a: Stats, b: Stats): Stats => ({ mean: round3(a.mean - b.mean), p50: round3(a.p50 - b.p50), p95: round3(a.p95 - b.p95), max: round3(a.max - b.max) })

const row = (j: JobTimes): JobRow => ({ state: j.state, node: j.node, waitS: round3(waitS(j)), runS: round3(runS(j)), completionS: round3(completionS(j)) })

export const compare = (plan: Plan, sim: SimRun, live: LiveRun): Comparison => {
  const simFigures = figuresOf(sim.jobs)
  const liveFigures = figuresOf(live.jobs)
  const simByIndex = new Map(sim.jobs.map((j) => [j.index, j]))
  const paired = live.jobs.flatMap((l) => {
    const s = simByIndex.get(l.index)
    return s !== undefined && s.state === "succeeded" && l.state === "succeeded" ? [completionS(l) - completionS(s)] : []
  })
  return {
    scenario: plan.scenario.name,
    seed: plan.scenario.seed,
    policy: sim.policy,
    jobs: plan.jobs.length,
    sim: simFigures,
    live: liveFigures,
    difference: { completionS: minus(liveFigures.completionS, simFigures.completionS), waitS: minus(liveFigures.waitS, simFigures.waitS), runS: minus(liveFigures.runS, simFigures.runS) },
    pairedCompletionDifferenceS: statsOf(paired),
    liveRun: {
      agents: live.agents,
      warmPool: live.warmPool,
      clusterStartS: round3(live.clusterStartS),
      wallS: round3(live.wallS),
      submitLagMs: statsOf(live.submitLagMs),
      retried: live.jobs.filter((j) => j.attempts > 1).length,
      sameNode: live.jobs.filter((l) => l.node !== null && simByIndex.get(l.index)?.node === l.node).length
    },
    perJob: plan.jobs.map((p) => ({
      index: p.index,
      submitS: round3(p.submitMs / 1000),
      plannedRunS: round3(p.runMs / 1000),
      sim: row(simByIndex.get(p.index)!),
      live: row(live.jobs.find((j) => j.index === p.index)!)
    }))
  }
}

const fmt = (x: number) => (Number.isNaN(x) ? "-" : x.toFixed(3))
const signed = (x: number) => (Number.isNaN(x) ? "-" : `${x >= 0 ? "+" : ""}${x.toFixed(3)}`)

/** The side-by-side table, as fixed-width text (printed) or markdown (the report). */
export const formatTable = (c: Comparison, style: "text" | "markdown"): string => {
  const header = ["measure", "stat", "sim s", "live s", "live - sim s"]
  const rows = measures.flatMap((m) => statNames.map((s) => [measureLabel[m], s, fmt(c.sim[m][s]), fmt(c.live[m][s]), signed(c.difference[m][s])]))
  const jobs = ["jobs succeeded", "", `${c.sim.succeeded}/${c.sim.jobs}`, `${c.live.succeeded}/${c.live.jobs}`, ""]
  const all = [...rows, jobs]
  if (style === "markdown") {
    const line = (cells: ReadonlyArray<string>) => `| ${cells.join(" | ")} |`
    return [line(header), line(header.map((_, i) => (i < 2 ? "---" : "---:"))), ...all.map(line)].join("\n")
  }
  const widths = header.map((h, i) => Math.max(h.length, ...all.map((r) => r[i]!.length)))
  const pad = (cells: ReadonlyArray<string>) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")
  return [pad(header), pad(widths.map((w) => "-".repeat(w))), ...all.map(pad)].join("\n")
}

export const reportMarkdown = (c: Comparison): string => {
  const p = c.pairedCompletionDifferenceS
  const lag = c.liveRun.submitLagMs
  return `# Sim-to-live agreement: ${c.scenario}

Scenario \`${c.scenario}\` (seed ${c.seed}, policy ${c.policy}), ${c.jobs} jobs: the same arrivals, shapes and
run times in the simulator (\`sim/runScenario.ts\`, as \`npm run sim\`) and on a real local cluster
(${c.liveRun.agents} agent processes, warm pool ${c.liveRun.warmPool}, each job the busybox command \`sleep <run time>\` in
a QEMU microVM, submitted over the HTTP API at its arrival time). Times are seconds, over the jobs that
succeeded; quantiles by linear interpolation (core/metrics). Live times are the coordinator's own
timestamps: submitted when the API accepted the job, started when the agent's JobRunning reached the
coordinator (the guest has just started the job's process, after the agent got a VM), ended when its
JobFinished did.

${formatTable(c, "markdown")}

Per job, live completion minus sim completion: mean ${signed(p.mean)} s, p50 ${signed(p.p50)} s, p95 ${signed(p.p95)} s, max ${signed(p.max)} s.
Submissions reached the coordinator ${fmt(lag.p50 / 1000)} s (p50) / ${fmt(lag.max / 1000)} s (max) after their planned arrival.
Jobs retried in the live run: ${c.liveRun.retried}; placed on the same node as in the simulator: ${c.liveRun.sameNode} of ${c.jobs}. Cluster start ${c.liveRun.clusterStartS.toFixed(1)} s, whole live run ${c.liveRun.wallS.toFixed(1)} s.

## Where live differs from the simulator

- **VM start.** The simulator's sandbox takes exactly work / speed; a live job first needs a microVM.
  With a warm pool of ${c.liveRun.warmPool} per shape an agent hands out a VM that is already booted, but a second job
  arriving on the same agent before the pool has refilled waits for a VM restored from a snapshot
  (hundreds of ms under TCG on shared cores; a full boot is seconds). Getting the VM counts as wait:
  the job runs from the moment the guest starts its process.
- **Run time.** Live run time is JobRunning to JobFinished as the coordinator sees them: the guest's
  \`sleep\`, the supervisor's report, the VM's output, the result and its frame over TLS.
  So live run times sit a little above the planned ones; the simulator's are the planned ones plus one
  message latency (the scenario says 1-5 ms).
- **Knock-on queueing.** Because each live run holds its vCPU longer than the simulated one, at the
  busiest moments a job finds its node (or every node) full where the simulator's slot had already
  been freed: it waits in live but not in the simulator, and may be placed on another node.
- **Coordinator round trips.** Every submission, start and finish is an input the coordinator logs in
  SQLite in its own transaction before acting on it, and placement messages cross a TLS link to the
  agent; the simulator applies them instantly plus its modelled latency. Arrivals also land late by
  the HTTP round trip (the lag above).
- **Polling and timers.** The simulator has no polling; live timestamps are exact, but the coordinator's
  periodic tick and agents' heartbeats run on real timers, and everything shares two CPU cores with QEMU
  (TCG, no KVM), so the host's load moves live figures from run to run. Placement itself is the same
  core scheduler (policy ${c.policy}) in both worlds, so queueing (the wait) should agree up to those overheads.
`
}
