// The state the write, read, repair and audit paths share: the catalog, the node directory (which
// nodes exist, their region, capacity and use), shards known to be bad, and the ports.
import { Effect, Either } from "effect"
import type { NodeId } from "../domain/ids.ts"
import type { Prng } from "../random/prng.ts"
import { sha256Hex } from "../crypto/sha256.ts"
import type { Catalog, CatalogJournal } from "./catalog.ts"
import { ShardCorrupt } from "./errors.ts"
import type { StorageEvent } from "./events.ts"
import type { ObjectRecord, ShardLocation } from "./model.ts"
import type { PlacementNode } from "./placement.ts"
import { makeShardCodec, type Redundancy, type ShardCodec } from "./redundancy.ts"
import { NodeSlow, type ShardStore, type ShardStoreError } from "./ShardStore.ts"

export interface StorageNode {
  readonly id: NodeId
  readonly region: string
  readonly capacityBytes: number
}

export interface NodeEntry extends StorageNode {
  usedBytes: number
}

export interface StoreSettings {
  /** A shard fetch or write slower than this fails over to another shard or node. */
  readonly shardTimeoutMs: number
  readonly auditsPerShard: number
  /** Other nodes tried for a shard whose write failed, before the write fails. */
  readonly writeRetries: number
}

export interface StoreContext {
  readonly catalog: Catalog
  /** Hears of every catalog change before it is made visible (a no-op unless the store persists). */
  readonly journal: CatalogJournal
  /**
   * Held from a change's check through its journal write to its commit in memory, so the journal
   * sees changes in the order the catalog makes them (a repair cannot bring back a deleted object).
   */
  readonly catalogLock: Effect.Semaphore
  readonly nodes: Map<number, NodeEntry>
  /** Shards known bad (corrupt, missing, failed an audit): `${objectId}/${index}`. */
  readonly bad: Set<string>
  readonly store: ShardStore["Type"]
  readonly rng: Prng
  readonly settings: StoreSettings
  readonly emit: (e: StorageEvent) => Effect.Effect<void>
  readonly codec: (r: Redundancy) => ShardCodec
  objectSeq: number
}

export const shardKey = (objectId: string, index: number): string => `${objectId}/${index}`

export const codecCache = (): ((r: Redundancy) => ShardCodec) => {
  const cache = new Map<string, ShardCodec>()
  return (r) => {
    const key = JSON.stringify(r)
    let c = cache.get(key)
    if (c === undefined) {
      // Redundancy is validated when a bucket is created, so an invalid one here is a bug.
      c = Either.getOrThrowWith(makeShardCodec(r), (e) => new Error(e.message))
      cache.set(key, c)
    }
    return c
  }
}

export const placementNodes = (ctx: StoreContext): Array<PlacementNode> =>
  [...ctx.nodes.values()].map((n) => ({ id: n.id, region: n.region, capacityBytes: n.capacityBytes, freeBytes: n.capacityBytes - n.usedBytes }))

/** A shard is healthy while its node is in the directory and nothing has shown it bad. */
export const isHealthy = (ctx: StoreContext, record: ObjectRecord, loc: ShardLocation): boolean =>
  ctx.nodes.has(loc.node) && !ctx.bad.has(shardKey(record.objectId, loc.index))

export const healthyShards = (ctx: StoreContext, record: ObjectRecord): Array<ShardLocation> => record.shards.filter((s) => isHealthy(ctx, record, s))

export const withTimeout = <A, E>(ctx: StoreContext, node: number, effect: Effect.Effect<A, E>): Effect.Effect<A, E | NodeSlow> =>
  Effect.timeoutFail(effect, { duration: ctx.settings.shardTimeoutMs, onTimeout: () => new NodeSlow({ node, timeoutMs: ctx.settings.shardTimeoutMs }) })

export type FetchFailure = ShardStoreError | ShardCorrupt

/**
 * One shard's bytes, checked against the checksum recorded at write time. A corrupt or missing
 * shard is marked bad (so repair replaces it) and reported; its bytes are never handed out.
 */
export const fetchVerifiedShard = (ctx: StoreContext, record: ObjectRecord, loc: ShardLocation): Effect.Effect<Uint8Array, FetchFailure> =>
  withTimeout(ctx, loc.node, ctx.store.get(loc.node, { objectId: record.objectId, index: loc.index })).pipe(
    Effect.flatMap((bytes) => {
      const actual = sha256Hex(bytes)
      if (actual === loc.sha256 && bytes.length === record.shardSizeBytes) return Effect.succeed(bytes)
      ctx.bad.add(shardKey(record.objectId, loc.index))
      return Effect.zipRight(
        ctx.emit({ _tag: "ShardCorruptDetected", node: loc.node, objectId: record.objectId, index: loc.index }),
        Effect.fail(new ShardCorrupt({ objectId: record.objectId, index: loc.index, node: loc.node, expectedSha256: loc.sha256, actualSha256: actual }))
      )
    }),
    Effect.tapError((e) => Effect.sync(() => e._tag === "ShardMissing" && ctx.bad.add(shardKey(record.objectId, loc.index))))
  )

/**
 * `want` verified shards of the object, fetched `want` at a time from the healthy ones (data shards
 * first: with all k data shards, decoding is a copy); each failure is replaced by the next shard.
 * Returns the shards by index (undefined where not fetched) and the reasons for every failure.
 */
export const fetchShards = (
  ctx: StoreContext,
  record: ObjectRecord,
  want: number,
  skip: ReadonlySet<number> = new Set()
): Effect.Effect<{ shards: Array<Uint8Array | undefined>; verified: number; reasons: Array<string> }> =>
  Effect.gen(function* () {
    const candidates = record.shards.filter((s) => !skip.has(s.index) && isHealthy(ctx, record, s))
    const shards: Array<Uint8Array | undefined> = record.shards.map(() => undefined)
    const reasons: Array<string> = []
    let verified = 0
    let next = 0
    while (verified < want && next < candidates.length) {
      const wave = candidates.slice(next, next + (want - verified))
      next += wave.length
      const results = yield* Effect.forEach(wave, (loc) => Effect.either(fetchVerifiedShard(ctx, record, loc)), { concurrency: "unbounded" })
      results.forEach((r, i) => {
        if (Either.isRight(r)) {
          shards[wave[i]!.index] = r.right
          verified++
        } else reasons.push(`shard ${wave[i]!.index}: ${r.left.message}`)
      })
    }
    return { shards, verified, reasons }
  })
