// Core's ObjectStore over the shard RPC and three agents' disk stores (real files, frames through the
// real schemas), with the catalog in a real SQLite file: reads and writes, a shard corrupted on disk
// (detected, served around, caught by audit, rewritten by repair), a coordinator restart from the
// catalog, and a node whose connection drops mid-read.
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { NodeId } from "../../core/domain/ids.ts"
import { Prng } from "../../core/random/prng.ts"
import { Rng } from "../../core/random/Rng.ts"
import type { StorageEvent } from "../../core/storage/events.ts"
import type { ObjectRecord } from "../../core/storage/model.ts"
import { makeObjectStore, type ObjectStoreOptions } from "../../core/storage/ObjectStore.ts"
import { ShardStore } from "../../core/storage/ShardStore.ts"
import { type LoopbackCluster, makeLoopbackCluster } from "./loopback.ts"
import { makeSqliteCatalog } from "./sqliteCatalog.ts"
import { scopedTempDir } from "../testing/tempDir.ts"

const tempDir = scopedTempDir("storage")

const bytes = (n: number, seed: number): Uint8Array => {
  const rng = Prng.fromSeed(seed, "object-bytes")
  return Uint8Array.from({ length: n }, () => rng.nextInt(256))
}

const agents = 3
const agentDirs = (root: string) => Array.from({ length: agents }, (_, i) => path.join(root, `agent-${i}`))

/** A coordinator's object store over a loopback cluster; `events` collects what it reports. */
const openStore = (cluster: LoopbackCluster, options: ObjectStoreOptions = {}) =>
  Effect.gen(function* () {
    const events: Array<StorageEvent> = []
    const store = yield* makeObjectStore({ shardTimeoutMs: 10_000, ...options, onEvent: (e) => Effect.sync(() => void events.push(e)) })
    for (let i = 0; i < agents; i++) yield* store.addNode({ id: i as NodeId, region: ["eu", "us", "ap"][i]!, capacityBytes: 64 << 20 })
    return { store, events }
  }).pipe(Effect.provide(Layer.merge(Layer.succeed(ShardStore, cluster.store), Rng.layerSeeded(3))))

const shardFile = (root: string, record: ObjectRecord, index: number) => {
  const loc = record.shards[index]!
  return path.join(agentDirs(root)[loc.node]!, record.objectId.slice(0, 2), `${record.objectId}.${index}`)
}

const flipByte = (file: string, at: number) => {
  const b = fs.readFileSync(file)
  b[at % b.length] = b[at % b.length]! ^ 0x5a
  fs.writeFileSync(file, b)
}

