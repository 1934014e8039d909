// Buckets and their committed object records, in memory. An object is visible only once its record
// is committed here, which the write path does after its shards are durable.
import type { Bucket, ObjectPage, ObjectRecord } from "./model.ts"
import type { ObjectKey } from "./model.ts"

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
