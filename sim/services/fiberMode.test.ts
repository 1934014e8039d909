// The Effect-level wiring of core's coordinator and agents, run over the simulator's layers in
// virtual time: the same drivers the live daemons use, with the network and sandbox swapped.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Layer, PubSub, Queue, TestClock } from "effect"
import { runAgent } from "../../core/agent/runAgent.ts"
import { runCoordinator } from "../../core/coordinator/runCoordinator.ts"
import type { NodeId, RegionId, UserId } from "../../core/domain/ids.ts"
import type { NodeSpec } from "../../core/domain/node.ts"
import { Prng } from "../../core/random/prng.ts"
import { makePolicy } from "../../core/scheduler/policies.ts"
import { layerMemory } from "./memoryTransport.ts"
import { layerSim } from "./virtualSandbox.ts"

const node = (id: number, vcpus: number): NodeSpec => ({
  id: id as NodeId,
  resources: { vcpus, memoryMiB: 4096, diskMiB: 10_000 },
  speed: 1 + id / 2,
  region: "r" as RegionId,
  askingPrice: 1
})

const layers = Layer.merge(layerMemory({ latencyMsMin: 5, latencyMsMax: 40, lossRate: 0 }, Prng.fromSeed(3, "net")), layerSim)

const job = (i: number) => ({
  owner: `user-${i % 3}` as UserId,
  resources: { vcpus: 1 + (i % 2), memoryMiB: 512, diskMiB: 100 },
  requestedTimeMs: 600_000,
  workMs: 60_000 + 10_000 * i,
  image: "busybox",
  command: ["true"],
  replication: 1
})

describe("coordinator and agents as fibers over the simulator's layers", () => {
  it.scoped("runs every job to success, and retries the jobs of an agent that dies", () =>
    Effect.gen(function* () {
      const policy = Either.getOrThrow(makePolicy("least-allocated", Prng.fromSeed(1)))
      const coordinator = yield* runCoordinator(policy, {
        tickIntervalMs: 10_000,
        config: { heartbeatTimeoutMs: 30_000, maxRetries: 3, scanDepth: 64 }
      })
      const ended = yield* PubSub.subscribe(coordinator.transitions)
      const specs = [node(0, 2), node(1, 4), node(2, 4)]
      const agents: Array<Fiber.RuntimeFiber<never>> = []
      for (const spec of specs) {
        yield* coordinator.enroll(spec)
        agents.push(yield* Effect.forkScoped(runAgent(spec, { heartbeatIntervalMs: 5_000 })))
      }
      yield* TestClock.adjust(1_000)
      const ids = []
      for (let i = 0; i < 12; i++) ids.push(yield* coordinator.submit(job(i)))
      yield* TestClock.adjust(30_000)
      // Node 2 dies with its running jobs; the coordinator notices when its heartbeats stop.
      yield* Fiber.interrupt(agents[2]!)
      for (let t = 0; t < 120; t++) yield* TestClock.adjust(10_000)
      const statuses = yield* Effect.forEach(ids, (id) => coordinator.status(id))
      expect(statuses).toEqual(ids.map(() => "succeeded"))
      const all = yield* Queue.takeAll(ended)
      const retried = [...all].filter((t) => t.to === "queued" && t.from !== "queued")
      expect(retried.length).toBeGreaterThan(0)
      expect(retried.every((t) => t.node === 2)).toBe(true)
      const finishedOn = [...all].filter((t) => t.to === "succeeded").map((t) => t.node)
      expect(finishedOn).not.toContain(2)
      expect(new Set(finishedOn).size).toBe(2)
    }).pipe(Effect.provide(layers))
  )

  it.scoped("refuses a job larger than every node with a typed error", () =>
    Effect.gen(function* () {
      const coordinator = yield* runCoordinator(Either.getOrThrow(makePolicy("fcfs", Prng.fromSeed(1))), { tickIntervalMs: 10_000 })
      yield* coordinator.enroll(node(0, 2))
      const error = yield* Effect.flip(coordinator.submit({ ...job(0), resources: { vcpus: 64, memoryMiB: 1, diskMiB: 1 } }))
      expect(error._tag).toBe("JobUnsatisfiable")
      expect(error.message).toMatch(/64 vCPU/)
    }).pipe(Effect.provide(layers))
  )
})
