// Systematic Reed-Solomon k+m over GF(256): the object is cut into k equal data shards
// (zero-padded) stored as they are, plus m parity shards; any k of the k+m shards give the
// object back. The coefficient work is done by a GfKernel (WASM SIMD when the host has it).
import { Either } from "effect"
import { InvalidCodecParameters, NotEnoughShards } from "./errors.ts"
import { fastestKernel } from "./kernels.ts"
import type { GfKernel } from "./kernelJs.ts"
import { invert, multiply, selectRows, systematicCauchyMatrix } from "./matrix.ts"

export interface ErasureCodec {
  /** Data shards. */
  readonly k: number
  /** Parity shards. */
  readonly m: number
  /** ceil(size / k), but at least 1: even an empty object has k+m real (one-byte) shards. */
  shardSizeBytes(objectSizeBytes: number): number
  /**
   * k data shards (the object, zero-padded) then m parity shards, all shardSizeBytes(data.length)
   * long. The shards are views into one fresh buffer owned by the caller.
   */
  encode(data: Uint8Array): Array<Uint8Array>
  /**
   * encode into k+m caller-owned shards of shardSizeBytes(data.length) bytes each (e.g. reused
   * buffers), saving the allocation. A data shard that already is the matching view of `data`
   * (same buffer and offset, e.g. data laid out in one (k+m)-shard buffer) is not copied; shards
   * must not otherwise overlap `data`.
   */
  encodeInto(data: Uint8Array, shards: ReadonlyArray<Uint8Array>): void
  /** The object from any k present shards (index i of `shards` is shard i; undefined = missing). */
  decode(shards: ReadonlyArray<Uint8Array | undefined>, objectSizeBytes: number): Either.Either<Uint8Array, NotEnoughShards>
  /** decode into a caller-owned buffer of at least objectSizeBytes (the object lands at its start); Right(out). */
  decodeInto(shards: ReadonlyArray<Uint8Array | undefined>, objectSizeBytes: number, out: Uint8Array): Either.Either<Uint8Array, NotEnoughShards>
  /**
   * Rebuilds the shards at the indices `missing` (in that order) from any k other present shards;
   * a shard listed in `missing` is never used as a source, even when it is given.
   */
  reconstruct(shards: ReadonlyArray<Uint8Array | undefined>, missing: ReadonlyArray<number>): Either.Either<Array<Uint8Array>, NotEnoughShards>
}

/** Object bytes encoded per slice: with their parity, well inside a core's L2 cache. */
const sliceDataBytes = 256 * 1024

/** Decode matrices kept per erasure pattern; bounded so a long run with many patterns stays small. */
const maxCachedPatterns = 4096

class ReedSolomonCodec implements ErasureCodec {
  private readonly matrix: Uint8Array
  private readonly parityRows: Uint8Array
  private readonly patterns = new Map<string, Uint8Array>()

  constructor(
    readonly k: number,
    readonly m: number,
    private readonly kernel: GfKernel
  ) {
    this.matrix = systematicCauchyMatrix(k, m)
    this.parityRows = this.matrix.subarray(k * k)
  }

  shardSizeBytes(objectSizeBytes: number): number {
    if (!Number.isSafeInteger(objectSizeBytes) || objectSizeBytes < 0) throw new RangeError(`object size ${objectSizeBytes} is not a byte count`)
    return Math.max(1, Math.ceil(objectSizeBytes / this.k))
  }

  encode(data: Uint8Array): Array<Uint8Array> {
    const { k, m } = this
    const size = this.shardSizeBytes(data.length)
    const all = new Uint8Array((k + m) * size)
    const shards = Array.from({ length: k + m }, (_, i) => all.subarray(i * size, (i + 1) * size))
    this.encodeShards(data, shards, size)
    return shards
  }

