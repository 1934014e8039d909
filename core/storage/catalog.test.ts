// The catalog's journal and restore: a store rebuilt from what its journal kept reads and lists the
// same objects, never reuses an object id, and a journal that fails leaves nothing visible.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import * as fc from "fast-check"
import type { NodeId } from "../domain/ids.ts"
import { Prng } from "../random/prng.ts"
import { Rng } from "../random/Rng.ts"
import type { CatalogJournal, CatalogSnapshot } from "./catalog.ts"
import type { Bucket, ObjectRecord } from "./model.ts"
import { makeObjectStore, type ObjectStoreOptions, type ObjectStoreService } from "./ObjectStore.ts"
import { ShardMissing, ShardStore } from "./ShardStore.ts"
import { challengeAnswer } from "./audit.ts"

/** Shards in a map that outlives the stores built over it (the agents' disks across a coordinator restart). */
const memoryDisks = () => {
  const disks = new Map<string, Uint8Array>()
  const key = (node: number, objectId: string, index: number) => `${node}/${objectId}/${index}`
  const missing = (node: number, objectId: string, index: number) => new ShardMissing({ node, objectId, index })
  const store: ShardStore["Type"] = {
    put: (node, ref, bytes) => Effect.sync(() => void disks.set(key(node, ref.objectId, ref.index), bytes.slice())),
    get: (node, ref) => {
      const b = disks.get(key(node, ref.objectId, ref.index))
      return b === undefined ? Effect.fail(missing(node, ref.objectId, ref.index)) : Effect.succeed(b.slice())
    },
    delete: (node, ref) => Effect.sync(() => void disks.delete(key(node, ref.objectId, ref.index))),
    list: () => Effect.succeed([]),
    answerChallenge: (node, ref, nonce) => {
      const b = disks.get(key(node, ref.objectId, ref.index))
      return b === undefined ? Effect.fail(missing(node, ref.objectId, ref.index)) : Effect.succeed(challengeAnswer(nonce, b))
    }
  }
  return { disks, store }
}

/** A journal that keeps what a database would: buckets, the latest record per key, the highest counter. */
const memoryJournal = () => {
  const buckets = new Map<string, Bucket>()
  const objects = new Map<string, ObjectRecord>()
  let objectSeq = 0
  const journal: CatalogJournal = {
    bucketCreated: (b) => Effect.sync(() => void buckets.set(b.name, b)),
    objectCommitted: (r, seq) =>
      Effect.sync(() => {
        objects.set(`${r.bucket}\u0000${r.key}`, r)
        objectSeq = Math.max(objectSeq, seq)
      }),
    objectDeleted: (bucket, key) => Effect.sync(() => void objects.delete(`${bucket}\u0000${key}`))
  }
  const snapshot = (): CatalogSnapshot => ({ buckets: [...buckets.values()], objects: [...objects.values()], objectSeq })
  return { journal, snapshot }
}

const bytes = (n: number, seed: number): Uint8Array => {
  const rng = Prng.fromSeed(seed, "bytes")
  return Uint8Array.from({ length: n }, () => rng.nextInt(256))
}

const nodeCount = 7
const openStore = (store: ShardStore["Type"], options: ObjectStoreOptions, removed: ReadonlySet<number> = new Set(), capacityBytes = 1 << 24) =>
  Effect.gen(function* () {
    const s = yield* makeObjectStore(options)
    for (let i = 0; i < nodeCount; i++) if (!removed.has(i)) yield* s.addNode({ id: i as NodeId, region: ["eu", "us", "ap"][i % 3]!, capacityBytes })
    return s
  }).pipe(Effect.provide(Layer.merge(Layer.succeed(ShardStore, store), Rng.layerSeeded(7))))

const contents = (s: ObjectStoreService, buckets: ReadonlyArray<string>) =>
  Effect.forEach(buckets, (b) =>
    Effect.gen(function* () {
      const page = yield* s.listObjects(b)
      const objects = yield* Effect.forEach(page.objects, (o) => Effect.map(s.getObject(b, o.key), (data) => [o.key, Array.from(data), o.createdAtMs] as const))
      return { bucket: b, objects, heads: yield* Effect.forEach(page.objects, (o) => s.headObject(b, o.key)) }
    })
  )

type Op =
  | { readonly _tag: "put"; readonly bucket: number; readonly key: number; readonly size: number; readonly seed: number }
  | { readonly _tag: "delete"; readonly bucket: number; readonly key: number }
  | { readonly _tag: "loseNodeAndRepair"; readonly node: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ _tag: fc.constant("put" as const), bucket: fc.nat(1), key: fc.nat(4), size: fc.nat(3000), seed: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("delete" as const), bucket: fc.nat(1), key: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("loseNodeAndRepair" as const), node: fc.nat(nodeCount - 1) }) }
)

