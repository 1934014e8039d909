// Expected storage errors: each names the facts needed to act on it.
import { Data } from "effect"

export class UnknownBucket extends Data.TaggedError("UnknownBucket")<{ readonly bucket: string }> {
  override get message() {
    return `no bucket named "${this.bucket}"`
  }
}

export class BucketExists extends Data.TaggedError("BucketExists")<{ readonly bucket: string }> {
  override get message() {
    return `a bucket named "${this.bucket}" already exists`
  }
}

export class UnknownObject extends Data.TaggedError("UnknownObject")<{ readonly bucket: string; readonly key: string }> {
  override get message() {
    return `no object "${this.key}" in bucket "${this.bucket}"`
  }
}

export class InvalidStorageInput extends Data.TaggedError("InvalidStorageInput")<{ readonly field: string; readonly reason: string }> {
  override get message() {
    return `invalid ${this.field}: ${this.reason}`
  }
}

/** k+m (or r) distinct nodes are needed and fewer are available. */
export class NotEnoughNodes extends Data.TaggedError("NotEnoughNodes")<{
  readonly redundancy: string
  readonly needed: number
  readonly available: number
}> {
  override get message() {
    return `${this.redundancy} needs ${this.needed} distinct nodes with room, but only ${this.available} are available`
  }
}

/** Not enough shards became durable; nothing of the object stays visible. */
export class WriteFailed extends Data.TaggedError("WriteFailed")<{
  readonly bucket: string
  readonly key: string
  readonly durable: number
  readonly needed: number
  readonly reasons: ReadonlyArray<string>
}> {
  override get message() {
    return `writing "${this.key}" to bucket "${this.bucket}" failed: ${this.durable} of ${this.needed} shards became durable (${this.reasons.join("; ")})`
  }
}

/** Fewer than k healthy shards could be fetched and verified. */
export class ObjectUnavailable extends Data.TaggedError("ObjectUnavailable")<{
  readonly bucket: string
  readonly key: string
  readonly verified: number
  readonly k: number
  readonly reasons: ReadonlyArray<string>
}> {
  override get message() {
    return `object "${this.key}" in bucket "${this.bucket}" is unavailable: ${this.verified} of the ${this.k} shards needed were fetched and verified (${this.reasons.join("; ")})`
  }
}

/** A shard's bytes do not match the checksum recorded at write time. */
export class ShardCorrupt extends Data.TaggedError("ShardCorrupt")<{
  readonly objectId: string
  readonly index: number
  readonly node: number
  readonly expectedSha256: string
  readonly actualSha256: string
}> {
  override get message() {
    return `shard ${this.index} of object ${this.objectId} on node ${this.node} is corrupt: sha256 ${this.actualSha256.slice(0, 12)}... instead of ${this.expectedSha256.slice(0, 12)}...`
  }
}

export type StorageError = UnknownBucket | BucketExists | UnknownObject | InvalidStorageInput | NotEnoughNodes | WriteFailed | ObjectUnavailable