  encodeInto(data: Uint8Array, shards: ReadonlyArray<Uint8Array>): void {
    const { k, m } = this
    const size = this.shardSizeBytes(data.length)
    if (shards.length !== k + m || shards.some((s) => s.length !== size))
      throw new RangeError(`a ${k}+${m} encode of ${data.length} bytes needs ${k + m} shards of ${size} bytes`)
    this.encodeShards(data, shards, size)
  }

  /**
   * Copies the object into the data shards and computes the parity a slice of every shard at a
   * time, so a large object's data is still in cache when the kernel reads it back.
   */
  private encodeShards(data: Uint8Array, shards: ReadonlyArray<Uint8Array>, size: number): void {
    const { k, m } = this
    const sliceBytes = Math.max(4096, Math.floor(sliceDataBytes / k / 64) * 64)
    for (let a = 0; a < size; a += sliceBytes) {
      const b = Math.min(size, a + sliceBytes)
      for (let i = 0; i < k; i++) {
        const shard = shards[i]!
        const from = Math.min(i * size + a, data.length)
        const to = Math.min(i * size + b, data.length)
        if (shard.buffer !== data.buffer || shard.byteOffset !== data.byteOffset + i * size) shard.set(data.subarray(from, to), a)
        shard.fill(0, a + to - from, b)
      }
      if (m > 0)
        this.kernel.apply(
          this.parityRows,
          m,
          k,
          shards.slice(0, k).map((s) => s.subarray(a, b)),
          shards.slice(k).map((s) => s.subarray(a, b)),
          b - a
        )
    }
  }

  decode(shards: ReadonlyArray<Uint8Array | undefined>, objectSizeBytes: number): Either.Either<Uint8Array, NotEnoughShards> {
    const sources = this.sourcesOf(shards, [])
    if (sources.length < this.k) return Either.left(new NotEnoughShards({ k: this.k, present: sources.length }))
    this.checkObjectSize(objectSizeBytes, shards[sources[0]!]!.length)
    return this.decodeInto(shards, objectSizeBytes, new Uint8Array(objectSizeBytes))
  }

  decodeInto(shards: ReadonlyArray<Uint8Array | undefined>, objectSizeBytes: number, out: Uint8Array): Either.Either<Uint8Array, NotEnoughShards> {
    const { k } = this
    const sources = this.sourcesOf(shards, [])
    if (sources.length < k) return Either.left(new NotEnoughShards({ k, present: sources.length }))
    const size = shards[sources[0]!]!.length
    this.checkObjectSize(objectSizeBytes, size)
    if (out.length < objectSizeBytes) throw new RangeError(`a ${out.length}-byte buffer cannot take a ${objectSizeBytes}-byte object`)
    // Present data shards are copied; missing ones are computed straight into the object where
    // they fit whole (no copy), and into a scratch shard for the one cut short by the object's end.
    const missingData: Array<number> = []
    const targets: Array<Uint8Array> = []
    for (let i = 0, at = 0; i < k && at < objectSizeBytes; i++, at += size) {
      const take = Math.min(size, objectSizeBytes - at)
      const shard = shards[i]
      if (shard !== undefined) out.set(take === size ? shard : shard.subarray(0, take), at)
      else {
        missingData.push(i)
        targets.push(take === size ? out.subarray(at, at + size) : new Uint8Array(size))
      }
    }
    if (missingData.length > 0) {
      this.kernel.apply(this.rowsFor(sources, missingData), missingData.length, k, sources.map((i) => shards[i]!), targets, size)
      const last = missingData.length - 1
      const at = missingData[last]! * size
      if (at + size > objectSizeBytes) out.set(targets[last]!.subarray(0, objectSizeBytes - at), at)
    }
    return Either.right(out)
  }

