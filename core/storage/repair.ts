// Repair: objects whose healthy shards have fallen to their bucket's threshold get the missing
// shards rebuilt (from k verified shards) onto other nodes, most at risk first (fewest healthy
// shards), until the pass's byte budget is spent; calling it every interval rate-limits repair.
// Rebuilt shards are bit-identical to the originals, so checksums and audit answers stay valid.
import { Effect, Either } from "effect"
import type { NodeId } from "../domain/ids.ts"
import { type StoreContext, fetchShards, healthyShards, isHealthy, placementNodes, shardKey, withTimeout } from "./context.ts"
import type { ObjectRecord, ShardLocation } from "./model.ts"
import { placeShards } from "./placement.ts"

export interface RepairOptions {
  /** Stop starting repairs once this many bytes (read + written) have moved in this pass. */
  readonly maxBytes?: number
  /** Repair every object missing any shard, whatever its threshold (e.g. after an operator's drain). */
  readonly full?: boolean
}

export interface RepairReport {
  readonly atRisk: number
  readonly repaired: number
  readonly shardsRebuilt: number
  readonly bytesMoved: number
  /** Objects left for a later pass: budget spent, or fewer than k shards reachable right now. */
  readonly deferred: number
  /** Objects with fewer than k healthy shards. */
  readonly lost: ReadonlyArray<{ readonly bucket: string; readonly key: string }>
}

export const repairPass = (ctx: StoreContext, options: RepairOptions = {}): Effect.Effect<RepairReport> =>
  Effect.gen(function* () {
    const maxBytes = options.maxBytes ?? Infinity
    const queue: Array<{ record: ObjectRecord; healthy: number }> = []
    const lost: Array<{ bucket: string; key: string }> = []
    for (const record of ctx.catalog.allObjects()) {
      const bucket = ctx.catalog.bucket(record.bucket)!.bucket
      const { k, n } = ctx.codec(record.redundancy)
      const healthy = healthyShards(ctx, record).length
      if (healthy < k) {
        lost.push({ bucket: record.bucket, key: record.key })
        yield* ctx.emit({ _tag: "ObjectLost", bucket: record.bucket, key: record.key, healthy, k })
      } else if (healthy < n && (options.full === true || healthy <= bucket.repairAtHealthy)) queue.push({ record, healthy })
    }
    // Fewest healthy shards first; ties in catalog order (stable sort).
    queue.sort((a, b) => a.healthy - b.healthy)
    let bytesMoved = 0
    let repaired = 0
    let shardsRebuilt = 0
    let deferred = 0
    for (const { record } of queue) {
      if (bytesMoved >= maxBytes) {
        deferred++
        continue
      }
      const r = yield* repairObject(ctx, record)
      bytesMoved += r.bytesMoved
      shardsRebuilt += r.rebuilt
      if (r.rebuilt > 0) repaired++
      if (!r.complete) deferred++
    }
    return { atRisk: queue.length, repaired, shardsRebuilt, bytesMoved, deferred, lost }
  })

const repairObject = (ctx: StoreContext, record: ObjectRecord): Effect.Effect<{ rebuilt: number; bytesMoved: number; complete: boolean }> =>
  Effect.gen(function* () {
    const codec = ctx.codec(record.redundancy)
    const fetched = yield* fetchShards(ctx, record, codec.k)
    const bytesRead = fetched.verified * record.shardSizeBytes
    if (fetched.verified < codec.k) return { rebuilt: 0, bytesMoved: bytesRead, complete: false }
    // Fetching may have found more bad shards: recompute what is missing now.
    const missing = record.shards.filter((s) => !isHealthy(ctx, record, s)).map((s) => s.index)
    const rebuilt = Either.getOrThrowWith(codec.reconstruct(fetched.shards, missing), (e) => new Error(e.message)) // k verified shards are present
    const keep = record.shards.filter((s) => isHealthy(ctx, record, s))
    const place = (exclude: Set<number>) =>
      placeShards(
        { objectId: record.objectId, shards: missing.length, shardSizeBytes: record.shardSizeBytes, exclude, regionsInUse: keep.map((s) => ctx.nodes.get(s.node)!.region) },
        placementNodes(ctx)
      )
    // Rebuilt shards go to nodes that hold none of the object; when there are none (a small
    // cluster), a node whose copy went bad but which is still there takes its shard back.
    let targets = place(new Set<number>(record.shards.map((s) => s.node)))
    if (Either.isLeft(targets)) targets = place(new Set<number>(keep.map((s) => s.node)))
    if (Either.isLeft(targets)) return { rebuilt: 0, bytesMoved: bytesRead, complete: false }
    const results = yield* Effect.forEach(
      missing,
      (index, t) => Effect.either(withTimeout(ctx, targets.right[t]!, ctx.store.put(targets.right[t]!, { objectId: record.objectId, index }, rebuilt[t]!))),
      { concurrency: "unbounded" }
    )
    const moved = new Map<number, NodeId>()
    results.forEach((r, t) => {
      if (Either.isRight(r)) moved.set(missing[t]!, targets.right[t]!)
    })
    const shards: Array<ShardLocation> = record.shards.map((s) => {
      const to = moved.get(s.index)
      return to === undefined ? s : { ...s, node: to }
    })
    // The object may have been deleted or overwritten while shards were being rebuilt.
    if (moved.size > 0) {
      yield* ctx.catalogLock.withPermits(1)(
        Effect.gen(function* () {
          const entry = ctx.catalog.bucket(record.bucket)
          if (entry?.objects.get(record.key)?.objectId !== record.objectId) return
          const updated: ObjectRecord = { ...record, shards }
          yield* ctx.journal.objectCommitted(updated, ctx.objectSeq)
          entry.objects.set(record.key, updated)
        })
      )
    }
    for (const [index, to] of moved) {
      const from = record.shards[index]!.node
      ctx.bad.delete(shardKey(record.objectId, index))
      const target = from === to ? undefined : ctx.nodes.get(to)
      if (target !== undefined) target.usedBytes += record.shardSizeBytes
      const old = from === to ? undefined : ctx.nodes.get(from) // rewritten in place: nothing to remove
      if (old !== undefined) {
        old.usedBytes = Math.max(0, old.usedBytes - record.shardSizeBytes)
        yield* Effect.ignore(withTimeout(ctx, from, ctx.store.delete(from, { objectId: record.objectId, index })))
      }
      yield* ctx.emit({ _tag: "ShardRepaired", objectId: record.objectId, index, from: from === to || ctx.nodes.has(from) ? from : undefined, to })
    }
    return { rebuilt: moved.size, bytesMoved: bytesRead + moved.size * record.shardSizeBytes, complete: moved.size === missing.length }
  })
