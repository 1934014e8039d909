// Object PUT and GET throughput through core's ObjectStore over the loopback cluster (three agents'
// disk stores in temp directories, frames through the real schemas): the storage path of a live
// cluster minus sockets and TLS. For bench/run.ts; `tsx live/storage/throughput.ts` prints the figures.
import { Effect, Layer } from "effect"
import * as path from "node:path"
import type { NodeId } from "../../core/domain/ids.ts"
import { Prng } from "../../core/random/prng.ts"
import { Rng } from "../../core/random/Rng.ts"
import { makeObjectStore } from "../../core/storage/ObjectStore.ts"
import type { Redundancy } from "../../core/storage/redundancy.ts"
import { ShardStore } from "../../core/storage/ShardStore.ts"
import { makeLoopbackCluster } from "./loopback.ts"
import { scopedTempDir } from "../testing/tempDir.ts"

export interface ThroughputOptions {
  readonly objects?: number
  readonly objectBytes?: number
  /** Puts (and gets) in flight at once. */
  readonly concurrency?: number
  readonly agents?: number
  readonly redundancy?: Redundancy
  /** Core's precomputed audit challenges per shard (default 4): each hashes the whole shard at write time. */
  readonly auditsPerShard?: number
}

export interface LoopbackThroughput {
  readonly putMBps: number
  readonly getMBps: number
  readonly objects: number
  readonly objectBytes: number
  readonly agents: number
  readonly redundancy: string
}

const mb = (bytes: number, ms: number) => bytes / (1 << 20) / (ms / 1000)

export const measureLoopbackThroughput = (options: ThroughputOptions = {}): Effect.Effect<LoopbackThroughput> =>
  Effect.scoped(
    Effect.gen(function* () {
      const objects = options.objects ?? 16
      const objectBytes = options.objectBytes ?? 4 << 20
      const agents = options.agents ?? 3
      const concurrency = options.concurrency ?? 4
      const redundancy: Redundancy = options.redundancy ?? { kind: "rs", k: 2, m: 1 }
      const root = yield* scopedTempDir("storage-bench")
      const cluster = yield* Effect.orDie(makeLoopbackCluster({ dirs: Array.from({ length: agents }, (_, i) => path.join(root, `agent-${i}`)), capacityBytes: 2 ** 40 }))
      const store = yield* makeObjectStore({ shardTimeoutMs: 60_000, auditsPerShard: options.auditsPerShard ?? 4 }).pipe(Effect.provide(Layer.merge(Layer.succeed(ShardStore, cluster.store), Rng.layerSeeded(1))))
      for (let i = 0; i < agents; i++) yield* store.addNode({ id: i as NodeId, region: `r${i % 3}`, capacityBytes: 2 ** 40 })
      yield* Effect.orDie(store.createBucket({ name: "bench", owner: "bench", redundancy }))
      const rng = Prng.fromSeed(1, "bench-bytes")
      const payload = Uint8Array.from({ length: objectBytes }, () => rng.nextInt(256))

      const putStart = performance.now()
      yield* Effect.forEach(
        Array.from({ length: objects }, (_, i) => i),
        (i) => Effect.orDie(store.putObject({ bucket: "bench", key: `o${i}`, data: payload, owner: "bench" })),
        { concurrency, discard: true }
      )
      const putMs = performance.now() - putStart
      const getStart = performance.now()
      yield* Effect.forEach(
        Array.from({ length: objects }, (_, i) => i),
        (i) =>
          Effect.flatMap(Effect.orDie(store.getObject("bench", `o${i}`)), (data) =>
            data.length === objectBytes ? Effect.void : Effect.dieMessage(`object o${i} came back with ${data.length} bytes`)
          ),
        { concurrency, discard: true }
      )
      const getMs = performance.now() - getStart
      const total = objects * objectBytes
      return {
        putMBps: mb(total, putMs),
        getMBps: mb(total, getMs),
        objects,
        objectBytes,
        agents,
        redundancy: redundancy.kind === "rs" ? `rs ${redundancy.k}+${redundancy.m}` : `replication ${redundancy.r}`
      }
    })
  )

if (import.meta.url === `file://${process.argv[1]}`) {
  Effect.runPromise(measureLoopbackThroughput()).then((r) => console.log(JSON.stringify(r)))
}
