// EASY++ (Tsafrir, Etsion & Feitelson, "Backfilling using system-generated predictions rather
// than user runtime estimates", IEEE TPDS 18(6), 2007): EASY with each job's run time predicted
// as the mean of its user's last two finished jobs (the requested time without history), never
// above the requested time; reservations use the predictions and backfill candidates are tried
// shortest-prediction first (SJBF). A running job that outlives its prediction has it raised to
// its requested time (the paper's simple correction, not its stepwise increments).
import { withRoomFor } from "../../collections/typedArrays.ts"
import type { SchedulingContext, SchedulingPolicy } from "../policy.ts"
import { PriorityBackfilling } from "./priorityBackfilling.ts"
import { UserRuntimeHistory } from "./userHistory.ts"

export const easyPlusPlus = (name = "easy++"): SchedulingPolicy => {
  const history = new UserRuntimeHistory()
  /** Each placed job's prediction, fixed when it was placed. */
  let placedPredictionMs = new Float64Array(1024)

  const predictMs = (ctx: SchedulingContext, job: number): number => {
    const requested = ctx.jobs.requestedMs[job]!
    const mean = history.meanOfLastTwo(ctx.jobs.owner[job]!)
    return mean < 0 ? requested : Math.min(mean, requested)
  }

  const inner = new PriorityBackfilling(name, {
    candidates: predictMs,
    runtimeMs: predictMs,
    endOf: (ctx, job, node) => {
      const { jobs, cluster } = ctx
      const start = jobs.startMs[job]! < 0 ? ctx.now : jobs.startMs[job]!
      let end = start + placedPredictionMs[job]! / cluster.speed[node]!
      if (end <= ctx.now) end = start + jobs.requestedMs[job]! / cluster.speed[node]!
      return Math.max(ctx.now, end)
    },
    placed: (ctx, job) => {
      placedPredictionMs = withRoomFor(placedPredictionMs, job + 1)
      placedPredictionMs[job] = predictMs(ctx, job)
    }
  })

  return {
    name,
    schedule: (ctx) => inner.schedule(ctx),
    nodeChanged: (node) => inner.nodeChanged(node),
    attemptEnded(ctx, job, node, outcome) {
      // Only a job that ran to its end says how long its user's jobs take.
      if (outcome !== "succeeded" && outcome !== "failed") return
      const start = ctx.jobs.startMs[job]!
      if (start < 0) return
      history.record(ctx.jobs.owner[job]!, (ctx.now - start) * ctx.cluster.speed[node]!)
    }
  }
}
