// Power-of-d choices (Mitzenmacher; Sparrow's batch sampling uses it for task placement): sample
// d nodes uniformly among those where the job fits and may run, place it on the least loaded of
// them by allocated CPU fraction (ties to the lower node id). Samples are drawn by rejection
// (a few random probes), falling back to a reservoir scan when fitting nodes are rare.
import type { Prng } from "../../random/prng.ts"
import type { NodeSelector, SchedulingContext } from "../policy.ts"
import { firstAllowedFit } from "../selectors.ts"

const probes = 32

export const powerOfD = (rng: Prng, d = 2): NodeSelector => {
  const sample = new Int32Array(d)
  const allowed = (ctx: SchedulingContext, job: number, n: number) =>
    ctx.cluster.fitsOn(n, ctx.jobs.cpu[job]!, ctx.jobs.mem[job]!, ctx.jobs.disk[job]!) && !ctx.excluded(job, n)

  /** Fills `sample` with up to d distinct allowed nodes; returns how many. */
  const draw = (ctx: SchedulingContext, job: number, first: number): number => {
    const count = ctx.cluster.count
    let k = 0
    for (let probe = 0; probe < probes && k < d; probe++) {
      const n = rng.nextInt(count)
      if (!allowed(ctx, job, n)) continue
      let dup = false
      for (let i = 0; i < k; i++) dup ||= sample[i] === n
      if (!dup) sample[k++] = n
    }
    if (k === d) return k
    // Few nodes fit: a uniform sample of d without replacement over all of them (Algorithm R).
    let seen = 0
    for (let n = first; n < count; n++) {
      if (!allowed(ctx, job, n)) continue
      seen++
      if (seen <= d) sample[seen - 1] = n
      else {
        const j = rng.nextInt(seen)
        if (j < d) sample[j] = n
      }
    }
    return Math.min(seen, d)
  }

  return (ctx, job) => {
    const first = firstAllowedFit(ctx, job, 0)
    if (first < 0) return -1
    const c = ctx.cluster
    const k = draw(ctx, job, first)
    let best = -1
    let bestLoad = Infinity
    for (let i = 0; i < k; i++) {
      const n = sample[i]!
      const load = (c.capCpu[n]! - c.freeCpu[n]!) / c.capCpu[n]!
      if (load < bestLoad || (load === bestLoad && n < best)) {
        bestLoad = load
        best = n
      }
    }
    return best
  }
}
