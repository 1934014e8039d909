import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import type { NodeId, RegionId } from "../domain/ids.ts"
import type { NodeSpec } from "../domain/node.ts"
import { ClusterState } from "./ClusterState.ts"

const spec = (id: number, vcpus: number, memoryMiB: number, diskMiB: number, region = "r0"): NodeSpec => ({
  id: id as NodeId,
  resources: { vcpus, memoryMiB, diskMiB },
  speed: 1,
  region: region as RegionId,
  askingPrice: 0
})

// ---- the plain-array model

interface ModelNode {
  readonly cap: [number, number, number]
  free: [number, number, number]
  online: boolean
}

const fitsModel = (n: ModelNode, cpu: number, mem: number, disk: number) =>
  n.online && n.free[0] >= cpu && n.free[1] >= mem && n.free[2] >= disk

const bruteFirstFit = (m: ReadonlyArray<ModelNode>, cpu: number, mem: number, disk: number, from: number) => {
  for (let i = Math.max(0, from); i < m.length; i++) if (fitsModel(m[i]!, cpu, mem, disk)) return i
  return -1
}

const bruteNextFit = (m: ReadonlyArray<ModelNode>, cpu: number, mem: number, disk: number, from: number) => {
  for (let k = 0; k < m.length; k++) {
    const i = (Math.min(from, m.length) + k) % m.length
    if (fitsModel(m[i]!, cpu, mem, disk)) return i
  }
  return -1
}

const bruteMaxFreeCpu = (m: ReadonlyArray<ModelNode>) =>
  m.reduce((best, n) => (n.online ? Math.max(best, n.free[0]) : best), -1)

// ---- operations

type Op =
  | { readonly kind: "add"; readonly cpu: number; readonly mem: number; readonly disk: number; readonly region: number }
  | { readonly kind: "online"; readonly node: number; readonly on: boolean }
  | { readonly kind: "allocate"; readonly node: number; readonly f: [number, number, number] }
  | { readonly kind: "release"; readonly node: number; readonly f: [number, number, number] }
  | { readonly kind: "reset"; readonly node: number }

interface Query {
  readonly cpu: number
  readonly mem: number
  readonly disk: number
  readonly from: number
}

const fraction = fc.double({ min: 0, max: 1, noNaN: true })
const fractions = fc.tuple(fraction, fraction, fraction)
const addOp = fc.record({
  kind: fc.constant("add" as const),
  cpu: fc.integer({ min: 1, max: 16 }),
  mem: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 32 })),
  disk: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 32 })),
  region: fc.nat(3)
})
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: addOp, weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("online" as const), node: fc.nat(), on: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("allocate" as const), node: fc.nat(), f: fractions }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("release" as const), node: fc.nat(), f: fractions }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("reset" as const), node: fc.nat() }), weight: 1 }
)
const queryArb: fc.Arbitrary<Query> = fc.record({
  cpu: fc.integer({ min: 0, max: 17 }),
  mem: fc.integer({ min: 0, max: 33 }),
  disk: fc.integer({ min: 0, max: 33 }),
  from: fc.oneof(fc.nat(3), fc.nat(50))
})

const apply = (c: ClusterState, m: Array<ModelNode>, op: Op): void => {
  if (op.kind === "add") {
    const id = c.addNode(spec(m.length, op.cpu, op.mem, op.disk, `r${op.region}`))
    expect(id).toBe(m.length)
    m.push({ cap: [op.cpu, op.mem, op.disk], free: [op.cpu, op.mem, op.disk], online: false })
    return
  }
  if (m.length === 0) return
  const id = op.node % m.length
  const n = m[id]!
  switch (op.kind) {
    case "online":
      c.setOnline(id, op.on)
      n.online = op.on
      return
    case "allocate": {
      const a = n.free.map((free, d) => Math.floor(op.f[d]! * free)) as [number, number, number]
      c.allocate(id, a[0], a[1], a[2])
      n.free = [n.free[0] - a[0], n.free[1] - a[1], n.free[2] - a[2]]
      return
    }
    case "release": {
      const r = n.free.map((free, d) => Math.floor(op.f[d]! * (n.cap[d]! - free))) as [number, number, number]
      c.release(id, r[0], r[1], r[2])
      n.free = [n.free[0] + r[0], n.free[1] + r[1], n.free[2] + r[2]]
      return
    }
    case "reset":
      c.resetFree(id)
      n.free = [...n.cap]
      return
  }
}

/** Everything observable about the cluster, from the real structure and from the model. */
const observe = (c: ClusterState, queries: ReadonlyArray<Query>) => ({
  count: c.count,
  onlineNodes: c.onlineNodes,
  onlineCpu: c.onlineCpu,
  allocatedCpu: c.allocatedCpu,
  maxFreeCpu: c.maxFreeCpu(),
  nodes: Array.from({ length: c.count }, (_, i) => [c.online[i], c.freeCpu[i], c.freeMem[i], c.freeDisk[i]]),
  queries: queries.map((q) => ({
    firstFit: c.firstFit(q.cpu, q.mem, q.disk, q.from),
    firstFit0: c.firstFit(q.cpu, q.mem, q.disk),
    nextFit: c.nextFit(q.cpu, q.mem, q.disk, q.from),
    anyFits: c.anyFits(q.cpu, q.mem, q.disk),
    fitsOn: Array.from({ length: c.count }, (_, i) => c.fitsOn(i, q.cpu, q.mem, q.disk))
  }))
})

