// The coordinator's side of the shard protocol: each request gets an id, goes to the agent as a
// frame, and waits for the ShardReply with that id. A reply that comes too late, with an id nobody
// waits for, or from another node than the one asked, is dropped and logged. `shardStoreOverRpc`
// turns this into core's ShardStore port, so core's write, read, repair and audit paths run unchanged.
import { Clock, Context, Deferred, Effect, Layer, Runtime } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import { NodeFull, NodeGone, NodeSlow, ShardMissing, type ShardRef, ShardStore } from "../../core/storage/ShardStore.ts"
import type { CoordinatorFrame, ShardReply, ShardRequest } from "../protocol/messages.ts"
import type { AgentNotConnected } from "../transport/errors.ts"

type ShardResult = ShardReply["result"]

/** A shard request as the caller makes it: the id is the RPC's to choose. */
export type ShardCall = ShardRequest extends infer R ? (R extends ShardRequest ? Omit<R, "requestId"> : never) : never

export type SendFrame = (node: NodeId, frame: CoordinatorFrame) => Effect.Effect<void, AgentNotConnected>

export interface ShardRpcShape {
  /** Sends the request and waits for its reply: NodeGone when the node is not connected or drops, NodeSlow after `timeoutMs`. */
  readonly call: (node: NodeId, request: ShardCall, timeoutMs: number) => Effect.Effect<ShardResult, NodeGone | NodeSlow>
  /** Hands a ShardReply frame from `node` to the call waiting for it. */
  readonly deliver: (node: NodeId, reply: ShardReply) => void
  /** The node's connection is gone: its pending calls fail with NodeGone now rather than time out. */
  readonly nodeDisconnected: (node: NodeId) => void
  /** Calls waiting for a reply (for tests and metrics). */
  readonly pendingCount: () => number
}

export class ShardRpc extends Context.Tag("crowdcloud/live/ShardRpc")<ShardRpc, ShardRpcShape>() {}

interface Pending {
  readonly node: NodeId
  readonly reply: Deferred.Deferred<ShardResult, NodeGone>
}

/**
 * Ids start from the clock (ms × 1024), so a restarted coordinator never reuses an id an agent may
 * still answer from before the restart (that would need over 1024 requests per ms of uptime).
 */
export const makeShardRpc = (send: SendFrame): Effect.Effect<ShardRpcShape> =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<never>()
    const log = (effect: Effect.Effect<void>) => Runtime.runFork(runtime)(effect)
    const pending = new Map<number, Pending>()
    let nextId = (yield* Clock.currentTimeMillis) * 1024

    const call = (node: NodeId, request: ShardCall, timeoutMs: number): Effect.Effect<ShardResult, NodeGone | NodeSlow> =>
      Effect.acquireUseRelease(
        Effect.map(Deferred.make<ShardResult, NodeGone>(), (reply) => {
          const requestId = nextId++
          pending.set(requestId, { node, reply })
          return { requestId, reply }
        }),
        ({ requestId, reply }) =>
          send(node, { ...request, requestId } as CoordinatorFrame).pipe(
            Effect.catchTag("AgentNotConnected", () => Effect.fail(new NodeGone({ node }))),
            Effect.zipRight(Deferred.await(reply)),
            Effect.timeoutFail({ duration: timeoutMs, onTimeout: () => new NodeSlow({ node, timeoutMs }) })
          ),
        // Whatever the outcome (reply, timeout, the caller's own timeout), nobody waits for this id any more.
        ({ requestId }) => Effect.sync(() => void pending.delete(requestId))
      )

    const deliver = (node: NodeId, reply: ShardReply): void => {
      const p = pending.get(reply.requestId)
      if (p === undefined) {
        log(Effect.logWarning(`shard reply ${reply.requestId} from node ${node} answers no pending request (late or unknown); dropped`))
        return
      }
      if (p.node !== node) {
        log(Effect.logWarning(`shard reply ${reply.requestId} came from node ${node}, but the request went to node ${p.node}; dropped`))
        return
      }
      pending.delete(reply.requestId)
      Deferred.unsafeDone(p.reply, Effect.succeed(reply.result))
    }

    const nodeDisconnected = (node: NodeId): void => {
      for (const [id, p] of pending) {
        if (p.node !== node) continue
        pending.delete(id)
        Deferred.unsafeDone(p.reply, Effect.fail(new NodeGone({ node })))
      }
    }

    return { call, deliver, nodeDisconnected, pendingCount: () => pending.size }
  })

