import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { type ErasureCodec, makeErasureCodec } from "./codec.ts"
import { InvalidCodecParameters, NotEnoughShards } from "./errors.ts"
import { type GfKernel, jsKernel } from "./kernelJs.ts"
import { availableKernels } from "./kernels.ts"
import { sha256Hex } from "../../crypto/sha256.ts"
import { Prng } from "../../random/prng.ts"

const codecOf = (k: number, m: number, kernel = availableKernels()[0]!): ErasureCodec => Either.getOrThrow(makeErasureCodec(k, m, { kernel }))

const indices = (n: number) => Array.from({ length: n }, (_, i) => i)

/** A code (the named ones often, random ones too), an object, and which k shards survive. */
const scenario = fc
  .oneof(
    fc.constantFrom({ k: 4, m: 2 }, { k: 10, m: 4 }, { k: 1, m: 2 }, { k: 1, m: 0 }, { k: 3, m: 0 }),
    fc.record({ k: fc.integer({ min: 1, max: 20 }), m: fc.integer({ min: 0, max: 8 }) })
  )
  .chain(({ k, m }) =>
    fc.record({
      k: fc.constant(k),
      m: fc.constant(m),
      data: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 2000 }), fc.uint8Array({ minLength: 2000, maxLength: 9000 })),
      kept: fc.shuffledSubarray(indices(k + m), { minLength: k, maxLength: k })
    })
  )

const hex = (bytes: Uint8Array) => sha256Hex(bytes)

const onlyKept = (shards: ReadonlyArray<Uint8Array>, kept: ReadonlyArray<number>) => shards.map((s, i) => (kept.includes(i) ? s : undefined))

