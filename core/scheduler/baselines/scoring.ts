// Node scoring rules: Kubernetes' MostAllocated and BalancedAllocation (CPU and memory, equal
// weights, as kube-scheduler's defaults) and Tetris' alignment. The highest score wins; ties go
// to the lowest node id (kube-scheduler breaks ties at random).
import type { ClusterState } from "../ClusterState.ts"
import type { NodeSelector, SchedulingContext } from "../policy.ts"
import { firstAllowedFit } from "../selectors.ts"

/** A node's score for a request of (cpu, mem, disk); only called where the request fits. */
export type NodeScore = (c: ClusterState, node: number, cpu: number, mem: number, disk: number) => number

/** Fraction of a resource requested after placement, (allocated + request) / capacity. */
const requestedFraction = (cap: number, free: number, req: number): number => (cap - free + req) / cap

/**
 * MostAllocated (NodeResourcesFit, scoringStrategy MostAllocated): the mean over CPU and memory
 * of requested/allocatable after placement: packs nodes, the opposite of LeastAllocated.
 */
export const mostAllocatedScore: NodeScore = (c, n, cpu, mem) => {
  let s = requestedFraction(c.capCpu[n]!, c.freeCpu[n]!, cpu)
  if (c.capMem[n]! > 0) s += requestedFraction(c.capMem[n]!, c.freeMem[n]!, mem)
  return s
}

/**
 * BalancedAllocation (NodeResourcesBalancedAllocation): 1 - the standard deviation of the CPU and
 * memory requested fractions after placement (for two resources, |f_cpu - f_mem| / 2): prefers
 * nodes whose resources are used evenly. A node without memory to account counts as balanced.
 */
export const balancedAllocationScore: NodeScore = (c, n, cpu, mem) => {
  if (c.capMem[n]! <= 0) return 1
  const fc = Math.min(1, requestedFraction(c.capCpu[n]!, c.freeCpu[n]!, cpu))
  const fm = Math.min(1, requestedFraction(c.capMem[n]!, c.freeMem[n]!, mem))
  return 1 - Math.abs(fc - fm) / 2
}

/**
 * Tetris (Grandl et al., "Multi-resource packing for cluster schedulers", SIGCOMM'14): the
 * alignment, the dot product of the job's demand and the node's free resources over CPU, memory
 * and disk, each normalised by that node's capacity (dimensions a node lacks are left out).
 */
export const tetrisAlignmentScore: NodeScore = (c, n, cpu, mem, disk) => {
  const cc = c.capCpu[n]!
  let s = (cpu / cc) * (c.freeCpu[n]! / cc)
  const cm = c.capMem[n]!
  if (cm > 0) s += (mem / cm) * (c.freeMem[n]! / cm)
  const cd = c.capDisk[n]!
  if (cd > 0) s += (disk / cd) * (c.freeDisk[n]! / cd)
  return s
}

/** The allowed node with the highest score; the scan is paid only once the placement index says one fits. */
export const bestScoring = (score: NodeScore): NodeSelector => (ctx: SchedulingContext, job: number) => {
  const { cluster: c, jobs } = ctx
  const cpu = jobs.cpu[job]!, mem = jobs.mem[job]!, disk = jobs.disk[job]!
  let n = firstAllowedFit(ctx, job, 0)
  if (n < 0) return -1
  let best = -1
  let bestScore = -Infinity
  for (; n < c.count; n++) {
    if (!c.fitsOn(n, cpu, mem, disk) || ctx.excluded(job, n)) continue
    const s = score(c, n, cpu, mem, disk)
    if (s > bestScore) {
      bestScore = s
      best = n
    }
  }
  return best
}

export const mostAllocated: NodeSelector = bestScoring(mostAllocatedScore)
export const balancedAllocation: NodeSelector = bestScoring(balancedAllocationScore)
export const tetrisAlignment: NodeSelector = bestScoring(tetrisAlignmentScore)
