// How an object survives node loss: Reed-Solomon k+m (any k of the k+m shards give it back) or r
// full copies. Both are seen through one ShardCodec, so the write, read and repair paths do not care
// which; replication is k = 1 with plain copies, not a degenerate Reed-Solomon code.
import { Either, Schema } from "effect"
import { type ErasureCodec, InvalidCodecParameters, makeErasureCodec, NotEnoughShards } from "./erasure/index.ts"

export const Redundancy = Schema.Union(
  /** Reed-Solomon: k data shards and m parity shards. */
  Schema.Struct({ kind: Schema.Literal("rs"), k: Schema.Int.pipe(Schema.positive()), m: Schema.NonNegativeInt }),
  /** r full copies. */
  Schema.Struct({ kind: Schema.Literal("replication"), r: Schema.Int.pipe(Schema.positive()) })
)
export type Redundancy = typeof Redundancy.Type

export const defaultRedundancy: Redundancy = { kind: "rs", k: 4, m: 2 }

/** Shards needed to read an object (k) and shards stored per object (n). */
export const shardCounts = (r: Redundancy): { readonly k: number; readonly n: number } =>
  r.kind === "rs" ? { k: r.k, n: r.k + r.m } : { k: 1, n: r.r }

export const describeRedundancy = (r: Redundancy): string => (r.kind === "rs" ? `Reed-Solomon ${r.k}+${r.m}` : `replication x${r.r}`)

/** Default repair threshold: repair while half the margin is left (rs4+2 at 5 healthy, rs10+4 at 12, rep3 at 2). */
export const defaultRepairAtHealthy = (r: Redundancy): number => {
  const { k, n } = shardCounts(r)
  return Math.min(n - 1, k + Math.ceil((n - k) / 2))
}

/** The shard-level view of a redundancy scheme, shared by Reed-Solomon and replication. */
export interface ShardCodec {
  readonly k: number
  readonly n: number
  shardSizeBytes(objectSizeBytes: number): number
  encode(data: Uint8Array): Array<Uint8Array>
  decode(shards: ReadonlyArray<Uint8Array | undefined>, objectSizeBytes: number): Either.Either<Uint8Array, NotEnoughShards>
  reconstruct(shards: ReadonlyArray<Uint8Array | undefined>, missing: ReadonlyArray<number>): Either.Either<Array<Uint8Array>, NotEnoughShards>
}

const fromErasure = (c: ErasureCodec): ShardCodec => ({
  k: c.k,
  n: c.k + c.m,
  shardSizeBytes: (size) => c.shardSizeBytes(size),
  encode: (data) => c.encode(data),
  decode: (shards, size) => c.decode(shards, size),
  reconstruct: (shards, missing) => c.reconstruct(shards, missing)
})

const replication = (r: number): ShardCodec => {
  const firstPresent = (shards: ReadonlyArray<Uint8Array | undefined>, skip: ReadonlyArray<number> = []) =>
    shards.findIndex((s, i) => s !== undefined && !skip.includes(i))
  return {
    k: 1,
    n: r,
    shardSizeBytes: (size) => size,
    encode: (data) => Array.from({ length: r }, () => data.slice()),
    decode: (shards, size) => {
      const i = firstPresent(shards)
      return i < 0 ? Either.left(new NotEnoughShards({ k: 1, present: 0 })) : Either.right(shards[i]!.slice(0, size))
    },
    reconstruct: (shards, missing) => {
      const i = firstPresent(shards, missing)
      return i < 0 ? Either.left(new NotEnoughShards({ k: 1, present: 0 })) : Either.right(missing.map(() => shards[i]!.slice()))
    }
  }
}

export const makeShardCodec = (r: Redundancy): Either.Either<ShardCodec, InvalidCodecParameters> =>
  r.kind === "rs"
    ? Either.map(makeErasureCodec(r.k, r.m), fromErasure)
    : r.r >= 1
      ? Either.right(replication(r.r))
      : Either.left(new InvalidCodecParameters({ k: 1, m: r.r - 1, reason: "replication needs at least one copy" }))
