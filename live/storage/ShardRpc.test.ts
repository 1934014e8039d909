// The shard RPC on its own, with a `send` the test answers by hand: replies matched by id and node,
// late and stray replies dropped, timeouts, nodes not connected or dropping, and core's errors from
// shardStoreOverRpc.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Queue } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import type { CoordinatorFrame, ShardReply } from "../protocol/messages.ts"
import { AgentNotConnected } from "../transport/errors.ts"
import { makeShardRpc, shardStoreOverRpc } from "./ShardRpc.ts"

const objectId = "00112233445566778899aabbccddeeff"
const n = (i: number) => i as NodeId

/** An RPC whose frames land in a queue; nodes in `offline` are not connected. */
const harness = Effect.gen(function* () {
  const sent = yield* Queue.unbounded<{ node: NodeId; frame: CoordinatorFrame }>()
  const offline = new Set<number>()
  const rpc = yield* makeShardRpc((node, frame) =>
    offline.has(node) ? Effect.fail(new AgentNotConnected({ nodeId: node })) : Queue.offer(sent, { node, frame })
  )
  const next = Effect.map(Queue.take(sent), ({ node, frame }) => ({ node, requestId: (frame as { requestId: number }).requestId, frame }))
  return { rpc, next, offline }
})

const reply = (requestId: number, result: ShardReply["result"]): ShardReply => ({ _tag: "ShardReply", requestId, result })

