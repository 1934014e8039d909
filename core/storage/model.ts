// Buckets and objects as the catalog records them. An object's record names, for each shard, the
// node holding it and the shard's SHA-256, plus audit challenges precomputed from the shard's bytes
// at write time, so a node can later be challenged without anyone keeping the bytes.
import { Schema } from "effect"
import { NodeId, UserId } from "../domain/ids.ts"
import { Redundancy } from "./redundancy.ts"

/** Bucket names follow S3's rules: 3-63 lowercase letters, digits, dots and hyphens. */
export const BucketName = Schema.String.pipe(Schema.pattern(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/), Schema.brand("BucketName"))
export type BucketName = typeof BucketName.Type

/** Object keys: 1-1024 characters, no control characters. */
export const ObjectKey = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(1024), Schema.pattern(/^[^\u0000-\u001f\u007f]*$/), Schema.brand("ObjectKey"))
export type ObjectKey = typeof ObjectKey.Type

/** One stored version of an object; shards are filed under it, so an overwrite never mixes versions. */
export const ObjectId = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{32}$/), Schema.brand("ObjectId"))
export type ObjectId = typeof ObjectId.Type

export const Sha256Hex = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/), Schema.brand("Sha256Hex"))
export type Sha256Hex = typeof Sha256Hex.Type

export const Bucket = Schema.Struct({
  name: BucketName,
  owner: UserId,
  redundancy: Redundancy,
  /** Repair an object when its healthy shards fall to this many. */
  repairAtHealthy: Schema.NonNegativeInt,
  createdAtMs: Schema.NonNegative
})
export type Bucket = typeof Bucket.Type

/** A challenge a node answers with sha256(nonce ‖ shard); the expected answer was computed at write time. */
export const AuditChallenge = Schema.Struct({ nonceHex: Schema.String, answerHex: Sha256Hex })
export type AuditChallenge = typeof AuditChallenge.Type

export const ShardLocation = Schema.Struct({
  index: Schema.NonNegativeInt,
  node: NodeId,
  sha256: Sha256Hex,
  audits: Schema.Array(AuditChallenge)
})
export type ShardLocation = typeof ShardLocation.Type

export const ObjectRecord = Schema.Struct({
  bucket: BucketName,
  key: ObjectKey,
  objectId: ObjectId,
  owner: UserId,
  sizeBytes: Schema.NonNegativeInt,
  contentSha256: Sha256Hex,
  metadata: Schema.Record({ key: Schema.String, value: Schema.String }),
  redundancy: Redundancy,
  shardSizeBytes: Schema.NonNegativeInt,
  shards: Schema.Array(ShardLocation),
  createdAtMs: Schema.NonNegative
})
export type ObjectRecord = typeof ObjectRecord.Type

/** What a listing returns per object (no shard locations). */
export interface ObjectSummary {
  readonly key: ObjectKey
  readonly sizeBytes: number
  readonly contentSha256: Sha256Hex
  readonly createdAtMs: number
}

export interface ObjectPage {
  readonly objects: ReadonlyArray<ObjectSummary>
  /** Pass as `after` to get the next page; absent on the last page. */
  readonly nextAfter?: ObjectKey
}
