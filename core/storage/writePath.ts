// Writing an object: encode, place the shards on distinct nodes (rendezvous order, regions spread),
// write them all, fail over to the next-ranked node for a shard whose write fails, and commit the
// object's record only when every shard is durable. On failure the shards already written are
// deleted and nothing of the object becomes visible.
import { Clock, Effect, Either } from "effect"
import type { NodeId, UserId } from "../domain/ids.ts"
import { sha256Hex } from "../crypto/sha256.ts"
import { makeChallenges } from "./audit.ts"
import { type BucketEntry } from "./catalog.ts"
import { type StoreContext, placementNodes, withTimeout } from "./context.ts"
import { NotEnoughNodes, WriteFailed } from "./errors.ts"
import type { ObjectId, ObjectKey, ObjectRecord, Sha256Hex, ShardLocation } from "./model.ts"
import { placeShards, rankNodes } from "./placement.ts"
import { describeRedundancy } from "./redundancy.ts"

export interface WriteRequest {
  readonly key: ObjectKey
  readonly data: Uint8Array
  readonly owner: UserId
  readonly metadata: Readonly<Record<string, string>>
}

export const writeObject = (ctx: StoreContext, entry: BucketEntry, req: WriteRequest): Effect.Effect<ObjectRecord, NotEnoughNodes | WriteFailed> =>
  Effect.gen(function* () {
    const { bucket } = entry
    const codec = ctx.codec(bucket.redundancy)
    const objectId = sha256Hex(`${bucket.name}\u0000${req.key}\u0000${ctx.objectSeq++}`).slice(0, 32) as ObjectId
    const shardSize = codec.shardSizeBytes(req.data.length)
    const nodes = placementNodes(ctx)
    const placed = placeShards({ objectId, shards: codec.n, shardSizeBytes: shardSize, redundancy: describeRedundancy(bucket.redundancy) }, nodes)
    if (Either.isLeft(placed)) return yield* Effect.fail(placed.left)
    const shards = codec.encode(req.data)
    const put = (node: NodeId, index: number) => withTimeout(ctx, node, ctx.store.put(node, { objectId, index }, shards[index]!))

    const holder: Array<NodeId | undefined> = placed.right.slice()
    const reasons: Array<string> = []
    const first = yield* Effect.forEach(holder, (node, i) => Effect.either(put(node!, i)), { concurrency: "unbounded" })
    const failed: Array<number> = []
    first.forEach((r, i) => {
      if (Either.isLeft(r)) {
        reasons.push(`shard ${i} on node ${holder[i]}: ${r.left.message}`)
        failed.push(i)
        holder[i] = undefined
      }
    })
    // Fail over one shard at a time, so two shards never race for the same spare node.
    const tried = new Set<number>(placed.right)
    const spares = rankNodes(objectId, nodes, shardSize, tried)
    for (const i of failed) {
      for (let attempt = 0; attempt < ctx.settings.writeRetries && spares.length > 0; attempt++) {
        const spare = spares.shift()!
        const r = yield* Effect.either(put(spare.id, i))
        if (Either.isRight(r)) {
          holder[i] = spare.id
          break
        }
        reasons.push(`shard ${i} on node ${spare.id}: ${r.left.message}`)
      }
    }
    const durable = holder.filter((h) => h !== undefined).length
    if (durable < codec.n) {
      yield* Effect.forEach(
        holder.flatMap((h, i) => (h === undefined ? [] : [[h, i] as const])),
        ([h, i]) => Effect.ignore(withTimeout(ctx, h, ctx.store.delete(h, { objectId, index: i }))),
        { concurrency: "unbounded", discard: true }
      )
      return yield* Effect.fail(new WriteFailed({ bucket: bucket.name, key: req.key, durable, needed: codec.n, reasons }))
    }
    const locations: Array<ShardLocation> = holder.map((node, index) => ({
      index,
      node: node!,
      sha256: sha256Hex(shards[index]!) as Sha256Hex,
      audits: makeChallenges(shards[index]!, ctx.settings.auditsPerShard, ctx.rng)
    }))
    for (const loc of locations) {
      const n = ctx.nodes.get(loc.node)
      if (n !== undefined) n.usedBytes += shardSize
    }
    const record: ObjectRecord = {
      bucket: bucket.name,
      key: req.key,
      objectId,
      owner: req.owner,
      sizeBytes: req.data.length,
      contentSha256: sha256Hex(req.data) as Sha256Hex,
      metadata: { ...req.metadata },
      redundancy: bucket.redundancy,
      shardSizeBytes: shardSize,
      shards: locations,
      createdAtMs: yield* Clock.currentTimeMillis
    }
    const previous = yield* ctx.catalogLock.withPermits(1)(
      Effect.gen(function* () {
        yield* ctx.journal.objectCommitted(record, ctx.objectSeq)
        const replaced = entry.objects.get(req.key)
        entry.objects.set(req.key, record)
        return replaced
      })
    )
    if (previous !== undefined) yield* deleteShards(ctx, previous)
    return record
  })

/** Best effort: a node that is gone keeps its copy, which nothing refers to any more. */
export const deleteShards = (ctx: StoreContext, record: ObjectRecord): Effect.Effect<void> =>
  Effect.forEach(
    record.shards,
    (loc) =>
      Effect.gen(function* () {
        const n = ctx.nodes.get(loc.node)
        if (n !== undefined) n.usedBytes = Math.max(0, n.usedBytes - record.shardSizeBytes)
        yield* Effect.ignore(withTimeout(ctx, loc.node, ctx.store.delete(loc.node, { objectId: record.objectId, index: loc.index })))
      }),
    { concurrency: "unbounded", discard: true }
  )
