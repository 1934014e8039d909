// The object store: buckets and objects over a ShardStore. One implementation for sim and live
// (only the ShardStore differs); randomness (audit nonces and audit sampling) comes from Rng and
// time from Clock, so a simulated run is reproducible.
import { Clock, Context, Effect, Either, Layer, ParseResult, Schedule, Schema } from "effect"
import type { NodeId, UserId } from "../domain/ids.ts"
import { UserId as UserIdSchema } from "../domain/ids.ts"
import { Rng } from "../random/Rng.ts"
import { auditPass, type AuditOptions } from "./auditPass.ts"
import { Catalog, type BucketEntry, type CatalogJournal, type CatalogSnapshot } from "./catalog.ts"
import { codecCache, type FetchFailure, type StorageNode, type StoreContext, type StoreSettings, fetchShards, fetchVerifiedShard, healthyShards } from "./context.ts"
import { BucketExists, InvalidStorageInput, NotEnoughNodes, ObjectUnavailable, UnknownBucket, UnknownObject, WriteFailed } from "./errors.ts"
import type { AuditOutcome, StorageEvent } from "./events.ts"
import { type Bucket, BucketName, ObjectKey, type ObjectPage, type ObjectRecord } from "./model.ts"
import { defaultRedundancy, defaultRepairAtHealthy, describeRedundancy, makeShardCodec, Redundancy, shardCounts } from "./redundancy.ts"
import { repairPass, type RepairOptions, type RepairReport } from "./repair.ts"
import { ShardStore } from "./ShardStore.ts"
import { deleteShards, writeObject } from "./writePath.ts"

export interface ObjectStoreOptions extends Partial<StoreSettings> {
  /** Called for every audit outcome, corrupt shard, repair and loss (e.g. to charge reputation). */
  readonly onEvent?: (e: StorageEvent) => Effect.Effect<void>
  /** Told of every catalog change before it becomes visible (live: the SQLite catalog). */
  readonly journal?: CatalogJournal
  /** A journal's snapshot: the store starts with these buckets, objects and object counter. */
  readonly restore?: CatalogSnapshot
}

const noJournal: CatalogJournal = { bucketCreated: () => Effect.void, objectCommitted: () => Effect.void, objectDeleted: () => Effect.void }

export interface CreateBucket {
  readonly name: string
  readonly owner: string
  readonly redundancy?: Redundancy
  readonly repairAtHealthy?: number
}

export interface PutObject {
  readonly bucket: string
  readonly key: string
  readonly data: Uint8Array
  readonly owner: string
  readonly metadata?: Readonly<Record<string, string>>
}

export interface ListOptions {
  readonly prefix?: string
  /** Start after this key (the previous page's nextAfter). */
  readonly after?: string
  /** At most this many objects (1..1000, default 1000). */
  readonly limit?: number
}

export interface ObjectHealth {
  readonly healthy: number
  readonly k: number
  readonly n: number
}

export interface ObjectStoreService {
  readonly addNode: (node: StorageNode) => Effect.Effect<void>
  /** The node is gone for good: its shards count as missing from now on. */
  readonly removeNode: (node: NodeId) => Effect.Effect<void>
  readonly nodeCount: () => number
  /** Every bucket, in name order. */
  readonly listBuckets: () => Effect.Effect<ReadonlyArray<Bucket>>
  readonly createBucket: (input: CreateBucket) => Effect.Effect<Bucket, BucketExists | InvalidStorageInput | NotEnoughNodes>
  readonly putObject: (input: PutObject) => Effect.Effect<ObjectRecord, UnknownBucket | InvalidStorageInput | NotEnoughNodes | WriteFailed>
  readonly getObject: (bucket: string, key: string) => Effect.Effect<Uint8Array, UnknownBucket | UnknownObject | ObjectUnavailable>
  readonly headObject: (bucket: string, key: string) => Effect.Effect<ObjectRecord, UnknownBucket | UnknownObject>
  /** One shard's bytes, verified against its checksum: a corrupt shard is reported, never returned. */
  readonly readShard: (bucket: string, key: string, index: number) => Effect.Effect<Uint8Array, UnknownBucket | UnknownObject | InvalidStorageInput | FetchFailure>
  readonly listObjects: (bucket: string, options?: ListOptions) => Effect.Effect<ObjectPage, UnknownBucket | InvalidStorageInput>
  readonly deleteObject: (bucket: string, key: string) => Effect.Effect<void, UnknownBucket | UnknownObject>
  readonly health: (bucket: string, key: string) => Effect.Effect<ObjectHealth, UnknownBucket | UnknownObject>
  readonly repair: (options?: RepairOptions) => Effect.Effect<RepairReport>
  /** Runs a repair pass with `bytesPerPass` budget every `intervalMs`, forever: rate-limited repair. */
  readonly repairLoop: (intervalMs: number, bytesPerPass: number) => Effect.Effect<never>
  readonly audit: (options: AuditOptions) => Effect.Effect<ReadonlyArray<AuditOutcome>>
}

