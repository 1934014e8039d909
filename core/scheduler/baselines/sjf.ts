// Shortest job first, strictly: the queue in order of requested time (ties by submit time, then
// id); the shortest job that fits nowhere blocks every longer one (no backfilling).
import type { NodeSelector, SchedulingPolicy } from "../policy.ts"
import { firstFit } from "../selectors.ts"
import { sjfKey } from "./priorityFunctions.ts"
import { QueueHeap } from "./queueHeap.ts"

export const shortestJobFirst = (name = "sjf", select: NodeSelector = firstFit): SchedulingPolicy => {
  const heap = new QueueHeap()
  return {
    name,
    schedule(ctx) {
      if (ctx.cluster.maxFreeCpu() <= 0) return
      heap.load(ctx, sjfKey)
      for (let job = heap.pop(); job >= 0; job = heap.pop()) {
        const node = select(ctx, job)
        if (node < 0) return
        ctx.place(job, node)
      }
    }
  }
}