describe.each(availableKernels().map((kernel) => [kernel.name, kernel] as const))("Reed-Solomon codec (%s kernel)", (_, kernel) => {
  it("fast-check: encode gives k+m equal shards, the first k being the zero-padded object", () => {
    fc.assert(
      fc.property(scenario, ({ k, m, data }) => {
        const codec = codecOf(k, m, kernel)
        const shards = codec.encode(data)
        const size = codec.shardSizeBytes(data.length)
        expect(size).toBe(Math.max(1, Math.ceil(data.length / k)))
        expect(shards).toHaveLength(k + m)
        for (const s of shards) expect(s.length).toBe(size)
        const padded = new Uint8Array(k * size)
        padded.set(data)
        for (let i = 0; i < k; i++) expect(shards[i]).toEqual(padded.subarray(i * size, (i + 1) * size))
      })
    )
  })

  it("fast-check: encodeInto gives the shards encode gives, into reused buffers and in place", () => {
    fc.assert(
      fc.property(scenario, ({ k, m, data }) => {
        const codec = codecOf(k, m, kernel)
        const size = codec.shardSizeBytes(data.length)
        const expected = codec.encode(data)
        const reused = Array.from({ length: k + m }, () => new Uint8Array(size).fill(0xab))
        codec.encodeInto(data, reused)
        expect(reused).toEqual(expected)
        const layout = new Uint8Array((k + m) * size).fill(0xcd)
        layout.set(data)
        const inPlace = Array.from({ length: k + m }, (_, i) => layout.subarray(i * size, (i + 1) * size))
        codec.encodeInto(layout.subarray(0, data.length), inPlace)
        expect(inPlace).toEqual(expected)
        expect(() => codec.encodeInto(data, reused.slice(1))).toThrow(RangeError)
      })
    )
  })

  it("fast-check: any k of the k+m shards decode to the original bytes", () => {
    fc.assert(
      fc.property(scenario, ({ k, m, data, kept }) => {
        const codec = codecOf(k, m, kernel)
        const shards = onlyKept(codec.encode(data), kept)
        expect(codec.decode(shards, data.length)).toEqual(Either.right(data))
        const reused = new Uint8Array(data.length + 3).fill(0x99)
        expect(codec.decodeInto(shards, data.length, reused)).toEqual(Either.right(reused))
        expect(reused.subarray(0, data.length)).toEqual(data)
        expect(Array.from(reused.subarray(data.length))).toEqual([0x99, 0x99, 0x99])
      }),
      { numRuns: 200 }
    )
  })

  it("fast-check: large objects, encoded and decoded a slice at a time, round-trip and match encodeInto in place", () => {
    const large = fc.record({
      k: fc.integer({ min: 1, max: 12 }),
      m: fc.integer({ min: 0, max: 4 }),
      sizeBytes: fc.integer({ min: 200_000, max: 1_200_000 }),
      seed: fc.nat()
    })
    fc.assert(
      fc.property(large, ({ k, m, sizeBytes, seed }) => {
        const codec = codecOf(k, m, kernel)
        const rng = Prng.fromSeed(seed, "large-object")
        const data = new Uint8Array(sizeBytes)
        for (let i = 0; i < sizeBytes; i++) data[i] = rng.nextUint32()
        const shards = codec.encode(data)
        const size = codec.shardSizeBytes(sizeBytes)
        const layout = new Uint8Array((k + m) * size).fill(0x77)
        layout.set(data)
        const inPlace = Array.from({ length: k + m }, (_, i) => layout.subarray(i * size, (i + 1) * size))
        codec.encodeInto(layout.subarray(0, sizeBytes), inPlace)
        // Compared as whole byte strings: element-wise deep equality is far too slow at this size.
        expect(inPlace.map(hex)).toEqual(shards.map(hex))
        const kept = indices(k + m).slice(m) // the worst case: the first m data shards lost
        expect(hex(Either.getOrThrow(codec.decode(onlyKept(shards, kept), sizeBytes)))).toBe(hex(data))
      }),
      { numRuns: kernel.name === "js" ? 3 : 8 }
    )
  })

  it("fast-check: reconstruct rebuilds exactly the missing shards, from shards that arrive as separate copies", () => {
    fc.assert(
      fc.property(scenario, ({ k, m, data, kept }) => {
        const codec = codecOf(k, m, kernel)
        const shards = codec.encode(data)
        const missing = indices(k + m).filter((i) => !kept.includes(i))
        const given = shards.map((s, i) => (kept.includes(i) ? Uint8Array.from(s) : undefined))
        const rebuilt = codec.reconstruct(given, missing)
        expect(rebuilt).toEqual(Either.right(missing.map((i) => shards[i])))
      })
    )
  })

  it("fast-check: shards listed as missing are not trusted even when given, so a corrupt shard can be replaced", () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ k, m, data }, pick) => {
        fc.pre(m > 0)
        const codec = codecOf(k, m, kernel)
        const shards = codec.encode(data)
        const bad = pick % (k + m)
        const corrupted = shards.map((s, i) => (i === bad ? s.map((b) => b ^ 0x5a) : s))
        expect(codec.reconstruct(corrupted, [bad])).toEqual(Either.right([shards[bad]]))
      })
    )
  })

  it("fast-check: fewer than k shards give NotEnoughShards naming the counts", () => {
    fc.assert(
      fc.property(scenario, ({ k, m, data, kept }) => {
        const codec = codecOf(k, m, kernel)
        const fewer = kept.slice(1)
        const shards = onlyKept(codec.encode(data), fewer)
        const expected = Either.left(new NotEnoughShards({ k, present: k - 1 }))
        expect(codec.decode(shards, data.length)).toEqual(expected)
        expect(codec.decodeInto(shards, data.length, new Uint8Array(data.length))).toEqual(expected)
        expect(codec.reconstruct(shards, indices(k + m).filter((i) => !fewer.includes(i)))).toEqual(expected)
        // A shard that is present but listed as missing does not count as a source.
        expect(codec.reconstruct(codec.encode(data), indices(m + 1))).toEqual(expected)
      })
    )
  })
})

