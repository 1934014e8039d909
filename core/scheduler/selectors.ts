// Node selection rules shared by the baseline policies. Each first asks the placement index
// whether the job fits anywhere, so a scan is only paid when it can succeed.
import type { Prng } from "../random/prng.ts"
import type { NodeSelector, SchedulingContext } from "./policy.ts"

export const firstFit: NodeSelector = (ctx, job) => firstAllowedFit(ctx, job, 0)

/** The lowest-index node at or after `from` where the job fits and is not excluded, or -1. */
export const firstAllowedFit = (ctx: SchedulingContext, job: number, from: number): number => {
  const { cluster: c, jobs } = ctx
  const cpu = jobs.cpu[job]!, mem = jobs.mem[job]!, disk = jobs.disk[job]!
  let n = c.firstFit(cpu, mem, disk, from)
  while (n >= 0 && ctx.excluded(job, n)) n = c.firstFit(cpu, mem, disk, n + 1)
  return n
}

/** Whether the job fits on the node now and may run there. */
export const allowedOn = (ctx: SchedulingContext, job: number, node: number): boolean =>
  ctx.cluster.fitsOn(node, ctx.jobs.cpu[job]!, ctx.jobs.mem[job]!, ctx.jobs.disk[job]!) && !ctx.excluded(job, node)

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
  let i = firstAllowedFit(ctx, job, 0)
  if (i < 0) return -1
  let best = -1
  let bestScore = -Infinity
  for (; i < c.count; i++) {
    if (!c.fitsOn(i, cpu, mem, disk) || ctx.excluded(job, i)) continue
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
  let i = firstAllowedFit(ctx, job, 0)
  if (i < 0) return -1
  for (let probe = 0; probe < 32; probe++) {
    const n = rng.nextInt(c.count)
    if (c.fitsOn(n, cpu, mem, disk) && !ctx.excluded(job, n)) return n
  }
  let chosen = -1
  let seen = 0
  for (; i < c.count; i++) {
    if (!c.fitsOn(i, cpu, mem, disk) || ctx.excluded(job, i)) continue
    seen++
    if (rng.nextInt(seen) === 0) chosen = i
  }
  return chosen
}

/** Next fit after the last node used, wrapping around. */
export const roundRobin = (): NodeSelector => {
  let cursor = 0
  return (ctx, job) => {
    let n = firstAllowedFit(ctx, job, cursor)
    if (n < 0 && cursor > 0) n = firstAllowedFit(ctx, job, 0)
    if (n >= 0) cursor = n + 1 >= ctx.cluster.count ? 0 : n + 1
    return n
  }
}

/**
 * Marketplace matching: among the nodes that fit and meet the job's price cap and minimum
 * reputation, the one with the lowest asking price per unit of reputation (a cheap node nobody
 * trusts is not a bargain); ties go to the lower node id.
 */
export const marketMatch: NodeSelector = (ctx, job) => {
  const { cluster: c, jobs } = ctx
  const cpu = jobs.cpu[job]!, mem = jobs.mem[job]!, disk = jobs.disk[job]!
  let i = firstAllowedFit(ctx, job, 0)
  if (i < 0) return -1
  let best = -1
  let bestCost = Infinity
  for (; i < c.count; i++) {
    if (!c.fitsOn(i, cpu, mem, disk) || ctx.excluded(job, i)) continue
    const cost = c.price[i]! / Math.max(1e-3, c.reputation[i]!)
    if (cost < bestCost) {
      bestCost = cost
      best = i
    }
  }
  return best
}
