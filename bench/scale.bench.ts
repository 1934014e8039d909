// The scale target as a whole process: `npm run sim -- scale-10k` (10,000 nodes, 1,000,000 jobs
// with churn) must finish in under 60 s wall and 2 GiB peak memory on a 2-core machine.
import { runSimProcess } from "./wholeProcess.ts"

export const benchScale = (smoke: boolean) => {
  const run = runSimProcess(["scale-10k", ...(smoke ? ["--scale", "0.05"] : [])])
  const { wallS, peakMemoryMiB, summary } = run
  const s = summary.policies.fcfs
  return {
    command: run.command,
    nodes: summary.parameters.nodes.count,
    jobs: s.jobs,
    events: s.events,
    wallS,
    peakMemoryMiB,
    eventsPerSecond: Math.round(s.events / wallS),
    targets: { wallSMax: 60, peakMemoryMiBMax: 2048 },
    withinTargets: smoke ? null : wallS < 60 && peakMemoryMiB < 2048
  }
}
