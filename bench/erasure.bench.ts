// Reed-Solomon throughput on one thread: the codec's default kernel (WASM SIMD), its scalar
// JavaScript fallback, the native C addon @ronomon/reed-solomon for orientation, and a plain copy
// of the same bytes (the ceiling). MB = 1e6 bytes of object data per second, from the median
// time of a call (the machine is shared; the median shrugs off other processes' bursts).
// encodeMBps and decodeMBps write into preallocated buffers (`encodeInto`, `decodeInto`), the same
// terms as the addon, which works in place; `encode()` and `decode()` with fresh memory are
// encodeAllocatingMBps and decodeAllocatingMBps (they also pay the operating system's page faults
// for the new memory). Decode is the worst case: the first m data shards missing.
import { Either } from "effect"
import { createRequire } from "node:module"
import { Bench } from "tinybench"
import { type ErasureCodec, fastestKernel, jsKernel, makeErasureCodec } from "../core/storage/erasure/index.ts"
import { Prng } from "../core/random/prng.ts"

export const encodeTargetMBps = 1000

interface NativeReedSolomon {
  create(k: number, m: number): unknown
  encode(
    context: unknown,
    sources: number,
    targets: number,
    buffer: Uint8Array,
    bufferOffset: number,
    bufferSize: number,
    parity: Uint8Array,
    parityOffset: number,
    paritySize: number,
    done: (error?: Error) => void
  ): void
}
const native = createRequire(import.meta.url)("@ronomon/reed-solomon") as NativeReedSolomon

const codes = [
  [4, 2],
  [10, 4]
] as const
const MiB = 1 << 20

type ByCode = Record<string, number>
interface Figures {
  readonly encodeMBps: ByCode
  readonly decodeMBps: ByCode
  readonly encodeAllocatingMBps?: ByCode
  readonly decodeAllocatingMBps?: ByCode
}

const objectOf = (sizeBytes: number): Uint8Array => {
  const rng = Prng.fromSeed(7, "erasure-bench")
  const data = new Uint8Array(sizeBytes)
  for (let i = 0; i < sizeBytes; i += 4) {
    const x = rng.nextUint32()
    data[i] = x
    data[i + 1] = x >>> 8
    data[i + 2] = x >>> 16
    data[i + 3] = x >>> 24
  }
  return data
}

const codecTasks = (bench: Bench, label: string, codec: ErasureCodec, data: Uint8Array) => {
  const shards = codec.encode(data)
  // The worst case: the first m data shards are gone, so m rows must be computed from parity.
  const holes = shards.map((s, i) => (i < codec.m ? undefined : s))
  const decoded = Either.getOrThrow(codec.decode(holes, data.length))
  if (!decoded.every((b, i) => b === data[i])) throw new Error(`${label}: decode does not round-trip`)
  const reused = codec.encode(data).map((s) => new Uint8Array(s.length))
  bench.add(`${label} encode`, () => codec.encodeInto(data, reused))
  bench.add(`${label} encodeAllocating`, () => void codec.encode(data))
  const object = new Uint8Array(data.length)
  bench.add(`${label} decode`, () => void codec.decodeInto(holes, data.length, object))
  bench.add(`${label} decodeAllocating`, () => void codec.decode(holes, data.length))
}

const nativeTasks = (bench: Bench, label: string, k: number, m: number, data: Uint8Array) => {
  const context = native.create(k, m)
  const shardSize = Math.ceil(data.length / k / 8) * 8 // the addon wants multiples of 8 bytes
  const buffer = new Uint8Array(shardSize * k)
  buffer.set(data)
  const parity = new Uint8Array(shardSize * m)
  const run = (sources: number, targets: number) =>
    new Promise<void>((resolve, reject) =>
      native.encode(context, sources, targets, buffer, 0, buffer.length, parity, 0, parity.length, (e) => (e ? reject(e) : resolve()))
    )
  const all = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => 1 << (from + i)).reduce((a, b) => a | b, 0)
  bench.add(`${label} encode`, () => run(all(0, k), all(k, k + m)))
  // Rebuild the first m data shards in place from the others.
  bench.add(`${label} decode`, () => run(all(m, k + m), all(0, m)))
}

