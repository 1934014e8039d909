// The simulator's ShardStore: shards as bytes in memory, per node, with hooks a test or scenario uses
// to break things: remove a node (NodeGone), make it slow (it answers after a delay, on the Clock),
// corrupt or drop a shard, or fill its disk. The durability simulator at a million objects does not
// use this: it keeps sizes only (sim/storage/ShardTable.ts).
import { Context, Duration, Effect, Layer } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import { challengeAnswer } from "../../core/storage/audit.ts"
import { NodeFull, NodeGone, ShardMissing, type ShardRef, ShardStore } from "../../core/storage/ShardStore.ts"

const keyOf = (ref: ShardRef) => `${ref.objectId}/${ref.index}`

export class MemoryShards {
  private readonly disks = new Map<number, Map<string, Uint8Array>>()
  private readonly gone = new Set<number>()
  private readonly delayMs = new Map<number, number>()
  private readonly capacity = new Map<number, number>()

  freeBytes(node: number): number {
    const cap = this.capacity.get(node)
    return cap === undefined ? Infinity : cap - this.usedBytes(node)
  }

  disk(node: number): Map<string, Uint8Array> {
    let d = this.disks.get(node)
    if (d === undefined) this.disks.set(node, (d = new Map()))
    return d
  }

  /** The node and its disk are gone: every call to it fails with NodeGone. */
  removeNode(node: number): void {
    this.gone.add(node)
    this.disks.delete(node)
  }

  /** Unreachable but with its disk intact (a temporary outage). */
  disconnect(node: number): void {
    this.gone.add(node)
  }

  reconnect(node: number): void {
    this.gone.delete(node)
  }

  /** Every answer from the node comes after `ms` (0 makes it fast again). */
  makeSlow(node: number, ms: number): void {
    if (ms > 0) this.delayMs.set(node, ms)
    else this.delayMs.delete(node)
  }

  setCapacity(node: number, bytes: number): void {
    this.capacity.set(node, bytes)
  }

  /** Flips bits of one stored byte (`at` wraps around the shard's length); false if the shard is not there. */
  corrupt(node: number, ref: ShardRef, at = 0, mask = 0xff): boolean {
    const bytes = this.disks.get(node)?.get(keyOf(ref))
    if (bytes === undefined) return false
    if (bytes.length === 0) {
      this.disk(node).set(keyOf(ref), new Uint8Array([mask & 0xff || 1]))
      return true
    }
    bytes[at % bytes.length] ^= mask & 0xff || 1
    return true
  }

  dropShard(node: number, ref: ShardRef): boolean {
    return this.disks.get(node)?.delete(keyOf(ref)) ?? false
  }

  has(node: number, ref: ShardRef): boolean {
    return this.disks.get(node)?.has(keyOf(ref)) ?? false
  }

  shardCount(node: number): number {
    return this.disks.get(node)?.size ?? 0
  }

  usedBytes(node: number): number {
    let total = 0
    for (const b of this.disks.get(node)?.values() ?? []) total += b.length
    return total
  }

  /** Runs `f` as the node would: after its delay, or failing with NodeGone. */
  call<A, E>(node: number, f: () => Effect.Effect<A, E>): Effect.Effect<A, E | NodeGone> {
    const answer = Effect.suspend((): Effect.Effect<A, E | NodeGone> => (this.gone.has(node) ? Effect.fail(new NodeGone({ node })) : f()))
    const delay = this.delayMs.get(node)
    return delay === undefined ? answer : Effect.zipRight(Effect.sleep(Duration.millis(delay)), answer)
  }
}

export class MemoryShardControl extends Context.Tag("sim/MemoryShardControl")<MemoryShardControl, MemoryShards>() {}

export const memoryShardStore = (shards: MemoryShards): ShardStore["Type"] => ({
  put: (node: NodeId, ref, bytes) =>
    shards.call(node, () => {
      const free = shards.freeBytes(node)
      if (free < bytes.length) return Effect.fail(new NodeFull({ node, neededBytes: bytes.length, freeBytes: free }))
      // A copy: the caller's buffer may be reused, and a stored shard must not change under it.
      shards.disk(node).set(keyOf(ref), bytes.slice())
      return Effect.void
    }),
  get: (node, ref) =>
    shards.call(node, () => {
      const bytes = shards.disk(node).get(keyOf(ref))
      return bytes === undefined ? Effect.fail(new ShardMissing({ node, objectId: ref.objectId, index: ref.index })) : Effect.succeed(bytes.slice())
    }),
  delete: (node, ref) => shards.call(node, () => Effect.sync(() => void shards.disk(node).delete(keyOf(ref)))),
  list: (node) =>
    shards.call(node, () =>
      Effect.sync(() =>
        [...shards.disk(node).keys()].sort().map((k) => {
          const at = k.lastIndexOf("/")
          return { objectId: k.slice(0, at), index: Number(k.slice(at + 1)) }
        })
      )
    ),
  answerChallenge: (node, ref, nonce) =>
    shards.call(node, () => {
      const bytes = shards.disk(node).get(keyOf(ref))
      return bytes === undefined ? Effect.fail(new ShardMissing({ node, objectId: ref.objectId, index: ref.index })) : Effect.succeed(challengeAnswer(nonce, bytes))
    })
})

/** ShardStore in memory, plus its control hooks for tests. */
export const layerMemory: Layer.Layer<ShardStore | MemoryShardControl> = Layer.effectContext(
  Effect.sync(() => {
    const shards = new MemoryShards()
    return Context.make(MemoryShardControl, shards).pipe(Context.add(ShardStore, memoryShardStore(shards)))
  })
)
