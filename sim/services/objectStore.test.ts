// core/storage's ObjectStore over the simulator's in-memory ShardStore: write, read with failover,
// corrupt-shard detection, repair and audits, with nodes removed, slowed and lying.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Layer, TestClock } from "effect"
import * as fc from "fast-check"
import type { NodeId } from "../../core/domain/ids.ts"
import { Prng } from "../../core/random/prng.ts"
import { Rng } from "../../core/random/Rng.ts"
import type { StorageEvent } from "../../core/storage/events.ts"
import { makeObjectStore, type ObjectStoreOptions } from "../../core/storage/ObjectStore.ts"
import type { Redundancy } from "../../core/storage/redundancy.ts"
import { layerMemory, MemoryShardControl } from "./memoryShardStore.ts"

const regions = ["eu", "us", "ap"]

const withStore = <A, E>(
  nodes: number,
  body: (s: Effect.Effect.Success<ReturnType<typeof makeObjectStore>>, control: MemoryShardControl["Type"], events: Array<StorageEvent>) => Effect.Effect<A, E>,
  options: ObjectStoreOptions = {}
): Effect.Effect<A, E> =>
  Effect.gen(function* () {
    const events: Array<StorageEvent> = []
    const control = yield* MemoryShardControl
    const store = yield* makeObjectStore({ ...options, onEvent: (e) => Effect.sync(() => void events.push(e)) })
    for (let i = 0; i < nodes; i++) yield* store.addNode({ id: i as NodeId, region: regions[i % 3]!, capacityBytes: 1 << 30 })
    return yield* body(store, control, events)
  }).pipe(Effect.provide(Layer.merge(layerMemory, Rng.layerSeeded(1))))

const bytes = (n: number, seed: number): Uint8Array => {
  const rng = Prng.fromSeed(seed, "bytes")
  return Uint8Array.from({ length: n }, () => rng.nextInt(256))
}

const rs42: Redundancy = { kind: "rs", k: 4, m: 2 }

