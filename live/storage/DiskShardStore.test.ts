// The agent's shard files in real temp directories: every request, the capacity, reopening, and what
// a crash mid-put or a damaged file leaves behind.
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import * as fs from "node:fs"
import * as path from "node:path"
import { createHash } from "node:crypto"
import { challengeAnswer } from "../../core/storage/audit.ts"
import { Prng } from "../../core/random/prng.ts"
import { type DiskShardStore, makeDiskShardStore } from "./DiskShardStore.ts"
import { scopedTempDir } from "../testing/tempDir.ts"

const tempDir = scopedTempDir("shards")

const bytes = (n: number, seed: number): Uint8Array => {
  const rng = Prng.fromSeed(seed, "shard-bytes")
  return Uint8Array.from({ length: n }, () => rng.nextInt(256))
}

const oid = (i: number) => createHash("sha256").update(`object ${i}`).digest("hex").slice(0, 32)

describe("disk shard store", () => {
  it.scoped("puts, gets, lists, challenges and deletes shards as files with their checksums beside them", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const store = yield* makeDiskShardStore({ dir, capacityBytes: 1 << 20 })
      const a = bytes(1000, 1)
      const b = bytes(0, 2)
      expect(yield* store.handle({ _tag: "ShardPut", requestId: 1, objectId: oid(1), index: 0, data: a })).toEqual({ _tag: "Done" })
      expect(yield* store.handle({ _tag: "ShardPut", requestId: 2, objectId: oid(1), index: 3, data: b })).toEqual({ _tag: "Done" })
      expect(yield* store.handle({ _tag: "ShardPut", requestId: 3, objectId: oid(2), index: 1, data: a })).toEqual({ _tag: "Done" })

      const file = path.join(dir, oid(1).slice(0, 2), `${oid(1)}.0`)
      expect(new Uint8Array(fs.readFileSync(file))).toEqual(a)
      expect(fs.readFileSync(`${file}.sha256`, "utf8")).toBe(createHash("sha256").update(a).digest("hex"))
      expect(yield* store.usedBytes).toBe(2000)

      expect(yield* store.handle({ _tag: "ShardGet", requestId: 4, objectId: oid(1), index: 0 })).toEqual({ _tag: "Bytes", data: a })
      expect(yield* store.handle({ _tag: "ShardGet", requestId: 5, objectId: oid(1), index: 3 })).toEqual({ _tag: "Bytes", data: b })
      expect(yield* store.handle({ _tag: "ShardGet", requestId: 6, objectId: oid(1), index: 1 })).toEqual({ _tag: "Failed", failure: { _tag: "ShardMissing" } })

      const listed = yield* store.handle({ _tag: "ShardList", requestId: 7 })
      const expected = [
        { objectId: oid(1), index: 0 },
        { objectId: oid(1), index: 3 },
        { objectId: oid(2), index: 1 }
      ].sort((x, y) => (x.objectId === y.objectId ? x.index - y.index : x.objectId < y.objectId ? -1 : 1))
      expect(listed._tag === "Shards" ? [...listed.shards].sort((x, y) => (x.objectId === y.objectId ? x.index - y.index : x.objectId < y.objectId ? -1 : 1)) : listed).toEqual(expected)

      const nonce = bytes(16, 9)
      expect(yield* store.handle({ _tag: "ShardChallenge", requestId: 8, objectId: oid(2), index: 1, nonce })).toEqual({ _tag: "Bytes", data: challengeAnswer(nonce, a) })
      expect(yield* store.handle({ _tag: "ShardChallenge", requestId: 9, objectId: oid(2), index: 0, nonce })).toEqual({ _tag: "Failed", failure: { _tag: "ShardMissing" } })

      expect(yield* store.handle({ _tag: "ShardDelete", requestId: 10, objectId: oid(1), index: 0 })).toEqual({ _tag: "Done" })
      expect(fs.existsSync(file)).toBe(false)
      expect(fs.existsSync(`${file}.sha256`)).toBe(false)
      expect(yield* store.usedBytes).toBe(1000)
      // Deleting what is not there is done too: a delete is retried after lost replies.
      expect(yield* store.handle({ _tag: "ShardDelete", requestId: 11, objectId: oid(1), index: 0 })).toEqual({ _tag: "Done" })
      expect(yield* store.handle({ _tag: "ShardGet", requestId: 12, objectId: oid(1), index: 0 })).toEqual({ _tag: "Failed", failure: { _tag: "ShardMissing" } })
    })
  )

  it.scoped("refuses a put beyond its capacity with NodeFull and the free bytes; concurrent puts cannot overfill it; overwriting counts once", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const store = yield* makeDiskShardStore({ dir, capacityBytes: 10_000 })
      expect(yield* store.handle({ _tag: "ShardPut", requestId: 1, objectId: oid(1), index: 0, data: bytes(6000, 1) })).toEqual({ _tag: "Done" })
      expect(yield* store.handle({ _tag: "ShardPut", requestId: 2, objectId: oid(2), index: 0, data: bytes(5000, 2) })).toEqual({
        _tag: "Failed",
        failure: { _tag: "NodeFull", neededBytes: 5000, freeBytes: 4000 }
      })
      // Overwriting a shard needs only the difference.
      expect(yield* store.handle({ _tag: "ShardPut", requestId: 3, objectId: oid(1), index: 0, data: bytes(9000, 3) })).toEqual({ _tag: "Done" })
      expect(yield* store.usedBytes).toBe(9000)
      yield* store.handle({ _tag: "ShardDelete", requestId: 4, objectId: oid(1), index: 0 })

      const results = yield* Effect.forEach(
        [0, 1, 2, 3, 4],
        (i) => store.handle({ _tag: "ShardPut", requestId: 10 + i, objectId: oid(10 + i), index: 0, data: bytes(3000, i) }),
        { concurrency: "unbounded" }
      )
      expect(results.filter((r) => r._tag === "Done").length).toBe(3)
      expect(results.filter((r) => r._tag === "Failed" && r.failure._tag === "NodeFull").length).toBe(2)
      expect(yield* store.usedBytes).toBe(9000)
    })
  )

  it.scoped("a reopened store counts what is on disk, serves it, and clears temp files a crash left", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const first = yield* makeDiskShardStore({ dir, capacityBytes: 1 << 20 })
      for (let i = 0; i < 5; i++) yield* first.handle({ _tag: "ShardPut", requestId: i, objectId: oid(i), index: i, data: bytes(100 * (i + 1), i) })
      const leftover = path.join(dir, oid(0).slice(0, 2), `${oid(0)}.7.tmp-123-0`)
      fs.writeFileSync(leftover, "half a shard")

      const reopened = yield* makeDiskShardStore({ dir, capacityBytes: 1 << 20 })
      expect(yield* reopened.usedBytes).toBe(100 + 200 + 300 + 400 + 500)
      expect(fs.existsSync(leftover)).toBe(false)
      for (let i = 0; i < 5; i++) {
        expect(yield* reopened.handle({ _tag: "ShardGet", requestId: 100 + i, objectId: oid(i), index: i })).toEqual({ _tag: "Bytes", data: bytes(100 * (i + 1), i) })
      }
      const listed = yield* reopened.handle({ _tag: "ShardList", requestId: 200 })
      expect(listed._tag === "Shards" ? listed.shards.length : -1).toBe(5)
    })
  )

  it.scoped("a shard damaged on disk is served as it is (the coordinator checks it) and its challenge answer is wrong", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const store = yield* makeDiskShardStore({ dir, capacityBytes: 1 << 20 })
      const data = bytes(500, 5)
      yield* store.handle({ _tag: "ShardPut", requestId: 1, objectId: oid(1), index: 2, data })
      const file = path.join(dir, oid(1).slice(0, 2), `${oid(1)}.2`)
      const damaged = new Uint8Array(fs.readFileSync(file))
      damaged[17] = damaged[17]! ^ 0x40
      fs.writeFileSync(file, damaged)
      expect(yield* store.handle({ _tag: "ShardGet", requestId: 2, objectId: oid(1), index: 2 })).toEqual({ _tag: "Bytes", data: damaged })
      const nonce = bytes(16, 6)
      const answer = yield* store.handle({ _tag: "ShardChallenge", requestId: 3, objectId: oid(1), index: 2, nonce })
      expect(answer).toEqual({ _tag: "Bytes", data: challengeAnswer(nonce, damaged) })
      expect(answer).not.toEqual({ _tag: "Bytes", data: challengeAnswer(nonce, data) })
    })
  )

  it("behaves like a map of shards with a capacity, across reopenings (model-based)", async () => {
    type Step =
      | { readonly _tag: "put"; readonly object: number; readonly index: number; readonly size: number; readonly seed: number }
      | { readonly _tag: "get" | "delete" | "challenge"; readonly object: number; readonly index: number }
      | { readonly _tag: "reopen" }
    const ref = { object: fc.nat(3), index: fc.nat(2) }
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ _tag: fc.constant("put" as const), ...ref, size: fc.nat(1500), seed: fc.nat() }),
      fc.record({ _tag: fc.constantFrom("get" as const, "delete" as const, "challenge" as const), ...ref }),
      fc.constant({ _tag: "reopen" as const })
    )
    const capacityBytes = 4000
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), (steps) =>
        Effect.runPromise(
          Effect.scoped(
            Effect.gen(function* () {
              const dir = yield* tempDir
              const model = new Map<string, Uint8Array>()
              const used = () => [...model.values()].reduce((sum, b) => sum + b.length, 0)
              let store: DiskShardStore = yield* makeDiskShardStore({ dir, capacityBytes })
              let requestId = 0
              for (const s of steps) {
                if (s._tag === "reopen") {
                  store = yield* makeDiskShardStore({ dir, capacityBytes })
                  continue
                }
                const key = `${s.object}/${s.index}`
                const at = { requestId: requestId++, objectId: oid(s.object), index: s.index }
                const held = model.get(key)
                if (s._tag === "put") {
                  const data = bytes(s.size, s.seed)
                  const free = capacityBytes - used()
                  const fits = data.length - (held?.length ?? 0) <= free
                  expect(yield* store.handle({ _tag: "ShardPut", ...at, data })).toEqual(
                    fits ? { _tag: "Done" } : { _tag: "Failed", failure: { _tag: "NodeFull", neededBytes: data.length, freeBytes: free } }
                  )
                  if (fits) model.set(key, data)
                } else if (s._tag === "delete") {
                  expect(yield* store.handle({ _tag: "ShardDelete", ...at })).toEqual({ _tag: "Done" })
                  model.delete(key)
                } else if (s._tag === "get") {
                  expect(yield* store.handle({ _tag: "ShardGet", ...at })).toEqual(held === undefined ? { _tag: "Failed", failure: { _tag: "ShardMissing" } } : { _tag: "Bytes", data: held })
                } else {
                  const nonce = bytes(16, requestId)
                  expect(yield* store.handle({ _tag: "ShardChallenge", ...at, nonce })).toEqual(
                    held === undefined ? { _tag: "Failed", failure: { _tag: "ShardMissing" } } : { _tag: "Bytes", data: challengeAnswer(nonce, held) }
                  )
                }
                expect(yield* store.usedBytes).toBe(used())
              }
              const listed = yield* store.handle({ _tag: "ShardList", requestId })
              const names = listed._tag === "Shards" ? listed.shards.map((r) => `${r.objectId}.${r.index}`).sort() : []
              expect(names).toEqual([...model.keys()].map((k) => `${oid(Number(k.split("/")[0]))}.${k.split("/")[1]}`).sort())
            })
          )
        )
      ),
      { numRuns: 30 }
    )
  })

  it.scoped("a directory that cannot be used is a ShardDirUnusable naming it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const notADir = path.join(dir, "file")
      fs.writeFileSync(notADir, "")
      const e = yield* Effect.flip(makeDiskShardStore({ dir: path.join(notADir, "shards"), capacityBytes: 1 }))
      expect(e._tag).toBe("ShardDirUnusable")
      expect(e.message).toContain(path.join(notADir, "shards"))
    })
  )
})