describe("Reed-Solomon codec", () => {
  it("every kernel gives the same shards", () => {
    const kernels = availableKernels()
    fc.assert(
      fc.property(scenario, ({ k, m, data }) => {
        const [first, ...rest] = kernels.map((kernel) => codecOf(k, m, kernel).encode(data))
        for (const other of rest) expect(other).toEqual(first)
      })
    )
  })

  it("decoding from the data shards alone copies them: the result shares no memory with the shards", () => {
    const codec = codecOf(4, 2)
    const data = Uint8Array.from({ length: 1001 }, (_, i) => i * 7)
    const shards = codec.encode(data)
    const decoded = Either.getOrThrow(codec.decode(shards, data.length))
    shards[0]!.fill(0)
    expect(decoded).toEqual(data)
  })

  it("decode with every data shard present does no arithmetic; a repeated erasure pattern reuses its cached matrix", () => {
    const calls: Array<Uint8Array> = []
    const spy: GfKernel = { name: "spy", apply: (matrix, ...rest) => (calls.push(matrix), jsKernel.apply(matrix, ...rest)) }
    const codec = Either.getOrThrow(makeErasureCodec(4, 2, { kernel: spy }))
    const data = Uint8Array.from({ length: 999 }, (_, i) => i)
    const shards = codec.encode(data)
    calls.length = 0
    expect(codec.decode([...shards.slice(0, 4), undefined, undefined], data.length)).toEqual(Either.right(data))
    expect(calls).toHaveLength(0)
    const pattern = [undefined, shards[1], undefined, shards[3], shards[4], shards[5]]
    codec.decode(pattern, data.length)
    codec.decode(pattern.map((s) => s?.slice()), data.length)
    expect(calls).toHaveLength(2)
    expect(calls[1]).toBe(calls[0])
  })

  it("an empty object still has k+m one-byte shards and decodes to nothing", () => {
    const codec = codecOf(4, 2)
    const shards = codec.encode(new Uint8Array(0))
    expect(shards.map((s) => s.length)).toEqual([1, 1, 1, 1, 1, 1])
    expect(codec.decode([undefined, undefined, ...shards.slice(2)], 0)).toEqual(Either.right(new Uint8Array(0)))
  })

  it("replication is the 1+(r-1) code: every shard is a full copy", () => {
    const codec = codecOf(1, 2)
    const data = Uint8Array.from([1, 2, 3, 250])
    expect(codec.encode(data)).toEqual([data, data, data])
    expect(codec.decode([undefined, undefined, data], 4)).toEqual(Either.right(data))
  })

  it("the message of NotEnoughShards reads as a sentence with the counts", () => {
    expect(new NotEnoughShards({ k: 4, present: 3 }).message).toBe("3 shards are present but at least 4 are needed to decode")
  })

  it("invalid parameters give InvalidCodecParameters naming the reason", () => {
    const reasonOf = (k: number, m: number) => {
      const r = makeErasureCodec(k, m)
      if (Either.isRight(r)) throw new Error(`${k}+${m} was accepted`)
      expect(r.left).toBeInstanceOf(InvalidCodecParameters)
      expect(r.left).toMatchObject({ _tag: "InvalidCodecParameters", k, m })
      return r.left.reason
    }
    expect(reasonOf(0, 2)).toMatch(/at least one data shard/)
    expect(reasonOf(4, -1)).toMatch(/negative/)
    expect(reasonOf(200, 57)).toMatch(/at most 256 shards.*257/)
    expect(reasonOf(2.5, 1)).toMatch(/whole numbers/)
    expect(new InvalidCodecParameters({ k: 0, m: 2, reason: "r" }).message).toBe("Reed-Solomon 0+2 is not a valid code: r")
    expect(Either.isRight(makeErasureCodec(255, 1))).toBe(true)
    expect(Either.isRight(makeErasureCodec(128, 128))).toBe(true)
  })

  it("the widest code, 128+128, decodes from the parity shards alone", () => {
    const codec = codecOf(128, 128)
    const data = Uint8Array.from({ length: 128 * 33 - 5 }, (_, i) => (i * 31 + 7) & 255)
    const shards = codec.encode(data)
    expect(codec.decode([...Array<undefined>(128), ...shards.slice(128)], data.length)).toEqual(Either.right(data))
  })

  it("shards of different lengths and bad indices are programming errors", () => {
    const codec = codecOf(2, 1)
    const shards = codec.encode(new Uint8Array(10))
    expect(() => codec.decode([shards[0], shards[1]!.subarray(1), shards[2]], 10)).toThrow(RangeError)
    expect(() => codec.reconstruct(shards, [3])).toThrow(RangeError)
    expect(() => codec.decode(shards, 11)).toThrow(RangeError)
    expect(() => codec.decodeInto(shards, 10, new Uint8Array(9))).toThrow(RangeError)
  })
})