describe("object store", () => {
  it.effect("writes and reads back objects; lists by prefix with pagination; deletes", () =>
    withStore(8, (store, control) =>
      Effect.gen(function* () {
        yield* store.createBucket({ name: "photos", owner: "alice" })
        const keys = ["2024/a.jpg", "2024/b.jpg", "2024/c.jpg", "2025/a.jpg", "notes.txt"]
        for (const [i, key] of keys.entries()) yield* store.putObject({ bucket: "photos", key, data: bytes(1000 + i * 333, i), owner: "alice", metadata: { type: "image" } })
        for (const [i, key] of keys.entries()) expect(yield* store.getObject("photos", key)).toEqual(bytes(1000 + i * 333, i))
        const head = yield* store.headObject("photos", "2024/b.jpg")
        expect(head.sizeBytes).toBe(1333)
        expect(head.metadata).toEqual({ type: "image" })
        expect(new Set(head.shards.map((s) => s.node)).size).toBe(6)

        const page1 = yield* store.listObjects("photos", { prefix: "2024/", limit: 2 })
        expect(page1.objects.map((o) => o.key)).toEqual(["2024/a.jpg", "2024/b.jpg"])
        const page2 = yield* store.listObjects("photos", { prefix: "2024/", limit: 2, after: page1.nextAfter! })
        expect(page2.objects.map((o) => o.key)).toEqual(["2024/c.jpg"])
        expect(page2.nextAfter).toBeUndefined()

        yield* store.deleteObject("photos", "notes.txt")
        const e = yield* Effect.flip(store.getObject("photos", "notes.txt"))
        expect(e.message).toBe(`no object "notes.txt" in bucket "photos"`)
        let stored = 0
        for (let i = 0; i < 8; i++) stored += control.shardCount(i)
        expect(stored).toBe(4 * 6)
      })
    )
  )

  it.effect("overwriting an object replaces it and removes the old version's shards", () =>
    withStore(6, (store, control) =>
      Effect.gen(function* () {
        yield* store.createBucket({ name: "b-1", owner: "alice" })
        yield* store.putObject({ bucket: "b-1", key: "k", data: bytes(500, 1), owner: "alice" })
        yield* store.putObject({ bucket: "b-1", key: "k", data: bytes(700, 2), owner: "alice" })
        expect(yield* store.getObject("b-1", "k")).toEqual(bytes(700, 2))
        let stored = 0
        for (let i = 0; i < 6; i++) stored += control.shardCount(i)
        expect(stored).toBe(6)
      })
    )
  )

  it.effect("bad input is a typed error that names it", () =>
    withStore(5, (store) =>
      Effect.gen(function* () {
        const tooWide = yield* Effect.flip(store.createBucket({ name: "wide", owner: "alice", redundancy: { kind: "rs", k: 4, m: 2 } }))
        expect(tooWide._tag).toBe("NotEnoughNodes")
        expect(tooWide.message).toBe("Reed-Solomon 4+2 needs 6 distinct nodes with room, but only 5 are available")
        const badName = yield* Effect.flip(store.createBucket({ name: "No Spaces", owner: "alice", redundancy: { kind: "replication", r: 3 } }))
        expect(badName._tag).toBe("InvalidStorageInput")
        expect(badName.message).toBe(`invalid bucket name: Expected a string matching the pattern ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$, actual "No Spaces"`)
        const badThreshold = yield* Effect.flip(store.createBucket({ name: "thr", owner: "alice", redundancy: { kind: "replication", r: 3 }, repairAtHealthy: 3 }))
        expect(badThreshold.message).toBe("invalid repairAtHealthy: must be an integer between k = 1 and k+m-1 = 2, got 3")
        yield* store.createBucket({ name: "rep", owner: "alice", redundancy: { kind: "replication", r: 3 } })
        expect((yield* Effect.flip(store.createBucket({ name: "rep", owner: "bob" })))._tag).toBe("BucketExists")
        expect((yield* Effect.flip(store.putObject({ bucket: "nope", key: "k", data: new Uint8Array(1), owner: "alice" }))).message).toBe(`no bucket named "nope"`)
        expect((yield* Effect.flip(store.putObject({ bucket: "rep", key: "", data: new Uint8Array(1), owner: "alice" })))._tag).toBe("InvalidStorageInput")
        expect((yield* Effect.flip(store.listObjects("rep", { limit: 0 }))).message).toBe("invalid limit: must be an integer from 1 to 1000, got 0")
      })
    )
  )

  it("a corrupted shard is always detected by its checksum and never returned; reads still give the object back", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ kind: fc.constant("rs" as const), k: fc.integer({ min: 1, max: 6 }), m: fc.integer({ min: 1, max: 3 }) }),
          fc.record({ kind: fc.constant("replication" as const), r: fc.integer({ min: 2, max: 4 }) })
        ),
        fc.uint8Array({ maxLength: 2000 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (redundancy, data, which, at, mask) =>
          Effect.runPromise(
            withStore(10, (store, control, events) =>
              Effect.gen(function* () {
                yield* store.createBucket({ name: "bkt", owner: "alice", redundancy })
                const record = yield* store.putObject({ bucket: "bkt", key: "obj", data, owner: "alice" })
                const loc = record.shards[which % record.shards.length]!
                expect(control.corrupt(loc.node, { objectId: record.objectId, index: loc.index }, at, mask)).toBe(true)
                const r = yield* Effect.either(store.readShard("bkt", "obj", loc.index))
                expect(Either.isLeft(r) && r.left._tag).toBe("ShardCorrupt")
                expect(events).toContainEqual({ _tag: "ShardCorruptDetected", node: loc.node, objectId: record.objectId, index: loc.index })
                expect(yield* store.getObject("bkt", "obj")).toEqual(data)
                for (const other of record.shards) if (other.index !== loc.index) expect((yield* store.readShard("bkt", "obj", other.index)).length).toBe(record.shardSizeBytes)
              })
            )
          )
      ),
      { numRuns: 60 }
    )
  })

  it.effect("nodes removed one after another: every read succeeds while k shards survive; repair restores full redundancy", () =>
    withStore(12, (store, control) =>
      Effect.gen(function* () {
        yield* store.createBucket({ name: "durable", owner: "alice", redundancy: rs42 })
        const objects = 30
        for (let o = 0; o < objects; o++) yield* store.putObject({ bucket: "durable", key: `o${o}`, data: bytes(100 + o * 97, o), owner: "alice" })
        const removed = new Set<number>()
        const order = [5, 0, 9, 2, 7, 11]
        let unavailable = 0
        for (const node of order) {
          control.removeNode(node)
          yield* store.removeNode(node as NodeId)
          removed.add(node)
          for (let o = 0; o < objects; o++) {
            const record = yield* store.headObject("durable", `o${o}`)
            const surviving = record.shards.filter((s) => !removed.has(s.node)).length
            const r = yield* Effect.either(store.getObject("durable", `o${o}`))
            if (surviving >= 4) expect(Either.getOrThrow(r)).toEqual(bytes(100 + o * 97, o))
            else {
              expect(Either.isLeft(r) && r.left._tag).toBe("ObjectUnavailable")
              unavailable++
            }
          }
        }
        // Six of twelve nodes gone: some objects must have dropped below k, or the test shows nothing.
        expect(unavailable).toBeGreaterThan(0)
        for (let i = 12; i < 18; i++) yield* store.addNode({ id: i as NodeId, region: regions[i % 3]!, capacityBytes: 1 << 30 })
        const report = yield* store.repair({ full: true })
        let lost = 0
        for (let o = 0; o < objects; o++) {
          const h = yield* store.health("durable", `o${o}`)
          if (report.lost.some((l) => l.key === `o${o}`)) {
            lost++
            continue
          }
          expect(h).toEqual({ healthy: 6, k: 4, n: 6 })
          const record = yield* store.headObject("durable", `o${o}`)
          expect(new Set(record.shards.map((s) => s.node)).size).toBe(6)
          for (const s of record.shards) expect(removed.has(s.node)).toBe(false)
          expect(yield* store.getObject("durable", `o${o}`)).toEqual(bytes(100 + o * 97, o))
        }
        expect(report.repaired).toBe(objects - lost)
        // Lost ones are exactly those that had fewer than k shards left.
        for (const l of report.lost) {
          const record = yield* store.headObject("durable", l.key)
          expect(record.shards.filter((s) => !removed.has(s.node)).length).toBeLessThan(4)
        }
      })
    )
  )

  it.live("a slow node is skipped: the read fails over to another shard", () =>
    withStore(
      6,
      (store, control) =>
        Effect.gen(function* () {
          yield* store.createBucket({ name: "slow", owner: "alice", redundancy: rs42 })
          const record = yield* store.putObject({ bucket: "slow", key: "k", data: bytes(4000, 3), owner: "alice" })
          control.makeSlow(record.shards[0]!.node, 60_000)
          control.makeSlow(record.shards[2]!.node, 60_000)
          expect(yield* store.getObject("slow", "k")).toEqual(bytes(4000, 3))
          const e = yield* Effect.flip(store.readShard("slow", "k", 0))
          expect(e._tag).toBe("NodeSlow")
        }),
      { shardTimeoutMs: 30 }
    )
  )

  it.effect("a write whose shards cannot all become durable fails and leaves nothing visible or stored", () =>
    withStore(7, (store, control) =>
      Effect.gen(function* () {
        yield* store.createBucket({ name: "www", owner: "alice", redundancy: rs42 })
        // Two nodes unreachable: the write fails over to the one spare, then has nowhere to go.
        control.disconnect(1)
        control.disconnect(4)
        const e = yield* Effect.flip(store.putObject({ bucket: "www", key: "k", data: bytes(999, 1), owner: "alice" }))
        expect(e._tag).toBe("WriteFailed")
        expect(e.message).toMatch(/^writing "k" to bucket "www" failed: 5 of 6 shards became durable/)
        expect((yield* Effect.flip(store.headObject("www", "k")))._tag).toBe("UnknownObject")
        expect((yield* store.listObjects("www")).objects).toEqual([])
        for (let i = 0; i < 7; i++) expect(control.shardCount(i)).toBe(0)
        // One node back: the write fails over to it and succeeds.
        control.reconnect(4)
        const record = yield* store.putObject({ bucket: "www", key: "k", data: bytes(999, 1), owner: "alice" })
        expect(record.shards.map((s) => s.node)).not.toContain(1)
        expect(yield* store.getObject("www", "k")).toEqual(bytes(999, 1))
      })
    )
  )

  it.effect("audits catch a node that lost or altered a shard; the failure is reported and the shard repaired elsewhere", () =>
    withStore(8, (store, control, events) =>
      Effect.gen(function* () {
        yield* store.createBucket({ name: "aud", owner: "alice", redundancy: rs42 })
        const record = yield* store.putObject({ bucket: "aud", key: "k", data: bytes(3000, 9), owner: "alice" })
        const liar = record.shards[1]!
        const dropped = record.shards[4]!
        control.corrupt(liar.node, { objectId: record.objectId, index: 1 }, 17, 0x40)
        control.dropShard(dropped.node, { objectId: record.objectId, index: 4 })
        // Enough challenges that every shard is challenged (6 shards, 4 precomputed challenges each, then checksum checks).
        const outcomes = yield* store.audit({ challenges: 200 })
        const failed = outcomes.filter((o) => !o.passed)
        expect(failed.map((o) => [o.node, o.index, o.reason])).toEqual(expect.arrayContaining([[liar.node, 1, "wrong-answer"], [dropped.node, 4, "missing"]]))
        expect(new Set(failed.map((o) => o.index))).toEqual(new Set([1, 4]))
        expect(events.filter((e) => e._tag === "AuditFailed").length).toBe(failed.length)
        expect(yield* store.health("aud", "k")).toEqual({ healthy: 4, k: 4, n: 6 })
        const report = yield* store.repair()
        expect(report.shardsRebuilt).toBe(2)
        expect(yield* store.health("aud", "k")).toEqual({ healthy: 6, k: 4, n: 6 })
        const after = yield* store.headObject("aud", "k")
        expect(after.shards[1]!.node).not.toBe(liar.node)
        expect(after.shards[4]!.node).not.toBe(dropped.node)
        expect((yield* store.audit({ challenges: 100 })).every((o) => o.passed)).toBe(true)
      })
    )
  )

  it.effect("with no node free of the object, a corrupt shard is rewritten in place on its own node", () =>
    withStore(3, (store, control) =>
      Effect.gen(function* () {
        yield* store.createBucket({ name: "small", owner: "alice", redundancy: { kind: "rs", k: 2, m: 1 } })
        const data = bytes(5000, 4)
        const record = yield* store.putObject({ bucket: "small", key: "k", data, owner: "alice" })
        const victim = record.shards[0]!
        expect(control.corrupt(victim.node, { objectId: record.objectId, index: 0 }, 3, 0x10)).toBe(true)
        expect(yield* store.getObject("small", "k")).toEqual(data) // read around it, and mark it bad
        expect(yield* store.health("small", "k")).toEqual({ healthy: 2, k: 2, n: 3 })
        expect((yield* store.repair()).shardsRebuilt).toBe(1)
        expect(yield* store.health("small", "k")).toEqual({ healthy: 3, k: 2, n: 3 })
        const after = yield* store.headObject("small", "k")
        expect(after.shards.map((s) => s.node)).toEqual(record.shards.map((s) => s.node))
        // The rewritten shard is there and right: every shard reads back verified.
        for (const s of after.shards) yield* store.readShard("small", "k", s.index)
      })
    )
  )

  it.effect("repair goes most-at-risk first and stops at its byte budget", () =>
    withStore(10, (store, control) =>
      Effect.gen(function* () {
        yield* store.createBucket({ name: "pri", owner: "alice", redundancy: rs42, repairAtHealthy: 5 })
        const a = yield* store.putObject({ bucket: "pri", key: "a", data: bytes(4000, 1), owner: "alice" })
        const b = yield* store.putObject({ bucket: "pri", key: "b", data: bytes(4000, 2), owner: "alice" })
        // a loses one shard, b loses two: b is more at risk.
        control.dropShard(a.shards[0]!.node, { objectId: a.objectId, index: 0 })
        control.dropShard(b.shards[0]!.node, { objectId: b.objectId, index: 0 })
        control.dropShard(b.shards[1]!.node, { objectId: b.objectId, index: 1 })
        yield* store.audit({ challenges: 400 })
        expect((yield* store.health("pri", "a")).healthy).toBe(5)
        expect((yield* store.health("pri", "b")).healthy).toBe(4)
        const first = yield* store.repair({ maxBytes: 1 })
        expect(first).toMatchObject({ atRisk: 2, repaired: 1, deferred: 1 })
        expect((yield* store.health("pri", "b")).healthy).toBe(6)
        expect((yield* store.health("pri", "a")).healthy).toBe(5)
        const second = yield* store.repair()
        expect(second).toMatchObject({ atRisk: 1, repaired: 1, deferred: 0 })
        expect((yield* store.health("pri", "a")).healthy).toBe(6)
      })
    )
  )

  it.effect("the repair loop spends one budget per interval, so repair is rate-limited over time", () =>
    withStore(10, (store, control) =>
      Effect.gen(function* () {
        yield* store.createBucket({ name: "loop", owner: "alice", redundancy: rs42, repairAtHealthy: 5 })
        const records = []
        for (let o = 0; o < 12; o++) records.push(yield* store.putObject({ bucket: "loop", key: `o${o}`, data: bytes(4000, o), owner: "alice" }))
        // The node holding the most shards leaves; every object it held is down to 5 healthy shards.
        const perNode = new Map<number, number>()
        for (const r of records) for (const sh of r.shards) perNode.set(sh.node, (perNode.get(sh.node) ?? 0) + 1)
        const [gone, affected] = [...perNode].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!
        expect(affected).toBeGreaterThanOrEqual(3)
        control.removeNode(gone)
        yield* store.removeNode(gone as NodeId)
        const repairedCount = Effect.map(
          Effect.forEach(records, (r) => store.health("loop", r.key)),
          (hs) => hs.filter((h) => h.healthy === 6).length - (records.length - affected)
        )
        // A repair reads 4 shards of 1000 bytes and writes 1: a budget of 5000 bytes is one object per pass.
        const fiber = yield* Effect.fork(store.repairLoop(1000, 5000))
        yield* TestClock.adjust(500)
        expect(yield* repairedCount).toBe(1)
        yield* TestClock.adjust(1000)
        expect(yield* repairedCount).toBe(2)
        yield* TestClock.adjust(1000 * affected)
        expect(yield* repairedCount).toBe(affected)
        yield* Fiber.interrupt(fiber)
      })
    )
  )
})
