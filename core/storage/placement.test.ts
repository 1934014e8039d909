import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import type { NodeId } from "../domain/ids.ts"
import { type PlacementNode, placeShards } from "./placement.ts"

const node = (id: number, region: string, capacityBytes = 1e9, freeBytes = capacityBytes): PlacementNode => ({ id: id as NodeId, region, capacityBytes, freeBytes })

const arbNodes = fc
  .array(fc.record({ region: fc.integer({ min: 0, max: 5 }), capacity: fc.integer({ min: 1, max: 1000 }), used: fc.integer({ min: 0, max: 1000 }) }), { minLength: 1, maxLength: 60 })
  .map((specs) => specs.map((s, i) => node(i, `r${s.region}`, s.capacity, Math.max(0, s.capacity - s.used))))

describe("placement", () => {
  it("never puts two shards of an object on one node, and uses only nodes with room", () => {
    fc.assert(
      fc.property(arbNodes, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 300 }), fc.string(), (nodes, shards, shardSize, objectId) => {
        const r = placeShards({ objectId, shards, shardSizeBytes: shardSize }, nodes)
        const eligible = nodes.filter((n) => n.freeBytes >= shardSize)
        if (eligible.length < shards) {
          expect(Either.isLeft(r)).toBe(true)
          return
        }
        const chosen = Either.getOrThrow(r)
        expect(chosen.length).toBe(shards)
        expect(new Set(chosen).size).toBe(shards)
        for (const id of chosen) expect(nodes[id]!.freeBytes).toBeGreaterThanOrEqual(shardSize)
      })
    )
  })

  it("spreads shards evenly over regions when every region has enough nodes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 14 }), fc.string(), (regions, shards, objectId) => {
        // Enough nodes in every region for an even spread.
        const nodes = Array.from({ length: regions * shards }, (_, i) => node(i, `r${i % regions}`, 100 + ((i * 37) % 900)))
        const chosen = Either.getOrThrow(placeShards({ objectId, shards, shardSizeBytes: 1 }, nodes))
        const perRegion = new Map<string, number>()
        for (const id of chosen) perRegion.set(nodes[id]!.region, (perRegion.get(nodes[id]!.region) ?? 0) + 1)
        expect(Math.max(...perRegion.values())).toBeLessThanOrEqual(Math.ceil(shards / regions))
        expect(perRegion.size).toBe(Math.min(regions, shards))
      })
    )
  })

  it("still places every shard when a region has too few nodes (distinct nodes first, spread second)", () => {
    const nodes = [node(0, "a"), node(1, "a"), node(2, "a"), node(3, "a"), node(4, "b")]
    const chosen = Either.getOrThrow(placeShards({ objectId: "x", shards: 5, shardSizeBytes: 1 }, nodes))
    expect([...chosen].sort()).toEqual([0, 1, 2, 3, 4])
  })

  it("is stable: a node joining moves only the shards it wins, a node leaving only the shards it held", () => {
    const nodes = Array.from({ length: 100 }, (_, i) => node(i, `r${i % 4}`, 1e9 * (1 + (i % 3))))
    const joined = [...nodes, node(100, "r0", 2e9)]
    const left = nodes.filter((n) => n.id !== 7)
    let movedOnJoin = 0
    let movedOnLeave = 0
    const objects = 2000
    for (let o = 0; o < objects; o++) {
      const req = { objectId: `object-${o}`, shards: 6, shardSizeBytes: 1 }
      const before = new Set(Either.getOrThrow(placeShards(req, nodes)))
      const afterJoin = Either.getOrThrow(placeShards(req, joined))
      movedOnJoin += afterJoin.filter((id) => !before.has(id)).length
      const afterLeave = Either.getOrThrow(placeShards(req, left))
      movedOnLeave += afterLeave.filter((id) => !before.has(id)).length
      if (!before.has(7 as NodeId)) expect(new Set(afterLeave)).toEqual(before)
    }
    // About 6/100 of the objects involve the changed node; each moves about one shard (a region
    // cap can shift one more). Rehashing everything would move nearly all 12,000 shards.
    expect(movedOnJoin).toBeLessThan(objects * 6 * 0.05)
    expect(movedOnLeave).toBeLessThan(objects * 6 * 0.05)
    expect(movedOnJoin).toBeGreaterThan(0)
  })

  it("favours larger nodes in proportion to their capacity", () => {
    const nodes = [node(0, "a", 1e9), node(1, "a", 3e9)]
    let big = 0
    for (let o = 0; o < 4000; o++) if (Either.getOrThrow(placeShards({ objectId: `o${o}`, shards: 1, shardSizeBytes: 1 }, nodes))[0] === 1) big++
    expect(big / 4000).toBeGreaterThan(0.7)
    expect(big / 4000).toBeLessThan(0.8)
  })

  it("names the redundancy and the counts when there are too few nodes", () => {
    const r = placeShards({ objectId: "x", shards: 14, shardSizeBytes: 1, redundancy: "Reed-Solomon 10+4" }, [node(0, "a"), node(1, "b")])
    expect(Either.isLeft(r) && r.left.message).toBe("Reed-Solomon 10+4 needs 14 distinct nodes with room, but only 2 are available")
  })
})