describe("object store over the shard RPC and disk stores", () => {
  it.scopedLive("puts and gets objects of many sizes; every shard is a file holding what the catalog says", () =>
    Effect.gen(function* () {
      const root = yield* tempDir
      const cluster = yield* makeLoopbackCluster({ dirs: agentDirs(root), capacityBytes: 64 << 20 })
      const { store } = yield* openStore(cluster)
      yield* store.createBucket({ name: "data", owner: "ann", redundancy: { kind: "rs", k: 2, m: 1 } })
      const sizes = [0, 1, 1000, 65_537, 300_001]
      const records = yield* Effect.forEach(sizes, (n, i) => store.putObject({ bucket: "data", key: `obj-${i}`, data: bytes(n, i), owner: "ann" }), { concurrency: 3 })
      for (const [i, n] of sizes.entries()) expect(yield* store.getObject("data", `obj-${i}`)).toEqual(bytes(n, i))
      for (const r of records) {
        expect(new Set(r.shards.map((s) => s.node)).size).toBe(3)
        for (const s of r.shards) expect(fs.readFileSync(shardFile(root, r, s.index)).length).toBe(r.shardSizeBytes)
      }
      const used = yield* Effect.forEach(cluster.disks, (d) => d.usedBytes)
      const expectedPerNode = records.reduce((sum, r) => sum + r.shardSizeBytes, 0)
      expect(used).toEqual([expectedPerNode, expectedPerNode, expectedPerNode])
      yield* store.deleteObject("data", "obj-4")
      expect(fs.existsSync(shardFile(root, records[4]!, 0))).toBe(false)
      expect(cluster.rpc.pendingCount()).toBe(0)
    })
  )

  it.scopedLive("a shard corrupted on disk: the read still returns the right bytes, an audit catches it, repair rewrites it", () =>
    Effect.gen(function* () {
      const root = yield* tempDir
      const cluster = yield* makeLoopbackCluster({ dirs: agentDirs(root), capacityBytes: 64 << 20 })
      const { store, events } = yield* openStore(cluster)
      // Two copies on three nodes, so repair has a node to rebuild onto.
      yield* store.createBucket({ name: "pics", owner: "ann", redundancy: { kind: "replication", r: 2 } })
      const data = bytes(200_000, 7)
      const record = yield* store.putObject({ bucket: "pics", key: "cat.jpg", data, owner: "ann" })
      const original = fs.readFileSync(shardFile(root, record, 0))
      flipByte(shardFile(root, record, 0), 12_345)

      expect(yield* store.getObject("pics", "cat.jpg")).toEqual(data)
      expect(events).toContainEqual({ _tag: "ShardCorruptDetected", node: record.shards[0]!.node, objectId: record.objectId, index: 0 })
      expect((yield* store.health("pics", "cat.jpg")).healthy).toBe(1)

      const report = yield* store.repair()
      expect(report.shardsRebuilt).toBe(1)
      const repaired = yield* store.headObject("pics", "cat.jpg")
      const rebuiltAt = repaired.shards[0]!.node
      expect(rebuiltAt).not.toBe(record.shards[0]!.node)
      expect(rebuiltAt).not.toBe(record.shards[1]!.node)
      expect(fs.readFileSync(shardFile(root, repaired, 0))).toEqual(original)
      // The corrupt copy is removed from the node that held it.
      expect(fs.existsSync(shardFile(root, record, 0))).toBe(false)
      expect((yield* store.health("pics", "cat.jpg")).healthy).toBe(2)

      // Rot found by an audit rather than a read: the node's answer to the challenge is wrong.
      flipByte(shardFile(root, repaired, 1), 99)
      const outcomes = yield* store.audit({ challenges: 12 })
      const failed = outcomes.filter((o) => !o.passed)
      expect(failed.length).toBeGreaterThan(0)
      expect(failed[0]).toMatchObject({ node: repaired.shards[1]!.node, index: 1, reason: "wrong-answer" })
      // Once its precomputed challenges are used up, the auditor fetches the shard and finds it corrupt.
      for (const o of failed) expect(o).toMatchObject({ node: repaired.shards[1]!.node, index: 1, reason: expect.stringMatching(/^(wrong-answer|corrupt)$/) })
      expect(outcomes.filter((o) => o.passed).every((o) => o.index === 0)).toBe(true)
      expect((yield* store.repair()).shardsRebuilt).toBe(1)
      const final = yield* store.headObject("pics", "cat.jpg")
      expect(fs.readFileSync(shardFile(root, final, 1))).toEqual(original)
      expect(yield* store.getObject("pics", "cat.jpg")).toEqual(data)
    })
  )

  it.scopedLive("a coordinator restarted from the SQLite catalog reads every object, with new ids never reusing old ones", () =>
    Effect.gen(function* () {
      const root = yield* tempDir
      const sqlite = SqliteClient.layer({ filename: path.join(root, "coordinator.sqlite") })
      const written = new Map<string, Uint8Array>()
      const firstIds = yield* Effect.scoped(
        Effect.gen(function* () {
          const catalog = yield* makeSqliteCatalog
          const cluster = yield* makeLoopbackCluster({ dirs: agentDirs(root), capacityBytes: 64 << 20 })
          const { store } = yield* openStore(cluster, { journal: catalog.journal, restore: yield* catalog.load })
          yield* store.createBucket({ name: "a-bucket", owner: "ann", redundancy: { kind: "rs", k: 2, m: 1 } })
          yield* store.createBucket({ name: "b-bucket", owner: "bob", redundancy: { kind: "replication", r: 2 } })
          for (let i = 0; i < 12; i++) {
            const bucket = i % 2 === 0 ? "a-bucket" : "b-bucket"
            const data = bytes(3000 + i * 1111, 100 + i)
            yield* store.putObject({ bucket, key: `k/${i}`, data, owner: i % 2 === 0 ? "ann" : "bob", metadata: { i: String(i) } })
            written.set(`${bucket}/k/${i}`, data)
          }
          // An overwrite, a delete, and a repair's move all reach the catalog.
          const newer = bytes(5000, 999)
          yield* store.putObject({ bucket: "a-bucket", key: "k/0", data: newer, owner: "ann" })
          written.set("a-bucket/k/0", newer)
          yield* store.deleteObject("b-bucket", "k/1")
          written.delete("b-bucket/k/1")
          const victim = yield* store.headObject("b-bucket", "k/3")
          flipByte(shardFile(root, victim, 0), 5)
          yield* Effect.flip(store.readShard("b-bucket", "k/3", 0))
          expect((yield* store.repair()).shardsRebuilt).toBe(1)
          const heads = yield* Effect.forEach([...written.keys()], (k) => store.headObject(k.slice(0, 8), k.slice(9)))
          return { heads, ids: new Set(heads.map((h) => h.objectId)) }
        }).pipe(Effect.provide(sqlite))
      )

      // The restarted coordinator: a new catalog connection, new RPC, agents' stores reopened from their directories.
      yield* Effect.scoped(
        Effect.gen(function* () {
          const catalog = yield* makeSqliteCatalog
          const snapshot = yield* catalog.load
          expect(snapshot.buckets.map((b) => b.name)).toEqual(["a-bucket", "b-bucket"])
          expect(snapshot.objects.length).toBe(written.size)
          const cluster = yield* makeLoopbackCluster({ dirs: agentDirs(root), capacityBytes: 64 << 20 })
          const { store, events } = yield* openStore(cluster, { journal: catalog.journal, restore: snapshot })
          for (const [k, data] of written) expect(yield* store.getObject(k.slice(0, 8), k.slice(9))).toEqual(data)
          expect(events.filter((e) => e._tag === "ShardCorruptDetected")).toEqual([])
          for (const h of firstIds.heads) expect(yield* store.headObject(h.bucket, h.key)).toEqual(h)
          expect((yield* Effect.flip(store.getObject("b-bucket", "k/1")))._tag).toBe("UnknownObject")
          const fresh = yield* store.putObject({ bucket: "a-bucket", key: "after-restart", data: bytes(10, 1), owner: "ann" })
          expect(firstIds.ids.has(fresh.objectId)).toBe(false)
          expect(yield* store.getObject("a-bucket", "after-restart")).toEqual(bytes(10, 1))
        }).pipe(Effect.provide(sqlite))
      )
    })
  )

  it.scopedLive("a node whose connection drops: its pending calls fail NodeGone at once and reads fail over to the other shards", () =>
    Effect.gen(function* () {
      const root = yield* tempDir
      const cluster = yield* makeLoopbackCluster({ dirs: agentDirs(root), capacityBytes: 64 << 20 })
      // A shard timeout far longer than the test: only the disconnection can end the wait.
      const { store } = yield* openStore(cluster, { shardTimeoutMs: 600_000 })
      yield* store.createBucket({ name: "logs", owner: "ann", redundancy: { kind: "rs", k: 2, m: 1 } })
      const data = bytes(300_000, 11)
      const record = yield* store.putObject({ bucket: "logs", key: "day-1", data, owner: "ann" })
      const hung = record.shards[0]!.node
      cluster.hold(hung)

      const direct = yield* Effect.fork(cluster.rpc.call(hung, { _tag: "ShardList" }, 600_000))
      const read = yield* Effect.fork(store.getObject("logs", "day-1"))
      while (cluster.heldReplies(hung) < 2) yield* Effect.sleep(5)
      expect(cluster.rpc.pendingCount()).toBeGreaterThanOrEqual(2)
      cluster.disconnect(hung)

      const gone = yield* Effect.flip(Fiber.join(direct))
      expect(gone).toMatchObject({ _tag: "NodeGone", node: hung })
      expect(yield* Fiber.join(read)).toEqual(data)
      expect(cluster.rpc.pendingCount()).toBe(0)
      // While it is away, calls to it fail at once.
      expect((yield* Effect.flip(cluster.store.get(hung, { objectId: record.objectId, index: 0 })))._tag).toBe("NodeGone")
      cluster.reconnect(hung)
      expect(yield* cluster.store.get(hung, { objectId: record.objectId, index: 0 })).toHaveLength(record.shardSizeBytes)
    })
  )
})
