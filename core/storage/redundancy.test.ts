import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { defaultRepairAtHealthy, makeShardCodec, type Redundancy, shardCounts } from "./redundancy.ts"

const arbRedundancy: fc.Arbitrary<Redundancy> = fc.oneof(
  fc.record({ kind: fc.constant("rs" as const), k: fc.integer({ min: 1, max: 10 }), m: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant("replication" as const), r: fc.integer({ min: 1, max: 5 }) })
)

describe("redundancy", () => {
  it("any k of the n shards give the object back, for replication and Reed-Solomon alike", () => {
    fc.assert(
      fc.property(arbRedundancy, fc.uint8Array({ maxLength: 300 }), fc.infiniteStream(fc.boolean()), (r, data, coin) => {
        const codec = Either.getOrThrow(makeShardCodec(r))
        const { k, n } = shardCounts(r)
        expect([codec.k, codec.n]).toEqual([k, n])
        const shards = codec.encode(data)
        expect(shards.length).toBe(n)
        // Keep a random set of exactly k shards.
        const order = Array.from({ length: n }, (_, i) => i).sort(() => (coin.next().value ? 1 : -1))
        const kept = new Set(order.slice(0, k))
        const partial = shards.map((s, i) => (kept.has(i) ? s : undefined))
        expect(Either.getOrThrow(codec.decode(partial, data.length))).toEqual(data)
        const missing = order.slice(k)
        const rebuilt = Either.getOrThrow(codec.reconstruct(partial, missing))
        missing.forEach((idx, t) => expect(rebuilt[t]).toEqual(shards[idx]))
      })
    )
  })

  it("fewer than k shards is NotEnoughShards, not a wrong answer", () => {
    const codec = Either.getOrThrow(makeShardCodec({ kind: "replication", r: 3 }))
    const r = codec.decode([undefined, undefined, undefined], 4)
    expect(Either.isLeft(r) && r.left._tag).toBe("NotEnoughShards")
  })

  it("the default repair threshold keeps half the margin, within k..n-1", () => {
    expect(defaultRepairAtHealthy({ kind: "rs", k: 4, m: 2 })).toBe(5)
    expect(defaultRepairAtHealthy({ kind: "rs", k: 10, m: 4 })).toBe(12)
    expect(defaultRepairAtHealthy({ kind: "replication", r: 3 })).toBe(2)
    fc.assert(
      fc.property(arbRedundancy.filter((r) => shardCounts(r).n > shardCounts(r).k), (r) => {
        const t = defaultRepairAtHealthy(r)
        expect(t).toBeGreaterThanOrEqual(shardCounts(r).k)
        expect(t).toBeLessThanOrEqual(shardCounts(r).n - 1)
      })
    )
  })
})
