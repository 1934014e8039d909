// Core's object catalog kept in SQLite: the journal core's ObjectStore tells of every change (before
// the change is visible) writes it here in one transaction, and `load` gives the snapshot a restarted
// coordinator rebuilds its ObjectStore from. Records are stored as JSON encoded by core's schemas and
// decoded by them on load; the shards table repeats each shard's node and checksum for queries
// (what does node 7 hold?) and is never read back into the catalog.
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Either, ParseResult, Schema } from "effect"
import type { CatalogJournal, CatalogSnapshot } from "../../core/storage/catalog.ts"
import { Bucket, ObjectRecord } from "../../core/storage/model.ts"
import { CatalogRowInvalid } from "./errors.ts"

const migrations = Migrator.fromRecord({
  "1_catalog": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE buckets (name TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID`
    yield* sql`CREATE TABLE objects (
      bucket TEXT NOT NULL REFERENCES buckets(name),
      key TEXT NOT NULL,
      object_id TEXT NOT NULL UNIQUE,
      record TEXT NOT NULL,
      PRIMARY KEY (bucket, key)
    ) WITHOUT ROWID`
    yield* sql`CREATE TABLE shards (
      object_id TEXT NOT NULL,
      idx INTEGER NOT NULL,
      node INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      PRIMARY KEY (object_id, idx)
    ) WITHOUT ROWID`
    yield* sql`CREATE INDEX shards_by_node ON shards (node)`
    yield* sql`CREATE TABLE catalog_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID`
  })
})

export interface SqliteCatalog {
  /** The catalog as last journaled; a row core's schemas reject is a CatalogRowInvalid naming it. */
  readonly load: Effect.Effect<CatalogSnapshot, CatalogRowInvalid>
  /** Pass as ObjectStoreOptions.journal. Database failures are defects: the change is then not made visible. */
  readonly journal: CatalogJournal
}

const encodeBucket = Schema.encodeSync(Schema.parseJson(Bucket))
const encodeRecord = Schema.encodeSync(Schema.parseJson(ObjectRecord))
const decodeBucket = Schema.decodeUnknownEither(Schema.parseJson(Bucket))
const decodeRecord = Schema.decodeUnknownEither(Schema.parseJson(ObjectRecord))

const firstProblem = (e: ParseResult.ParseError): string => {
  const first = ParseResult.ArrayFormatter.formatErrorSync(e)[0]
  return first === undefined ? "not valid" : `${first.message}${first.path.length > 0 ? ` (at ${first.path.join(".")})` : ""}`
}

export const makeSqliteCatalog: Effect.Effect<SqliteCatalog, never, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* Migrator.make({})({ loader: migrations, table: "catalog_migrations" }).pipe(Effect.orDie)

  const writeShards = (record: ObjectRecord) =>
    Effect.gen(function* () {
      yield* sql`DELETE FROM shards WHERE object_id = ${record.objectId}`
      if (record.shards.length > 0) {
        yield* sql`INSERT INTO shards ${sql.insert(record.shards.map((s) => ({ object_id: record.objectId, idx: s.index, node: s.node, sha256: s.sha256 })))}`
      }
    })

  const journal: CatalogJournal = {
    bucketCreated: (bucket) => sql`INSERT INTO buckets (name, record) VALUES (${bucket.name}, ${encodeBucket(bucket)})`.pipe(Effect.asVoid, Effect.orDie),

    objectCommitted: (record, objectSeq) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const [previous] = yield* sql<{ object_id: string }>`SELECT object_id FROM objects WHERE bucket = ${record.bucket} AND key = ${record.key}`
            if (previous !== undefined && previous.object_id !== record.objectId) yield* sql`DELETE FROM shards WHERE object_id = ${previous.object_id}`
            yield* sql`INSERT INTO objects (bucket, key, object_id, record) VALUES (${record.bucket}, ${record.key}, ${record.objectId}, ${encodeRecord(record)})
              ON CONFLICT (bucket, key) DO UPDATE SET object_id = excluded.object_id, record = excluded.record`
            yield* writeShards(record)
            yield* sql`INSERT INTO catalog_meta (name, value) VALUES ('object_seq', ${objectSeq})
              ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`
          })
        )
        .pipe(Effect.orDie),

    objectDeleted: (bucket, key) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const [row] = yield* sql<{ object_id: string }>`SELECT object_id FROM objects WHERE bucket = ${bucket} AND key = ${key}`
            if (row === undefined) return
            yield* sql`DELETE FROM shards WHERE object_id = ${row.object_id}`
            yield* sql`DELETE FROM objects WHERE bucket = ${bucket} AND key = ${key}`
          })
        )
        .pipe(Effect.orDie)
  }

  const load: Effect.Effect<CatalogSnapshot, CatalogRowInvalid> = Effect.gen(function* () {
    const bucketRows = yield* sql<{ name: string; record: string }>`SELECT name, record FROM buckets ORDER BY name`.pipe(Effect.orDie)
    const objectRows = yield* sql<{ bucket: string; key: string; record: string }>`SELECT bucket, key, record FROM objects ORDER BY bucket, key`.pipe(Effect.orDie)
    const [meta] = yield* sql<{ value: number }>`SELECT value FROM catalog_meta WHERE name = 'object_seq'`.pipe(Effect.orDie)
    const buckets: Array<Bucket> = []
    for (const row of bucketRows) {
      const decoded = decodeBucket(row.record)
      if (Either.isLeft(decoded)) return yield* new CatalogRowInvalid({ table: "buckets", bucket: row.name, reason: firstProblem(decoded.left) })
      if (decoded.right.name !== row.name) return yield* new CatalogRowInvalid({ table: "buckets", bucket: row.name, reason: `its record names bucket "${decoded.right.name}"` })
      buckets.push(decoded.right)
    }
    const bucketNames = new Set(buckets.map((b) => b.name))
    const objects: Array<ObjectRecord> = []
    for (const row of objectRows) {
      const decoded = decodeRecord(row.record)
      if (Either.isLeft(decoded)) return yield* new CatalogRowInvalid({ table: "objects", bucket: row.bucket, key: row.key, reason: firstProblem(decoded.left) })
      const r = decoded.right
      if (r.bucket !== row.bucket || r.key !== row.key) {
        return yield* new CatalogRowInvalid({ table: "objects", bucket: row.bucket, key: row.key, reason: `its record is for "${r.key}" in bucket "${r.bucket}"` })
      }
      if (!bucketNames.has(r.bucket)) {
        return yield* new CatalogRowInvalid({ table: "objects", bucket: row.bucket, key: row.key, reason: "its bucket is not in the catalog" })
      }
      objects.push(r)
    }
    return { buckets, objects, objectSeq: meta?.value ?? 0 }
  })

  return { load, journal }
})
