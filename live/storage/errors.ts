// What can go wrong in live storage beyond core's shard errors: an agent's shard directory that cannot
// be used, and a catalog row that no longer decodes.
import { Data } from "effect"

/** The agent's shard directory could not be created, read or written. */
export class ShardDirUnusable extends Data.TaggedError("ShardDirUnusable")<{
  readonly dir: string
  readonly reason: string
}> {
  override get message() {
    return `the shard directory ${this.dir} cannot be used: ${this.reason}`
  }
}

/** A row of the SQLite object catalog is not a record core's schemas accept (edited by hand, or an old format). */
export class CatalogRowInvalid extends Data.TaggedError("CatalogRowInvalid")<{
  readonly table: "buckets" | "objects"
  readonly bucket: string
  readonly key?: string
  readonly reason: string
}> {
  override get message() {
    const what = this.key === undefined ? `bucket "${this.bucket}"` : `object "${this.key}" in bucket "${this.bucket}"`
    return `the catalog's row for ${what} (table ${this.table}) does not decode: ${this.reason}`
  }
}
