// The storage-durability target as a whole process: `npm run sim -- storage-durability` (a year of
// 1,000,000 objects on 5,000 churning nodes, four redundancy configurations) must finish in under
// 5 minutes on a 2-core machine. Records wall time, peak memory and the headline durability figures.
import { runSimProcess } from "./wholeProcess.ts"

const wallSMax = 300

export const benchStorageDurability = (smoke: boolean) => {
  const run = runSimProcess(["storage-durability", ...(smoke ? ["--scale", "0.02"] : [])])
  const { wallS, summary } = run
  const configurations = Object.fromEntries(
    Object.entries(summary.storage as Record<string, { objectsLost: number; readAvailability: number; repairBytes: number; events: number }>).map(([name, s]) => [
      name,
      { objectsLost: s.objectsLost, readAvailability: s.readAvailability, repairGiB: Math.round(s.repairBytes / 2 ** 30), events: s.events }
    ])
  )
  return {
    command: run.command,
    objects: summary.parameters.objects.count,
    nodes: summary.parameters.nodes.count,
    wallS,
    peakMemoryMiB: run.peakMemoryMiB,
    configurations,
    targets: { wallSMax },
    withinTargets: smoke ? null : wallS < wallSMax
  }
}
