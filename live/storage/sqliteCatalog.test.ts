// The SQLite catalog on its own: what the journal writes (rows per object and per shard, the object
// counter only growing), migrations once per file, and rows that no longer decode named in the error.
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import type { NodeId, UserId } from "../../core/domain/ids.ts"
import type { Bucket, BucketName, ObjectId, ObjectKey, ObjectRecord, Sha256Hex } from "../../core/storage/model.ts"
import { makeSqliteCatalog } from "./sqliteCatalog.ts"
import { scopedTempDir } from "../testing/tempDir.ts"

const tempDb = scopedTempDir("catalog").pipe(Effect.map((dir) => path.join(dir, "coordinator.sqlite")))

const bucket = (name: string): Bucket => ({ name: name as BucketName, owner: "ann" as UserId, redundancy: { kind: "rs", k: 2, m: 1 }, repairAtHealthy: 2, createdAtMs: 1000 })

const hex = (c: string, n: number) => c.repeat(n)
const record = (bucketName: string, key: string, idChar: string, nodes: ReadonlyArray<number>): ObjectRecord => ({
  bucket: bucketName as BucketName,
  key: key as ObjectKey,
  objectId: hex(idChar, 32) as ObjectId,
  owner: "ann" as UserId,
  sizeBytes: 10,
  contentSha256: hex("c", 64) as Sha256Hex,
  metadata: { "content-type": "text/plain" },
  redundancy: { kind: "rs", k: 2, m: 1 },
  shardSizeBytes: 5,
  shards: nodes.map((node, index) => ({ index, node: node as NodeId, sha256: hex(String(index), 64) as Sha256Hex, audits: [{ nonceHex: "00ff", answerHex: hex("d", 64) as Sha256Hex }] })),
  createdAtMs: 2000
})

describe("SQLite object catalog", () => {
  it.scoped("journals buckets, objects and shards; an overwrite and a delete leave no stale shard rows; the counter only grows", () =>
    Effect.gen(function* () {
      const filename = yield* tempDb
      const run = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) => Effect.scoped(Effect.provide(effect, SqliteClient.layer({ filename })))
      yield* run(
        Effect.gen(function* () {
          const { journal } = yield* makeSqliteCatalog
          yield* journal.bucketCreated(bucket("alpha"))
          yield* journal.bucketCreated(bucket("beta"))
          yield* journal.objectCommitted(record("alpha", "x", "a", [0, 1, 2]), 5)
          yield* journal.objectCommitted(record("alpha", "y", "b", [1, 2, 3]), 7)
          yield* journal.objectCommitted(record("beta", "x", "e", [4, 5, 6]), 8)
          yield* journal.objectCommitted(record("alpha", "x", "f", [2, 3, 4]), 9) // overwrite: new object id
          yield* journal.objectCommitted(record("alpha", "y", "b", [1, 7, 3]), 6) // repair moved shard 1; an older counter
          yield* journal.objectDeleted("beta", "x")
          yield* journal.objectDeleted("beta", "nothing")
        })
      )
      // Reopened: migrations are not run again, and the rows are what the journal said last.
      yield* run(
        Effect.gen(function* () {
          const catalog = yield* makeSqliteCatalog
          const sql = yield* SqlClient.SqlClient
          const snapshot = yield* catalog.load
          expect(snapshot.buckets).toEqual([bucket("alpha"), bucket("beta")])
          expect(snapshot.objects).toEqual([record("alpha", "x", "f", [2, 3, 4]), record("alpha", "y", "b", [1, 7, 3])])
          expect(snapshot.objectSeq).toBe(9)
          const shards = yield* sql<{ object_id: string; idx: number; node: number }>`SELECT object_id, idx, node FROM shards ORDER BY object_id, idx`
          expect(shards).toEqual([
            { object_id: hex("b", 32), idx: 0, node: 1 },
            { object_id: hex("b", 32), idx: 1, node: 7 },
            { object_id: hex("b", 32), idx: 2, node: 3 },
            { object_id: hex("f", 32), idx: 0, node: 2 },
            { object_id: hex("f", 32), idx: 1, node: 3 },
            { object_id: hex("f", 32), idx: 2, node: 4 }
          ])
          const onNode3 = yield* sql<{ bucket: string; key: string }>`SELECT o.bucket, o.key FROM shards s JOIN objects o ON o.object_id = s.object_id WHERE s.node = 3 ORDER BY o.key`
          expect(onNode3).toEqual([{ bucket: "alpha", key: "x" }, { bucket: "alpha", key: "y" }])
          const migrations = yield* sql<{ migration_id: number }>`SELECT migration_id FROM catalog_migrations`
          expect(migrations.map((m) => m.migration_id)).toEqual([1])
        })
      )
    })
  )

  it.scoped("an empty catalog loads as nothing, with the counter at 0", () =>
    Effect.gen(function* () {
      const filename = yield* tempDb
      const snapshot = yield* Effect.flatMap(makeSqliteCatalog, (c) => c.load).pipe(Effect.provide(SqliteClient.layer({ filename })))
      expect(snapshot).toEqual({ buckets: [], objects: [], objectSeq: 0 })
    })
  )

  it.scoped("a row that no longer decodes is a CatalogRowInvalid naming the bucket and key", () =>
    Effect.gen(function* () {
      const filename = yield* tempDb
      const errors = yield* Effect.gen(function* () {
        const catalog = yield* makeSqliteCatalog
        const sql = yield* SqlClient.SqlClient
        yield* catalog.journal.bucketCreated(bucket("alpha"))
        yield* catalog.journal.objectCommitted(record("alpha", "photos/1.jpg", "a", [0, 1, 2]), 1)
        const [row] = yield* sql<{ record: string }>`SELECT record FROM objects`
        const edited = JSON.parse(row!.record)
        edited.shards[1].sha256 = "not hex"
        yield* sql`UPDATE objects SET record = ${JSON.stringify(edited)}`
        const badObject = yield* Effect.flip(catalog.load)
        yield* sql`UPDATE objects SET record = ${JSON.stringify({ ...edited, key: "elsewhere", shards: [] })}`
        const movedObject = yield* Effect.flip(catalog.load)
        yield* sql`UPDATE buckets SET record = '{"name":"alpha"'`
        const badBucket = yield* Effect.flip(catalog.load)
        return { badObject, movedObject, badBucket }
      }).pipe(Effect.provide(SqliteClient.layer({ filename })))
      expect(errors.badObject).toMatchObject({ _tag: "CatalogRowInvalid", table: "objects", bucket: "alpha", key: "photos/1.jpg" })
      expect(errors.badObject.message).toContain(`object "photos/1.jpg" in bucket "alpha"`)
      expect(errors.badObject.message).toContain("shards.1.sha256")
      expect(errors.movedObject.message).toContain(`its record is for "elsewhere"`)
      expect(errors.badBucket).toMatchObject({ _tag: "CatalogRowInvalid", table: "buckets", bucket: "alpha" })
    })
  )
})