export const layerShardRpc = (send: SendFrame): Layer.Layer<ShardRpc> => Layer.effect(ShardRpc, makeShardRpc(send))

/** A reply the request cannot have (an agent breaking the protocol): logged, and read as the shard not being served. */
const unexpected = (node: NodeId, what: string, result: ShardResult) =>
  Effect.logWarning(`node ${node} answered ${what} with ${result._tag === "Failed" ? `Failed ${result.failure._tag}` : result._tag}, which that request cannot get`)

/** Backstop for calls core does not time out itself (core's own shard timeout is usually shorter). */
export const shardRpcTimeoutMsDefault = 60_000

/** Core's ShardStore port over the shard RPC: the coordinator's object store runs on the agents' disks. */
export const shardStoreOverRpc = (rpc: ShardRpcShape, timeoutMs = shardRpcTimeoutMsDefault): ShardStore["Type"] => {
  const shardMissing = (node: NodeId, ref: ShardRef) => new ShardMissing({ node, objectId: ref.objectId, index: ref.index })
  const bytesOf = (node: NodeId, ref: ShardRef, what: string) => (result: ShardResult): Effect.Effect<Uint8Array, ShardMissing> =>
    result._tag === "Bytes"
      ? Effect.succeed(result.data)
      : result._tag === "Failed" && result.failure._tag === "ShardMissing"
        ? Effect.fail(shardMissing(node, ref))
        : Effect.zipRight(unexpected(node, what, result), Effect.fail(shardMissing(node, ref)))
  return {
    put: (node, ref, bytes) =>
      Effect.flatMap(rpc.call(node, { _tag: "ShardPut", objectId: ref.objectId, index: ref.index, data: bytes }, timeoutMs), (result): Effect.Effect<void, NodeFull | ShardMissing> => {
        if (result._tag === "Done") return Effect.void
        if (result._tag === "Failed" && result.failure._tag === "NodeFull") {
          return Effect.fail(new NodeFull({ node, neededBytes: result.failure.neededBytes, freeBytes: result.failure.freeBytes }))
        }
        return Effect.zipRight(unexpected(node, "a put", result), Effect.fail(shardMissing(node, ref)))
      }),
    get: (node, ref) => Effect.flatMap(rpc.call(node, { _tag: "ShardGet", objectId: ref.objectId, index: ref.index }, timeoutMs), bytesOf(node, ref, "a get")),
    delete: (node, ref) =>
      Effect.flatMap(rpc.call(node, { _tag: "ShardDelete", objectId: ref.objectId, index: ref.index }, timeoutMs), (result) =>
        result._tag === "Done" ? Effect.void : Effect.zipRight(unexpected(node, "a delete", result), Effect.fail(new NodeGone({ node })))
      ),
    list: (node) =>
      Effect.flatMap(rpc.call(node, { _tag: "ShardList" }, timeoutMs), (result) =>
        result._tag === "Shards" ? Effect.succeed(result.shards) : Effect.zipRight(unexpected(node, "a list", result), Effect.fail(new NodeGone({ node })))
      ),
    answerChallenge: (node, ref, nonce) =>
      Effect.flatMap(rpc.call(node, { _tag: "ShardChallenge", objectId: ref.objectId, index: ref.index, nonce }, timeoutMs), bytesOf(node, ref, "a challenge"))
  }
}

/** ShardStore over the ShardRpc in context. */
export const layerShardStoreOverRpc = (timeoutMs = shardRpcTimeoutMsDefault): Layer.Layer<ShardStore, never, ShardRpc> =>
  Layer.effect(ShardStore, Effect.map(ShardRpc, (rpc) => shardStoreOverRpc(rpc, timeoutMs)))
