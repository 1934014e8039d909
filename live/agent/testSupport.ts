// Shared by this folder's tests: temporary directories, a coordinator side built from the real
// AgentEndpoint whose frames the test answers by hand, and an in-memory shard store.
import { createHash } from "node:crypto"
import { Context, Effect, Exit, Layer, Queue, Scope } from "effect"
import type { JobId, NodeId, UserId } from "../../core/domain/ids.ts"
import type { JobSpec } from "../../core/domain/job.ts"
import type { AgentFrame, ShardRequest } from "../protocol/messages.ts"
import { AgentEndpoint, type AgentEndpointShape, layerCoordinatorTransport } from "../transport/AgentEndpoint.ts"
import type { ShardRequestHandler, ShardResult } from "./ShardRequestHandler.ts"
import { scopedTempDir } from "../testing/tempDir.ts"

export const tempDir = scopedTempDir("agent")

export interface ReceivedFrame {
  readonly nodeId: NodeId
  readonly frame: AgentFrame
}

/** A coordinator's agent endpoint on a data directory, and every frame it received, in order. */
export interface TestCoordinator {
  readonly endpoint: AgentEndpointShape
  readonly frames: Array<ReceivedFrame>
  /** The first frame from `from` on that the predicate accepts (and its position); fails after `timeoutMs`. */
  readonly waitFor: <F extends AgentFrame>(what: string, accept: (frame: AgentFrame) => frame is F, from?: number, timeoutMs?: number) => Effect.Effect<{ frame: F; at: number }, Error>
  /** Closes both listeners and every connection, as a coordinator that dies does. */
  readonly close: Effect.Effect<void>
}

export const startTestCoordinator = (dataDir: string, ports: { port?: number; joinPort?: number } = {}): Effect.Effect<TestCoordinator, Error> =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(layerCoordinatorTransport({ dataDir, ...ports }), scope).pipe(
      Effect.mapError((e) => new Error(e.message))
    )
    const endpoint = Context.get(context, AgentEndpoint)
    const frames: Array<ReceivedFrame> = []
    yield* Queue.take(endpoint.events).pipe(
      Effect.tap((event) => Effect.sync(() => {
        if (event._tag === "AgentMessageReceived") frames.push({ nodeId: event.nodeId, frame: event.message })
      })),
      Effect.forever,
      Effect.forkIn(scope)
    )
    const waitFor = <F extends AgentFrame>(what: string, accept: (frame: AgentFrame) => frame is F, from = 0, timeoutMs = 90_000) =>
      Effect.gen(function* () {
        for (;;) {
          const at = frames.findIndex((f, i) => i >= from && accept(f.frame))
          if (at >= 0) return { frame: frames[at]!.frame as F, at }
          yield* Effect.sleep(20)
        }
      }).pipe(
        Effect.timeoutFail({ duration: timeoutMs, onTimeout: () => new Error(`no ${what} within ${timeoutMs} ms; got ${frames.map((f) => f.frame._tag).join(", ")}`) })
      )
    return { endpoint, frames, waitFor, close: Scope.close(scope, Exit.void) }
  })

/** Type guard for one frame tag (with an optional extra condition). */
export const tagged = <T extends AgentFrame["_tag"]>(tag: T, also: (frame: Extract<AgentFrame, { _tag: T }>) => boolean = () => true) =>
  (frame: AgentFrame): frame is Extract<AgentFrame, { _tag: T }> => frame._tag === tag && also(frame as Extract<AgentFrame, { _tag: T }>)

export const busyboxJob = (id: number, command: ReadonlyArray<string>, io?: JobSpec["io"]): JobSpec => ({
  id: id as JobId,
  owner: "alice" as UserId,
  resources: { vcpus: 1, memoryMiB: 64, diskMiB: 64 },
  requestedTimeMs: 60_000,
  workMs: 0,
  image: "busybox",
  command,
  replication: 1,
  ...(io !== undefined ? { io } : {})
})

/** Shards in a map, for tests of the shard frames (live/storage keeps them on disk). */
export const memoryShardHandler = (): ShardRequestHandler => {
  const shards = new Map<string, Uint8Array>()
  const key = (r: { objectId: string; index: number }) => `${r.objectId}.${r.index}`
  return {
    handle: (request: ShardRequest) =>
      Effect.sync((): ShardResult => {
        switch (request._tag) {
          case "ShardPut":
            shards.set(key(request), request.data)
            return { _tag: "Done" }
          case "ShardGet": {
            const data = shards.get(key(request))
            return data === undefined ? { _tag: "Failed", failure: { _tag: "ShardMissing" } } : { _tag: "Bytes", data }
          }
          case "ShardDelete":
            shards.delete(key(request))
            return { _tag: "Done" }
          case "ShardList":
            return { _tag: "Shards", shards: [...shards.keys()].sort().map((k) => ({ objectId: k.slice(0, 32), index: Number(k.slice(33)) })) }
          case "ShardChallenge":
          {
            const data = shards.get(key(request))
            return data === undefined
              ? { _tag: "Failed", failure: { _tag: "ShardMissing" } }
              : { _tag: "Bytes", data: new Uint8Array(createHash("sha256").update(request.nonce).update(data).digest()) }
          }
        }
      })
  }
}
