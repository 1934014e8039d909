// Event-queue throughput in the "hold" model (pop the earliest event, push one later), the
// standard benchmark for simulation event sets, at the queue sizes a big run reaches.
import { Bench } from "tinybench"
import { Prng } from "../core/random/prng.ts"
import { EventQueue } from "../sim/engine/EventQueue.ts"

export const benchEventQueue = async (smoke: boolean) => {
  const sizes = smoke ? [10_000] : [1_000, 100_000, 1_000_000]
  const opsPerIteration = 10_000
  const bench = new Bench({ time: smoke ? 200 : 1500, warmupTime: smoke ? 50 : 300 })
  for (const size of sizes) {
    const q = new EventQueue<undefined>()
    const rng = Prng.fromSeed(1, "bench")
    for (let i = 0; i < size; i++) q.push(rng.exponential(1000), 0, i, 0)
    bench.add(`hold ${size}`, () => {
      for (let i = 0; i < opsPerIteration; i++) {
        const t = q.peekTime()
        const s = q.pop()
        q.release(s)
        q.push(t + rng.exponential(1000), 0, i, 0)
      }
    })
  }
  await bench.run()
  const figures: Record<string, { eventsPerSecond: number; nsPerEvent: number }> = {}
  for (const task of bench.tasks) {
    const r = task.result
    if (r.state !== "completed") throw new Error(`${task.name}: ${r.state}`)
    const eventsPerSecond = (opsPerIteration * 1000) / r.latency.mean
    figures[task.name.replace("hold ", "queueSize")] = { eventsPerSecond: Math.round(eventsPerSecond), nsPerEvent: Math.round(1e9 / eventsPerSecond) }
  }
  return figures
}