describe("shard RPC", () => {
  it.live("matches replies by id; a reply from another node or with an unknown id is dropped; the right one completes the call", () =>
    Effect.gen(function* () {
      const { rpc, next } = yield* harness
      const a = yield* Effect.fork(rpc.call(n(1), { _tag: "ShardGet", objectId, index: 0 }, 60_000))
      const b = yield* Effect.fork(rpc.call(n(2), { _tag: "ShardGet", objectId, index: 1 }, 60_000))
      const toA = yield* next
      const toB = yield* next
      expect(toA.frame).toEqual({ _tag: "ShardGet", requestId: toA.requestId, objectId, index: 0 })
      expect(toB.requestId).not.toBe(toA.requestId)

      rpc.deliver(n(2), reply(toA.requestId, { _tag: "Bytes", data: new Uint8Array([6, 6, 6]) })) // wrong node
      rpc.deliver(n(1), reply(toA.requestId + 1000, { _tag: "Bytes", data: new Uint8Array([7]) })) // nobody asked
      expect(rpc.pendingCount()).toBe(2)
      rpc.deliver(n(2), reply(toB.requestId, { _tag: "Bytes", data: new Uint8Array([2]) }))
      rpc.deliver(n(1), reply(toA.requestId, { _tag: "Bytes", data: new Uint8Array([1]) }))
      expect(yield* Fiber.join(a)).toEqual({ _tag: "Bytes", data: new Uint8Array([1]) })
      expect(yield* Fiber.join(b)).toEqual({ _tag: "Bytes", data: new Uint8Array([2]) })
      // A second reply for a finished call changes nothing.
      rpc.deliver(n(1), reply(toA.requestId, { _tag: "Done" }))
      expect(rpc.pendingCount()).toBe(0)
    })
  )

  it.live("a call times out as NodeSlow and its late reply is dropped; an interrupted call leaves nothing pending", () =>
    Effect.gen(function* () {
      const { rpc, next } = yield* harness
      const slow = yield* Effect.fork(rpc.call(n(3), { _tag: "ShardList" }, 30))
      const { requestId } = yield* next
      expect(yield* Effect.flip(Fiber.join(slow))).toMatchObject({ _tag: "NodeSlow", node: 3, timeoutMs: 30 })
      expect(rpc.pendingCount()).toBe(0)
      rpc.deliver(n(3), reply(requestId, { _tag: "Shards", shards: [] }))

      const interrupted = yield* Effect.fork(rpc.call(n(3), { _tag: "ShardList" }, 60_000))
      yield* next
      expect(rpc.pendingCount()).toBe(1)
      yield* Fiber.interrupt(interrupted)
      expect(rpc.pendingCount()).toBe(0)
    })
  )

  it.live("a node not connected fails at once; a node that drops fails only its own pending calls", () =>
    Effect.gen(function* () {
      const { rpc, next, offline } = yield* harness
      offline.add(4)
      expect(yield* Effect.flip(rpc.call(n(4), { _tag: "ShardList" }, 60_000))).toMatchObject({ _tag: "NodeGone", node: 4 })
      expect(rpc.pendingCount()).toBe(0)

      const onFive = yield* Effect.forEach([0, 1], (index) => Effect.fork(rpc.call(n(5), { _tag: "ShardGet", objectId, index }, 60_000)))
      const onSix = yield* Effect.fork(rpc.call(n(6), { _tag: "ShardGet", objectId, index: 2 }, 60_000))
      yield* next
      yield* next
      const toSix = (yield* next).requestId
      rpc.nodeDisconnected(n(5))
      for (const f of onFive) expect(yield* Effect.flip(Fiber.join(f))).toMatchObject({ _tag: "NodeGone", node: 5 })
      expect(rpc.pendingCount()).toBe(1)
      rpc.deliver(n(6), reply(toSix, { _tag: "Failed", failure: { _tag: "ShardMissing" } }))
      expect(yield* Fiber.join(onSix)).toEqual({ _tag: "Failed", failure: { _tag: "ShardMissing" } })
    })
  )

  it.live("shardStoreOverRpc gives core's errors: NodeFull with the agent's figures, ShardMissing, and a protocol-breaking reply as a failure, not a defect", () =>
    Effect.gen(function* () {
      const { rpc, next } = yield* harness
      const store = shardStoreOverRpc(rpc, 60_000)
      const ref = { objectId, index: 4 }
      const answer = (result: ShardReply["result"]) => Effect.flatMap(next, ({ node, requestId }) => Effect.sync(() => rpc.deliver(node, reply(requestId, result))))
      const run = <A, E>(call: Effect.Effect<A, E>, result: ShardReply["result"]) =>
        Effect.gen(function* () {
          const f = yield* Effect.fork(call)
          yield* answer(result)
          return yield* Fiber.await(f)
        })

      const full = yield* run(store.put(n(7), ref, new Uint8Array(10)), { _tag: "Failed", failure: { _tag: "NodeFull", neededBytes: 10, freeBytes: 3 } })
      expect(full).toEqual(Exit.fail(expect.objectContaining({ _tag: "NodeFull", node: 7, neededBytes: 10, freeBytes: 3 })))
      expect(Exit.isSuccess(yield* run(store.put(n(7), ref, new Uint8Array(10)), { _tag: "Done" }))).toBe(true)
      const missing = yield* run(store.get(n(7), ref), { _tag: "Failed", failure: { _tag: "ShardMissing" } })
      expect(missing).toEqual(Exit.fail(expect.objectContaining({ _tag: "ShardMissing", node: 7, objectId, index: 4 })))
      expect(yield* run(store.answerChallenge(n(7), ref, new Uint8Array(16)), { _tag: "Bytes", data: new Uint8Array([9]) })).toEqual(Exit.succeed(new Uint8Array([9])))
      expect(yield* run(store.list(n(7)), { _tag: "Shards", shards: [ref] })).toEqual(Exit.succeed([ref]))

      const wrongForGet = yield* run(store.get(n(7), ref), { _tag: "Done" })
      expect(wrongForGet).toEqual(Exit.fail(expect.objectContaining({ _tag: "ShardMissing" })))
      const wrongForDelete = yield* run(store.delete(n(7), ref), { _tag: "Bytes", data: new Uint8Array() })
      expect(wrongForDelete).toEqual(Exit.fail(expect.objectContaining({ _tag: "NodeGone" })))
    })
  )
})
