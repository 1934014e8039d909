import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { ShardTable } from "./ShardTable.ts"

describe("ShardTable", () => {
  it("keeps holders and per-node lists in step through any sequence of place, remove and node loss", () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant("place" as const), shard: fc.nat(59), node: fc.nat(7) }),
      fc.record({ op: fc.constant("remove" as const), shard: fc.nat(59) }),
      fc.record({ op: fc.constant("drop" as const), node: fc.nat(7) })
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const t = new ShardTable(10, 6, 8)
        const model = new Map<number, number>()
        for (const o of ops) {
          if (o.op === "place") {
            if (model.has(o.shard)) continue
            t.place(o.shard, o.node)
            model.set(o.shard, o.node)
          } else if (o.op === "remove") {
            t.remove(o.shard)
            model.delete(o.shard)
          } else {
            const dropped: Array<number> = []
            t.dropNode(o.node, (id) => dropped.push(id))
            const expected = [...model].filter(([, n]) => n === o.node).map(([s]) => s)
            expect(dropped.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b))
            for (const s of expected) model.delete(s)
          }
        }
        expect(t.check()).toBeUndefined()
        for (let s = 0; s < 60; s++) expect(t.holder[s]).toBe(model.get(s) ?? -1)
        for (let n = 0; n < 8; n++) expect(t.shardCount(n)).toBe([...model.values()].filter((x) => x === n).length)
      })
    )
  })

  it("grows a node's list past its first allocation", () => {
    const t = new ShardTable(100, 1, 1)
    for (let s = 0; s < 100; s++) t.place(s, 0)
    expect(t.shardCount(0)).toBe(100)
    expect(t.check()).toBeUndefined()
  })
})
