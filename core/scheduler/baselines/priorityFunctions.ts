// Queue-ordering functions from the batch-scheduling literature, in the form RLScheduler
// (Zhang et al., SC'20, its `heuristic` scores) evaluates them: lower score goes first.
// r = requested run time (s), n = requested vCPUs, s = submit time (s since the start of the
// run), w = time waited so far (s) = now - submit.
import type { JobKey } from "./queueHeap.ts"

/** SJF: the shortest requested time first. */
export const sjfKey: JobKey = (ctx, job) => ctx.jobs.requestedMs[job]!

/**
 * F1 (Carastan-Santos & de Camargo, "Obtaining dynamic scheduling policies with simulation and
 * machine learning", SC'17): log10(r)·n + 870·log10(s). Non-positive r or s count as 0.1 s, as
 * RLScheduler does, so the logarithm stays finite.
 */
export const f1Score = (requestedS: number, vcpus: number, submitS: number): number =>
  Math.log10(requestedS > 0 ? requestedS : 0.1) * vcpus + 870 * Math.log10(submitS > 0 ? submitS : 0.1)

/**
 * WFP3 (Tang, Lan, Desai & Buettner, "Fault-aware, utility-based job scheduling on Blue Gene/P
 * systems", IEEE Cluster 2009): -(w/r)^3·n, which favours jobs that waited long relative to their
 * length, and wide ones.
 */
export const wfp3Score = (requestedS: number, vcpus: number, waitS: number): number =>
  -Math.pow(waitS / Math.max(requestedS, 1e-3), 3) * vcpus

/**
 * UNICEP (Tang et al. 2009): -w / (log2(n)·r), which favours narrow, short, long-waiting jobs.
 * log2(1) = 0, so like RLScheduler we add 1e-15 to w and n: a serial job then outranks every
 * parallel one, and serial jobs rank among themselves by w/r.
 */
export const unicepScore = (requestedS: number, vcpus: number, waitS: number): number =>
  -(waitS + 1e-15) / (Math.log2(vcpus + 1e-15) * Math.max(requestedS, 1e-3))

export const f1Key: JobKey = (ctx, job) =>
  f1Score(ctx.jobs.requestedMs[job]! / 1000, ctx.jobs.cpu[job]!, ctx.jobs.submitMs[job]! / 1000)

export const wfp3Key: JobKey = (ctx, job) =>
  wfp3Score(ctx.jobs.requestedMs[job]! / 1000, ctx.jobs.cpu[job]!, (ctx.now - ctx.jobs.submitMs[job]!) / 1000)

export const unicepKey: JobKey = (ctx, job) =>
  unicepScore(ctx.jobs.requestedMs[job]! / 1000, ctx.jobs.cpu[job]!, (ctx.now - ctx.jobs.submitMs[job]!) / 1000)