export class ObjectStore extends Context.Tag("crowdcloud/ObjectStore")<ObjectStore, ObjectStoreService>() {
  static layer(options: ObjectStoreOptions = {}): Layer.Layer<ObjectStore, never, ShardStore | Rng> {
    return Layer.effect(ObjectStore, makeObjectStore(options))
  }
}

const decodeField = <A, I>(schema: Schema.Schema<A, I>, field: string, value: unknown): Either.Either<A, InvalidStorageInput> =>
  Either.mapLeft(Schema.decodeUnknownEither(schema)(value), (e) => {
    const first = ParseResult.ArrayFormatter.formatErrorSync(e)[0]
    const at = first !== undefined && first.path.length > 0 ? ` (at ${first.path.join(".")})` : ""
    return new InvalidStorageInput({ field, reason: `${first?.message ?? "not valid"}${at}` })
  })

export const makeObjectStore = (options: ObjectStoreOptions = {}): Effect.Effect<ObjectStoreService, never, ShardStore | Rng> =>
  Effect.gen(function* () {
    const store = yield* ShardStore
    const rng = (yield* Rng).stream("storage")
    const catalog = new Catalog()
    if (options.restore !== undefined) catalog.restore(options.restore)
    const ctx: StoreContext = {
      catalog,
      journal: options.journal ?? noJournal,
      catalogLock: yield* Effect.makeSemaphore(1),
      nodes: new Map(),
      bad: new Set(),
      store,
      rng,
      settings: {
        shardTimeoutMs: options.shardTimeoutMs ?? 2000,
        auditsPerShard: options.auditsPerShard ?? 4,
        writeRetries: options.writeRetries ?? 3
      },
      emit: options.onEvent ?? (() => Effect.void),
      codec: codecCache(),
      objectSeq: options.restore?.objectSeq ?? 0
    }
    const auditsUsed = new Map<string, number>()
    // A restored store learns its nodes after the catalog: a node joining for the first time since
    // the restore holds what the catalog says it holds.
    const restoredUsedBytes = (node: NodeId): number => {
      if (options.restore === undefined) return 0
      let used = 0
      for (const r of ctx.catalog.allObjects()) for (const s of r.shards) if (s.node === node) used += r.shardSizeBytes
      return used
    }

    const bucketEntry = (name: string): Effect.Effect<BucketEntry, UnknownBucket> => {
      const entry = ctx.catalog.bucket(name)
      return entry === undefined ? Effect.fail(new UnknownBucket({ bucket: name })) : Effect.succeed(entry)
    }
    const objectRecord = (bucket: string, key: string): Effect.Effect<ObjectRecord, UnknownBucket | UnknownObject> =>
      Effect.flatMap(bucketEntry(bucket), (entry) => {
        const r = entry.objects.get(key)
        return r === undefined ? Effect.fail(new UnknownObject({ bucket, key })) : Effect.succeed(r)
      })
    const enoughNodes = (r: Redundancy): Effect.Effect<void, NotEnoughNodes> => {
      const { n } = shardCounts(r)
      return n > ctx.nodes.size ? Effect.fail(new NotEnoughNodes({ redundancy: describeRedundancy(r), needed: n, available: ctx.nodes.size })) : Effect.void
    }

    const service: ObjectStoreService = {
      addNode: (node) => Effect.sync(() => void ctx.nodes.set(node.id, { ...node, usedBytes: ctx.nodes.get(node.id)?.usedBytes ?? restoredUsedBytes(node.id) })),
      removeNode: (node) => Effect.sync(() => void ctx.nodes.delete(node)),
      nodeCount: () => ctx.nodes.size,

      listBuckets: () => Effect.sync(() => ctx.catalog.allBuckets()),

      createBucket: (input) =>
        Effect.gen(function* () {
          const name = yield* decodeField(BucketName, "bucket name", input.name)
          const owner = yield* decodeField(UserIdSchema, "owner", input.owner)
          const redundancy = yield* decodeField(Redundancy, "redundancy", input.redundancy ?? defaultRedundancy)
          yield* Either.mapLeft(makeShardCodec(redundancy), (e) => new InvalidStorageInput({ field: "redundancy", reason: e.message }))
          const { k, n } = shardCounts(redundancy)
          const repairAtHealthy = input.repairAtHealthy ?? defaultRepairAtHealthy(redundancy)
          if (!Number.isInteger(repairAtHealthy) || repairAtHealthy < k || repairAtHealthy > Math.max(k, n - 1)) {
            return yield* Effect.fail(new InvalidStorageInput({ field: "repairAtHealthy", reason: `must be an integer between k = ${k} and k+m-1 = ${n - 1}, got ${repairAtHealthy}` }))
          }
          if (ctx.catalog.bucket(name) !== undefined) return yield* Effect.fail(new BucketExists({ bucket: name }))
          yield* enoughNodes(redundancy)
          const bucket: Bucket = { name, owner, redundancy, repairAtHealthy, createdAtMs: yield* Clock.currentTimeMillis }
          return yield* ctx.catalogLock.withPermits(1)(
            Effect.gen(function* () {
              // Again: another creation of the same name may have committed while this one waited.
              if (ctx.catalog.bucket(name) !== undefined) return yield* Effect.fail(new BucketExists({ bucket: name }))
              yield* ctx.journal.bucketCreated(bucket)
              ctx.catalog.addBucket(bucket)
              return bucket
            })
          )
        }),

      putObject: (input) =>
        Effect.gen(function* () {
          const entry = yield* bucketEntry(input.bucket)
          const key = yield* decodeField(ObjectKey, "object key", input.key)
          const owner: UserId = yield* decodeField(UserIdSchema, "owner", input.owner)
          yield* enoughNodes(entry.bucket.redundancy)
          return yield* writeObject(ctx, entry, { key, data: input.data, owner, metadata: input.metadata ?? {} })
        }),

      getObject: (bucket, key) =>
        Effect.gen(function* () {
          const record = yield* objectRecord(bucket, key)
          const codec = ctx.codec(record.redundancy)
          const { shards, verified, reasons } = yield* fetchShards(ctx, record, codec.k)
          if (verified < codec.k) {
            const known = healthyShards(ctx, record).length
            if (known < codec.k) reasons.push(`${record.shards.length - known} of ${record.shards.length} shards are on nodes that are gone or were found bad`)
            return yield* Effect.fail(new ObjectUnavailable({ bucket, key, verified, k: codec.k, reasons }))
          }
          // k verified shards always decode; a failure here is a bug, not an expected error.
          return Either.getOrThrowWith(codec.decode(shards, record.sizeBytes), (e) => new Error(e.message))
        }),

      headObject: objectRecord,

      readShard: (bucket, key, index) =>
        Effect.gen(function* () {
          const record = yield* objectRecord(bucket, key)
          const loc = record.shards[index]
          if (loc === undefined) return yield* Effect.fail(new InvalidStorageInput({ field: "shard index", reason: `${index} is not in 0..${record.shards.length - 1}` }))
          return yield* fetchVerifiedShard(ctx, record, loc)
        }),

      listObjects: (bucket, options = {}) =>
        Effect.gen(function* () {
          const entry = yield* bucketEntry(bucket)
          const limit = options.limit ?? 1000
          if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
            return yield* Effect.fail(new InvalidStorageInput({ field: "limit", reason: `must be an integer from 1 to 1000, got ${limit}` }))
          }
          return ctx.catalog.list(entry, options.prefix ?? "", options.after, limit)
        }),

      deleteObject: (bucket, key) =>
        Effect.gen(function* () {
          const record = yield* ctx.catalogLock.withPermits(1)(
            Effect.gen(function* () {
              const r = yield* objectRecord(bucket, key)
              yield* ctx.journal.objectDeleted(bucket, key)
              ctx.catalog.bucket(bucket)!.objects.delete(key)
              return r
            })
          )
          yield* deleteShards(ctx, record)
        }),

      health: (bucket, key) =>
        Effect.map(objectRecord(bucket, key), (record) => {
          const { k, n } = ctx.codec(record.redundancy)
          return { healthy: healthyShards(ctx, record).length, k, n }
        }),

      repair: (o) => repairPass(ctx, o),
      repairLoop: (intervalMs, bytesPerPass) =>
        Effect.repeat(repairPass(ctx, { maxBytes: bytesPerPass }), Schedule.spaced(intervalMs)).pipe(Effect.zipRight(Effect.never)),
      audit: (o) => auditPass(ctx, auditsUsed, o)
    }
    return service
  })
