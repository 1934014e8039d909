// Node selection rules shared by the baseline policies. Each first asks the placement index
// whether the job fits anywhere, so a scan is only paid when it can succeed.
import type { Prng } from "../random/prng.ts"
import type { NodeSelector, SchedulingContext } from "./policy.ts"

export const firstFit: NodeSelector = (ctx, job) =>
  ctx.cluster.firstFit(ctx.jobs.cpu[job]!, ctx.jobs.mem[job]!, ctx.jobs.disk[job]!)

/** Least leftover capacity after placement (sum of normalised leftovers): knapsack-style packing. */
export const bestFit: NodeSelector = (ctx, job) => scoreScan(ctx, job, (free, cap, req) => -(free - req) / cap)

/** Kubernetes' LeastAllocated scoring: the most free capacity after placement, CPU and memory weighted equally. */
export const leastAllocated: NodeSelector = (ctx, job) => scoreScan(ctx, job, (free, cap, req) => (free - req) / cap, false)

const scoreScan = (
  ctx: SchedulingContext,
  job: number,
  score: (free: number, cap: number, req: number) => number,
  withDisk = true
): number => {
  const { cluster: c, jobs } = ctx
  const cpu = jobs.cpu[job]!, mem = jobs.mem[job]!, disk = jobs.disk[job]!
  let i = c.firstFit(cpu, mem, disk)
  if (i < 0) return -1
  let best = -1
  let bestScore = -Infinity
  for (; i < c.count; i++) {
    if (!c.fitsOn(i, cpu, mem, disk)) continue
    let s = score(c.freeCpu[i]!, c.capCpu[i]!, cpu)
    if (c.capMem[i]! > 0) s += score(c.freeMem[i]!, c.capMem[i]!, mem)
    if (withDisk && c.capDisk[i]! > 0) s += score(c.freeDisk[i]!, c.capDisk[i]!, disk)
    if (s > bestScore) {
      bestScore = s
      best = i
    }
  }
  return best
}

/** Uniform over the nodes where the job fits: rejection sampling, then a reservoir scan. */
export const randomFit = (rng: Prng): NodeSelector => (ctx, job) => {
  const { cluster: c, jobs } = ctx
  const cpu = jobs.cpu[job]!, mem = jobs.mem[job]!, disk = jobs.disk[job]!
  let i = c.firstFit(cpu, mem, disk)
  if (i < 0) return -1
  for (let probe = 0; probe < 32; probe++) {
    const n = rng.nextInt(c.count)
    if (c.fitsOn(n, cpu, mem, disk)) return n
  }
  let chosen = -1
  let seen = 0
  for (; i < c.count; i++) {
    if (!c.fitsOn(i, cpu, mem, disk)) continue
    seen++
    if (rng.nextInt(seen) === 0) chosen = i
  }
  return chosen
}

/** Next fit after the last node used, wrapping around. */
export const roundRobin = (): NodeSelector => {
  let cursor = 0
  return (ctx, job) => {
    const n = ctx.cluster.nextFit(ctx.jobs.cpu[job]!, ctx.jobs.mem[job]!, ctx.jobs.disk[job]!, cursor)
    if (n >= 0) cursor = n + 1 >= ctx.cluster.count ? 0 : n + 1
    return n
  }
}