export const benchErasure = async (smoke: boolean) => {
  const sizes = smoke ? [MiB] : [MiB, 16 * MiB]
  const bench = new Bench({ time: smoke ? 100 : 500, iterations: 4, warmupTime: smoke ? 20 : 100, warmupIterations: 2 })
  const kernel = fastestKernel().name
  for (const size of sizes) {
    const data = objectOf(size)
    const sizeLabel = `${size / MiB}MiB`
    for (const [k, m] of codes) {
      codecTasks(bench, `${sizeLabel} ${k}+${m} default`, Either.getOrThrow(makeErasureCodec(k, m)), data)
      codecTasks(bench, `${sizeLabel} ${k}+${m} js`, Either.getOrThrow(makeErasureCodec(k, m, { kernel: jsKernel })), data)
      nativeTasks(bench, `${sizeLabel} ${k}+${m} native`, k, m, data)
    }
    const copy = new Uint8Array(size)
    bench.add(`${sizeLabel} copy`, () => copy.set(data))
  }
  await bench.run()
  const mbps = (name: string, size: number) => {
    const task = bench.getTask(name)
    const r = task?.result
    if (r === undefined || r.state !== "completed") throw new Error(`${name}: ${r?.state ?? "missing"}`)
    return Math.round(size / 1e6 / (r.latency.p50! / 1000))
  }
  const figuresAt = (size: number, impl: string): Figures => {
    const sizeLabel = `${size / MiB}MiB`
    const of = (what: string) => Object.fromEntries(codes.map(([k, m]) => [`${k}+${m}`, mbps(`${sizeLabel} ${k}+${m} ${impl} ${what}`, size)]))
    return impl === "native"
      ? { encodeMBps: of("encode"), decodeMBps: of("decode") }
      : { encodeMBps: of("encode"), decodeMBps: of("decode"), encodeAllocatingMBps: of("encodeAllocating"), decodeAllocatingMBps: of("decodeAllocating") }
  }
  // The headline is the worse of the object sizes, so a cache-friendly size cannot flatter it.
  const worst = (impl: string): Figures => {
    const per = sizes.map((s) => figuresAt(s, impl))
    const min = (key: keyof Figures) => Object.fromEntries(codes.map(([k, m]) => [`${k}+${m}`, Math.min(...per.map((f) => f[key]?.[`${k}+${m}`] ?? NaN))]))
    return per[0]!.encodeAllocatingMBps === undefined
      ? { encodeMBps: min("encodeMBps"), decodeMBps: min("decodeMBps") }
      : {
          encodeMBps: min("encodeMBps"),
          decodeMBps: min("decodeMBps"),
          encodeAllocatingMBps: min("encodeAllocatingMBps"),
          decodeAllocatingMBps: min("decodeAllocatingMBps")
        }
  }
  const headline = worst("default")
  return {
    ...headline,
    kernel,
    objectSizesBytes: sizes,
    measures:
      "MB/s = 1e6 object bytes / median call time, worst of the object sizes; encode/decode = encodeInto/decodeInto preallocated buffers, *Allocating = encode()/decode(); decode with the first m data shards missing",
    js: worst("js"),
    native: { package: "@ronomon/reed-solomon", ...worst("native") },
    copyMBps: Math.min(...sizes.map((s) => mbps(`${s / MiB}MiB copy`, s))),
    bySize: Object.fromEntries(
      sizes.map((s) => [
        `${s / MiB}MiB`,
        { default: figuresAt(s, "default"), js: figuresAt(s, "js"), native: figuresAt(s, "native"), copyMBps: mbps(`${s / MiB}MiB copy`, s) }
      ])
    ),
    encodeTargetMBps,
    withinTarget: headline.encodeMBps["4+2"]! >= encodeTargetMBps
  }
}
