// One placement decision through the coordinator (submit, policy pass, place, then cancel to
// restore the state) on clusters of 1,000 to 10,000 online nodes about 70% allocated, per policy.
import { Either } from "effect"
import { Bench } from "tinybench"
import { Coordinator, type JobRequest } from "../core/coordinator/Coordinator.ts"
import type { NodeId, RegionId, UserId } from "../core/domain/ids.ts"
import { Prng } from "../core/random/prng.ts"
import { alwaysAvailable } from "../core/scheduler/ai/testing.ts"
import { makePolicy, policyNames } from "../core/scheduler/policies.ts"

const classes = [
  { vcpus: 2, memoryMiB: 4096 },
  { vcpus: 4, memoryMiB: 8192 },
  { vcpus: 8, memoryMiB: 16384 },
  { vcpus: 16, memoryMiB: 32768 }
]

const loadedCoordinator = (nodes: number, policy: string): Coordinator => {
  const rng = Prng.fromSeed(7, "placement")
  // No churn here, so the oracle's availability is simply "always".
  const c = new Coordinator(Either.getOrThrow(makePolicy(policy, rng.split("policy"), alwaysAvailable)), { send: () => {}, transition: () => {} })
  for (let i = 0; i < nodes; i++) {
    const k = classes[rng.weighted([3, 4, 2, 1])]!
    c.enrollNode({ id: i as NodeId, resources: { ...k, diskMiB: 100_000 }, speed: 1, region: "r" as RegionId, askingPrice: 1 })
    c.receive({ _tag: "Register", node: { id: i as NodeId, resources: { ...k, diskMiB: 100_000 }, speed: 1, region: "r" as RegionId, askingPrice: 1 }, session: 1 }, 0)
  }
  // Fill to about 70% of vCPUs with 1-2 vCPU jobs, as in a busy volunteer pool.
  const total = c.cluster.onlineCpu
  while (c.cluster.allocatedCpu < 0.7 * total) {
    c.submit(job(1 + rng.nextInt(2)), 0)
    c.flush(0)
  }
  return c
}

const job = (vcpus: number): JobRequest => ({
  owner: "bench" as UserId,
  resources: { vcpus, memoryMiB: vcpus * 1024, diskMiB: 1024 },
  requestedTimeMs: 3_600_000,
  workMs: 1_800_000,
  image: "busybox",
  command: ["true"],
  replication: 1
})

export const benchPlacement = async (smoke: boolean) => {
  const sizes = smoke ? [1_000] : [1_000, 5_000, 10_000]
  const bench = new Bench({ time: smoke ? 100 : 500, warmupTime: smoke ? 20 : 100 })
  const request = job(4)
  for (const nodes of sizes) {
    for (const policy of policyNames) {
      const c = loadedCoordinator(nodes, policy)
      let now = 1
      bench.add(`${policy} @ ${nodes}`, () => {
        now++
        const id = Either.getOrThrow(c.submit(request, now))
        c.flush(now)
        if (c.status(id) !== "placed") throw new Error(`${policy} did not place a job that fits`)
        c.cancel(id, now)
      })
    }
  }
  await bench.run()
  const figures: Record<string, Record<string, { p50Us: number; p99Us: number; meanUs: number }>> = {}
  for (const task of bench.tasks) {
    const r = task.result
    if (r.state !== "completed") throw new Error(`${task.name}: ${r.state}`)
    const [policy, nodes] = task.name.split(" @ ")
    const us = (ms: number) => Math.round(ms * 1000 * 100) / 100
    ;(figures[`nodes${nodes}`] ??= {})[policy!] = { p50Us: us(r.latency.p50), p99Us: us(r.latency.p99), meanUs: us(r.latency.mean) }
  }
  return figures
}