describe("catalog journal and restore", () => {
  it("a store restored from its journal reads, lists and describes every object the first store had; new ids are fresh", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 14 }), async (ops) => {
        const { store } = memoryDisks()
        const { journal, snapshot } = memoryJournal()
        const bucketNames = ["alpha", "beta"]
        const removed = new Set<number>()
        await Effect.runPromise(
          Effect.gen(function* () {
            const first = yield* openStore(store, { journal })
            yield* first.createBucket({ name: "alpha", owner: "ann", redundancy: { kind: "rs", k: 3, m: 2 } })
            yield* first.createBucket({ name: "beta", owner: "bob", redundancy: { kind: "replication", r: 3 } })
            for (const o of ops) {
              if (o._tag === "put") yield* first.putObject({ bucket: bucketNames[o.bucket]!, key: `k${o.key}`, data: bytes(o.size, o.seed), owner: "ann" })
              else if (o._tag === "delete") yield* Effect.ignore(first.deleteObject(bucketNames[o.bucket]!, `k${o.key}`))
              else if (removed.size < 2 && !removed.has(o.node)) {
                // At most two nodes lost: the remaining five still hold every object's shards after repair.
                removed.add(o.node)
                yield* first.removeNode(o.node as NodeId)
                yield* first.repair({ full: true })
              }
            }
            const before = yield* contents(first, bucketNames)
            const ids = new Set(before.flatMap((b) => b.heads.map((h) => h.objectId)))

            const restored = yield* openStore(store, { journal, restore: snapshot() }, removed)
            expect(yield* contents(restored, bucketNames)).toEqual(before)
            expect(yield* restored.listBuckets()).toEqual(yield* first.listBuckets())
            expect((yield* restored.listBuckets()).map((b) => b.name)).toEqual(bucketNames)
            for (const b of bucketNames) expect((yield* restored.createBucket({ name: b, owner: "ann" }).pipe(Effect.flip))._tag).toBe("BucketExists")
            const fresh = yield* restored.putObject({ bucket: "alpha", key: "k0", data: bytes(10, 1), owner: "ann" })
            expect(ids.has(fresh.objectId)).toBe(false)
          })
        )
      }),
      { numRuns: 25 }
    )
  })

  it.effect("the journal hears of a change before it is visible: a journal that dies leaves no bucket or object behind", () =>
    Effect.gen(function* () {
      const { store } = memoryDisks()
      const ok = memoryJournal()
      let failing = false
      const journal: CatalogJournal = {
        bucketCreated: (b) => (failing ? Effect.die("disk gone") : ok.journal.bucketCreated(b)),
        objectCommitted: (r, seq) => (failing ? Effect.die("disk gone") : ok.journal.objectCommitted(r, seq)),
        objectDeleted: (b, k) => (failing ? Effect.die("disk gone") : ok.journal.objectDeleted(b, k))
      }
      const s = yield* openStore(store, { journal })
      yield* s.createBucket({ name: "alpha", owner: "ann" })
      yield* s.putObject({ bucket: "alpha", key: "kept", data: bytes(100, 1), owner: "ann" })
      failing = true
      expect(Exit.isFailure(yield* Effect.exit(s.createBucket({ name: "gamma", owner: "ann" })))).toBe(true)
      expect(Exit.isFailure(yield* Effect.exit(s.putObject({ bucket: "alpha", key: "lost", data: bytes(100, 2), owner: "ann" })))).toBe(true)
      expect(Exit.isFailure(yield* Effect.exit(s.deleteObject("alpha", "kept")))).toBe(true)
      expect((yield* Effect.flip(s.listObjects("gamma")))._tag).toBe("UnknownBucket")
      expect((yield* s.listObjects("alpha")).objects.map((o) => o.key)).toEqual(["kept"])
      expect(yield* s.getObject("alpha", "kept")).toEqual(bytes(100, 1))
      expect(ok.snapshot().objects.map((r) => r.key)).toEqual(["kept"])
    })
  )

  it.effect("a restored store counts what each node holds, so placement sees full nodes as full", () =>
    Effect.gen(function* () {
      const { store } = memoryDisks()
      const { journal, snapshot } = memoryJournal()
      const first = yield* openStore(store, { journal }, new Set(), 64 << 10)
      yield* first.createBucket({ name: "alpha", owner: "ann", redundancy: { kind: "replication", r: 7 } })
      // Each node gets one shard of 40 KiB out of 64 KiB: a second object of that size cannot fit.
      yield* first.putObject({ bucket: "alpha", key: "big", data: bytes(40 << 10, 3), owner: "ann" })
      const again = yield* Effect.flip(first.putObject({ bucket: "alpha", key: "big2", data: bytes(40 << 10, 4), owner: "ann" }))
      const restored = yield* openStore(store, { journal, restore: snapshot() }, new Set(), 64 << 10)
      const afterRestore = yield* Effect.flip(restored.putObject({ bucket: "alpha", key: "big2", data: bytes(40 << 10, 4), owner: "ann" }))
      expect(afterRestore._tag).toBe(again._tag)
      expect(afterRestore._tag).toBe("NotEnoughNodes")
    })
  )
})
