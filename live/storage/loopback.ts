// Agents' disk stores wired to one ShardRpc in-process, every frame encoded and decoded by the real
// frame schemas (base64 bytes inside JSON) on its way: the storage path of a live cluster without
// sockets or TLS. For tests and the storage benchmark; the daemons use the transport instead.
// Controls: `disconnect` (sends fail, pending calls fail NodeGone, as when the coordinator sees the
// connection drop) and `hold` (requests are handled but replies withheld, as on a hung connection).
import { Effect, FiberSet, Schema, type Scope } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import type { ShardStore } from "../../core/storage/ShardStore.ts"
import { AgentFrame, CoordinatorFrame, ShardReply, ShardRequest } from "../protocol/messages.ts"
import { AgentNotConnected } from "../transport/errors.ts"
import { type DiskShardStore, makeDiskShardStore } from "./DiskShardStore.ts"
import type { ShardDirUnusable } from "./errors.ts"
import { makeShardRpc, shardStoreOverRpc, type ShardRpcShape } from "./ShardRpc.ts"

export interface LoopbackOptions {
  /** One agent per directory; node ids are 0, 1, 2, ... in this order. */
  readonly dirs: ReadonlyArray<string>
  readonly capacityBytes: number
  readonly rpcTimeoutMs?: number
}

export interface LoopbackCluster {
  readonly rpc: ShardRpcShape
  /** Core's ShardStore port over the RPC, as the coordinator uses it. */
  readonly store: ShardStore["Type"]
  readonly disks: ReadonlyArray<DiskShardStore>
  readonly disconnect: (node: NodeId) => void
  readonly reconnect: (node: NodeId) => void
  /** Requests to the node are carried out but their replies are kept back (until released or disconnected). */
  readonly hold: (node: NodeId) => void
  /** How many replies of the node are being held back. */
  readonly heldReplies: (node: NodeId) => number
  /** Frames sent to agents and replies delivered, with their encoded sizes (what would cross the wire). */
  readonly traffic: () => { readonly frames: number; readonly bytesToAgents: number; readonly bytesToCoordinator: number }
}

const encodeToAgent = Schema.encodeSync(CoordinatorFrame)
const decodeAtAgent = Schema.decodeUnknownSync(CoordinatorFrame)
const encodeToCoordinator = Schema.encodeSync(AgentFrame)
const decodeAtCoordinator = Schema.decodeUnknownSync(AgentFrame)
const isShardRequest = Schema.is(ShardRequest)
const isShardReply = Schema.is(ShardReply)

export const makeLoopbackCluster = (options: LoopbackOptions): Effect.Effect<LoopbackCluster, ShardDirUnusable, Scope.Scope> =>
  Effect.gen(function* () {
    const disks = yield* Effect.forEach(options.dirs, (dir) => makeDiskShardStore({ dir, capacityBytes: options.capacityBytes }))
    const running = yield* FiberSet.make()
    const disconnected = new Set<number>()
    const held = new Map<number, Array<ShardReply>>()
    let frames = 0
    let bytesToAgents = 0
    let bytesToCoordinator = 0
    // The RPC needs `send`, and `send` hands replies back to the RPC.
    let rpcRef: ShardRpcShape | undefined

    const toCoordinator = (node: NodeId, reply: ShardReply) => {
      if (disconnected.has(node)) return
      const wire = JSON.stringify(encodeToCoordinator(reply))
      bytesToCoordinator += wire.length
      const decoded = decodeAtCoordinator(JSON.parse(wire))
      if (!isShardReply(decoded)) throw new Error(`loopback: node ${node} sent ${decoded._tag} for a shard request`)
      const kept = held.get(node)
      if (kept !== undefined) kept.push(decoded)
      else rpcRef!.deliver(node, decoded)
    }

    const send = (node: NodeId, frame: CoordinatorFrame): Effect.Effect<void, AgentNotConnected> =>
      Effect.suspend(() => {
        const disk = disks[node]
        if (disk === undefined || disconnected.has(node)) return Effect.fail(new AgentNotConnected({ nodeId: node }))
        const wire = JSON.stringify(encodeToAgent(frame))
        frames++
        bytesToAgents += wire.length
        const request = decodeAtAgent(JSON.parse(wire))
        if (!isShardRequest(request)) return Effect.dieMessage(`loopback: ${request._tag} is not a shard request`)
        // The agent answers in its own time, as over a socket: `send` returns once the frame is out.
        return FiberSet.run(running, Effect.flatMap(disk.handle(request), (result) => Effect.sync(() => toCoordinator(node, { _tag: "ShardReply", requestId: request.requestId, result })))).pipe(
          Effect.asVoid
        )
      })

    const rpc = yield* makeShardRpc(send)
    rpcRef = rpc
    return {
      rpc,
      store: shardStoreOverRpc(rpc, options.rpcTimeoutMs),
      disks,
      disconnect: (node) => {
        disconnected.add(node)
        held.delete(node)
        rpc.nodeDisconnected(node)
      },
      reconnect: (node) => void disconnected.delete(node),
      hold: (node) => void held.set(node, held.get(node) ?? []),
      heldReplies: (node) => held.get(node)?.length ?? 0,
      traffic: () => ({ frames, bytesToAgents, bytesToCoordinator })
    }
  })
