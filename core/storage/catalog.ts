// Buckets and their committed object records, in memory. An object is visible only once its record
// is committed here, which the write path does after its shards are durable. A journal (live: SQLite)
// hears of every change, and a snapshot of it rebuilds the same catalog after a restart.
import type { Effect } from "effect"
import type { Bucket, ObjectPage, ObjectRecord } from "./model.ts"
import type { ObjectKey } from "./model.ts"

/**
 * Told of every catalog change before it becomes visible, so that what it keeps is never behind what
 * anyone has read. `objectSeq` is the store's object counter at the commit: object ids derive from it,
 * so a restored store must not hand out an id again.
 */
export interface CatalogJournal {
  readonly bucketCreated: (bucket: Bucket) => Effect.Effect<void>
  /** A write's commit (new or overwritten object) or repair moving some of its shards. */
  readonly objectCommitted: (record: ObjectRecord, objectSeq: number) => Effect.Effect<void>
  readonly objectDeleted: (bucket: string, key: string) => Effect.Effect<void>
}

/** What a journal kept: enough to rebuild the catalog and the object counter. */
export interface CatalogSnapshot {
  readonly buckets: ReadonlyArray<Bucket>
  readonly objects: ReadonlyArray<ObjectRecord>
  readonly objectSeq: number
}

export interface BucketEntry {
  readonly bucket: Bucket
  readonly objects: Map<string, ObjectRecord>
}

export class Catalog {
  private readonly buckets = new Map<string, BucketEntry>()

  bucket(name: string): BucketEntry | undefined {
    return this.buckets.get(name)
  }

  addBucket(bucket: Bucket): void {
    this.buckets.set(bucket.name, { bucket, objects: new Map() })
  }

  /** Loads a snapshot's buckets and objects; an object whose bucket is not in it is a bug in the journal. */
  restore(snapshot: Pick<CatalogSnapshot, "buckets" | "objects">): void {
    for (const b of snapshot.buckets) this.addBucket(b)
    for (const r of snapshot.objects) {
      const entry = this.buckets.get(r.bucket)
      if (entry === undefined) throw new Error(`catalog snapshot: object "${r.key}" is in bucket "${r.bucket}", which the snapshot does not have`)
      entry.objects.set(r.key, r)
    }
  }

  /** Every bucket, in name order. */
  allBuckets(): Array<Bucket> {
    return [...this.buckets.keys()].sort().map((name) => this.buckets.get(name)!.bucket)
  }

  /** Every committed record, in bucket then key order (a defined order keeps runs reproducible). */
  allObjects(): Array<ObjectRecord> {
    const out: Array<ObjectRecord> = []
    for (const name of [...this.buckets.keys()].sort()) {
      const entry = this.buckets.get(name)!
      for (const key of [...entry.objects.keys()].sort()) out.push(entry.objects.get(key)!)
    }
    return out
  }

  list(entry: BucketEntry, prefix: string, after: string | undefined, limit: number): ObjectPage {
    const keys = [...entry.objects.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || k > after)).sort()
    const page = keys.slice(0, limit)
    const objects = page.map((k) => {
      const r = entry.objects.get(k)!
      return { key: r.key, sizeBytes: r.sizeBytes, contentSha256: r.contentSha256, createdAtMs: r.createdAtMs }
    })
    return keys.length > limit ? { objects, nextAfter: page[page.length - 1]! as ObjectKey } : { objects }
  }
}