  reconstruct(shards: ReadonlyArray<Uint8Array | undefined>, missing: ReadonlyArray<number>): Either.Either<Array<Uint8Array>, NotEnoughShards> {
    const { k, m } = this
    for (const i of missing) if (!Number.isInteger(i) || i < 0 || i >= k + m) throw new RangeError(`shard index ${i} is not in 0..${k + m - 1}`)
    const sources = this.sourcesOf(shards, missing)
    if (sources.length < k) return Either.left(new NotEnoughShards({ k, present: sources.length }))
    if (missing.length === 0) return Either.right([])
    return Either.right(this.rebuild(shards, sources, missing, shards[sources[0]!]!.length))
  }

  private checkObjectSize(objectSizeBytes: number, shardBytes: number): void {
    if (!Number.isSafeInteger(objectSizeBytes) || objectSizeBytes < 0 || objectSizeBytes > this.k * shardBytes)
      throw new RangeError(`object size ${objectSizeBytes} does not fit in ${this.k} shards of ${shardBytes} bytes`)
  }

  /** The first k present shards not listed as missing (data shards first), checked for equal length. */
  private sourcesOf(shards: ReadonlyArray<Uint8Array | undefined>, missing: ReadonlyArray<number>): Array<number> {
    const { k, m } = this
    if (shards.length > k + m) throw new RangeError(`${shards.length} shards given to a ${k}+${m} codec`)
    const sources: Array<number> = []
    let size = -1
    for (let i = 0; i < shards.length; i++) {
      const s = shards[i]
      if (s === undefined || missing.includes(i)) continue
      if (size === -1) size = s.length
      else if (s.length !== size) throw new RangeError(`shard ${i} is ${s.length} bytes, shard ${sources[0]} is ${size}`)
      if (sources.length < k) sources.push(i)
    }
    return sources
  }

  private rebuild(shards: ReadonlyArray<Uint8Array | undefined>, sources: ReadonlyArray<number>, targets: ReadonlyArray<number>, size: number): Array<Uint8Array> {
    const rows = this.rowsFor(sources, targets)
    const all = new Uint8Array(targets.length * size)
    const outputs = targets.map((_, t) => all.subarray(t * size, (t + 1) * size))
    this.kernel.apply(
      rows,
      targets.length,
      this.k,
      sources.map((i) => shards[i]!),
      outputs,
      size
    )
    return outputs
  }

  /** Target rows of the encoding matrix times the inverse of the source rows: targets from sources. */
  private rowsFor(sources: ReadonlyArray<number>, targets: ReadonlyArray<number>): Uint8Array {
    const key = `${sources.join(",")}>${targets.join(",")}`
    let rows = this.patterns.get(key)
    if (rows === undefined) {
      const { k } = this
      const inverse = invert(selectRows(this.matrix, k, sources), k)
      if (inverse === undefined) throw new Error(`Reed-Solomon ${k}+${this.m}: rows ${sources.join(",")} are singular`) // impossible for a Cauchy code
      rows = multiply(selectRows(this.matrix, k, targets), targets.length, k, inverse, k)
      if (this.patterns.size >= maxCachedPatterns) this.patterns.clear()
      this.patterns.set(key, rows)
    }
    return rows
  }
}

export interface ErasureCodecOptions {
  /** The arithmetic kernel; the fastest one the host supports when omitted. */
  readonly kernel?: GfKernel
}

export const makeErasureCodec = (k: number, m: number, options: ErasureCodecOptions = {}): Either.Either<ErasureCodec, InvalidCodecParameters> => {
  const invalid = (reason: string) => Either.left(new InvalidCodecParameters({ k, m, reason }))
  if (!Number.isInteger(k) || !Number.isInteger(m)) return invalid("k and m must be whole numbers")
  if (k < 1) return invalid("there must be at least one data shard (k >= 1)")
  if (m < 0) return invalid("the parity shard count cannot be negative (m >= 0)")
  if (k + m > 256) return invalid(`GF(256) allows at most 256 shards in all, k+m is ${k + m}`)
  return Either.right(new ReedSolomonCodec(k, m, options.kernel ?? fastestKernel()))
}
