// The agent's port to its shard storage: the coordinator's shard requests are handed to it and
// its result goes back as the ShardReply. live/storage's disk store implements it.
import { Effect } from "effect"
import type { ShardReply, ShardRequest } from "../protocol/messages.ts"

export type ShardResult = ShardReply["result"]

export interface ShardRequestHandler {
  readonly handle: (request: ShardRequest) => Effect.Effect<ShardResult>
}

/** An agent that lends no storage: it holds nothing and has no room. */
export const noShardStorage: ShardRequestHandler = {
  handle: (request) =>
    Effect.succeed<ShardResult>(
      request._tag === "ShardList"
        ? { _tag: "Shards", shards: [] }
        : request._tag === "ShardPut"
        ? { _tag: "Failed", failure: { _tag: "NodeFull", neededBytes: request.data.length, freeBytes: 0 } }
        : request._tag === "ShardDelete"
        ? { _tag: "Done" }
        : { _tag: "Failed", failure: { _tag: "ShardMissing" } }
    )
}