const expected = (m: ReadonlyArray<ModelNode>, queries: ReadonlyArray<Query>): ReturnType<typeof observe> => ({
  count: m.length,
  onlineNodes: m.filter((n) => n.online).length,
  onlineCpu: m.reduce((s, n) => s + (n.online ? n.cap[0] : 0), 0),
  allocatedCpu: m.reduce((s, n) => s + n.cap[0] - n.free[0], 0),
  maxFreeCpu: bruteMaxFreeCpu(m),
  nodes: m.map((n) => [n.online ? 1 : 0, ...n.free]),
  queries: queries.map((q) => ({
    firstFit: bruteFirstFit(m, q.cpu, q.mem, q.disk, q.from),
    firstFit0: bruteFirstFit(m, q.cpu, q.mem, q.disk, 0),
    nextFit: bruteNextFit(m, q.cpu, q.mem, q.disk, q.from),
    anyFits: bruteFirstFit(m, q.cpu, q.mem, q.disk, 0) >= 0,
    fitsOn: m.map((n) => fitsModel(n, q.cpu, q.mem, q.disk))
  }))
})

const checkAgainstModel = (c: ClusterState, m: ReadonlyArray<ModelNode>, queries: ReadonlyArray<Query>): void => {
  const qs = queries.map((q) => ({ ...q, from: Math.min(q.from, m.length + 1) }))
  expect(observe(c, qs)).toEqual(expected(m, qs))
}

describe("ClusterState against a plain-array model", () => {
  it("fast-check: firstFit/nextFit/maxFreeCpu and the counters match brute force after every operation", () => {
    fc.assert(
      fc.property(
        fc.array(addOp, { maxLength: 40, size: "max" }),
        fc.array(fc.tuple(opArb, fc.array(queryArb, { minLength: 1, maxLength: 3 })), { maxLength: 80, size: "max" }),
        (initial, steps) => {
          const c = new ClusterState()
          const m: Array<ModelNode> = []
          for (const op of initial) apply(c, m, op)
          checkAgainstModel(c, m, [{ cpu: 1, mem: 0, disk: 0, from: 0 }])
          for (const [op, queries] of steps) {
            apply(c, m, op)
            checkAgainstModel(c, m, queries)
          }
        }
      ),
      { numRuns: 200 }
    )
  })

  it("fast-check: with every node online, growing past the initial 16 slots keeps the index exact", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 8 }), fc.nat(8), fc.nat(8)), { minLength: 1, maxLength: 70, size: "max" }),
        fc.array(queryArb, { maxLength: 10 }),
        (caps, queries) => {
          const c = new ClusterState()
          const m: Array<ModelNode> = []
          caps.forEach(([cpu, mem, disk], i) => {
            c.addNode(spec(i, cpu, mem, disk))
            c.setOnline(i, true)
            m.push({ cap: [cpu, mem, disk], free: [cpu, mem, disk], online: true })
          })
          checkAgainstModel(c, m, queries)
        }
      )
    )
  })
})

describe("ClusterState examples", () => {
  it("an empty cluster has nothing online and finds nothing", () => {
    const c = new ClusterState()
    expect(c.maxFreeCpu()).toBe(-1)
    expect(c.firstFit(1, 0, 0)).toBe(-1)
    expect(c.nextFit(1, 0, 0, 0)).toBe(-1)
    expect(c.anyFits(1, 0, 0)).toBe(false)
  })

  it("a new node is offline until setOnline, and setOnline is idempotent", () => {
    const c = new ClusterState()
    c.addNode(spec(0, 4, 100, 100))
    expect(c.firstFit(1, 0, 0)).toBe(-1)
    expect(c.maxFreeCpu()).toBe(-1)
    c.setOnline(0, true)
    c.setOnline(0, true)
    expect(c.onlineNodes).toBe(1)
    expect(c.onlineCpu).toBe(4)
    expect(c.firstFit(4, 100, 100)).toBe(0)
    expect(c.firstFit(5, 0, 0)).toBe(-1)
    c.setOnline(0, false)
    c.setOnline(0, false)
    expect(c.onlineNodes).toBe(0)
    expect(c.onlineCpu).toBe(0)
  })

  it("all three dimensions must fit on the same node", () => {
    const c = new ClusterState()
    c.addNode(spec(0, 8, 1, 100)) // lots of cpu, little memory
    c.addNode(spec(1, 1, 64, 100)) // little cpu, lots of memory
    c.addNode(spec(2, 8, 64, 0)) // no disk
    for (let i = 0; i < 3; i++) c.setOnline(i, true)
    expect(c.firstFit(8, 64, 0)).toBe(2)
    expect(c.firstFit(8, 64, 1)).toBe(-1)
    expect(c.firstFit(2, 2, 1)).toBe(-1)
    expect(c.firstFit(1, 2, 1)).toBe(1)
    expect(c.nextFit(1, 0, 0, 2)).toBe(2)
    expect(c.nextFit(1, 0, 1, 2)).toBe(0)
  })

  it("addNode rejects a non-dense id and keeps region names interned", () => {
    const c = new ClusterState()
    expect(() => c.addNode(spec(1, 1, 1, 1))).toThrow(/dense/)
    c.addNode(spec(0, 1, 1, 1, "eu"))
    c.addNode(spec(1, 1, 1, 1, "us"))
    c.addNode(spec(2, 1, 1, 1, "eu"))
    expect(c.regionNames).toEqual(["eu", "us"])
    expect([...c.region.subarray(0, 3)]).toEqual([0, 1, 0])
  })
})
