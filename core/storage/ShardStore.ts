// The shard store port: a node keeps shards filed by (objectId, index) and answers for them. Sim
// provides it in memory (sim/services/memoryShardStore.ts); live provides files on agents' disks.
// Errors say which node failed and how, so the read path can fail over and the repair loop can act.
import { Context, Data, type Effect } from "effect"
import type { NodeId } from "../domain/ids.ts"

export interface ShardRef {
  readonly objectId: string
  readonly index: number
}

/** The node is not there (left, crashed, or unreachable). */
export class NodeGone extends Data.TaggedError("NodeGone")<{ readonly node: number }> {
  override get message() {
    return `node ${this.node} is gone`
  }
}

/** The node did not answer within the time the caller allowed. */
export class NodeSlow extends Data.TaggedError("NodeSlow")<{ readonly node: number; readonly timeoutMs: number }> {
  override get message() {
    return `node ${this.node} did not answer within ${this.timeoutMs} ms`
  }
}

/** The node is there but does not have this shard. */
export class ShardMissing extends Data.TaggedError("ShardMissing")<{ readonly node: number; readonly objectId: string; readonly index: number }> {
  override get message() {
    return `node ${this.node} has no shard ${this.index} of object ${this.objectId}`
  }
}

/** The node refused a write (its disk is full). */
export class NodeFull extends Data.TaggedError("NodeFull")<{ readonly node: number; readonly neededBytes: number; readonly freeBytes: number }> {
  override get message() {
    return `node ${this.node} has ${this.freeBytes} bytes free, ${this.neededBytes} needed`
  }
}

export type ShardStoreError = NodeGone | NodeSlow | ShardMissing | NodeFull

export class ShardStore extends Context.Tag("crowdcloud/ShardStore")<ShardStore, {
  /** Durable when it succeeds: the node has the bytes on disk. */
  readonly put: (node: NodeId, ref: ShardRef, bytes: Uint8Array) => Effect.Effect<void, ShardStoreError>
  readonly get: (node: NodeId, ref: ShardRef) => Effect.Effect<Uint8Array, ShardStoreError>
  readonly delete: (node: NodeId, ref: ShardRef) => Effect.Effect<void, NodeGone | NodeSlow>
  readonly list: (node: NodeId) => Effect.Effect<ReadonlyArray<ShardRef>, NodeGone | NodeSlow>
  /** sha256(nonce ‖ shard), computed by the node from the bytes it holds: the audit answer. */
  readonly answerChallenge: (node: NodeId, ref: ShardRef, nonce: Uint8Array) => Effect.Effect<Uint8Array, ShardStoreError>
}>() {}
