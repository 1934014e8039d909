import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { type GfKernel, jsKernel } from "./kernelJs.ts"
import { availableKernels } from "./kernels.ts"
import { makeSimdKernel, nibbleTables, simdModuleBytes, stepBytes, type WasmApi } from "./kernelSimd.ts"
import { gfMul } from "./gf256.ts"
import { sleb, uleb } from "./wasmEmitter.ts"
import { Prng } from "../../random/prng.ts"

const simd = makeSimdKernel()

/** Bytes from a seeded stream: fast-check picks the seed, so large inputs stay cheap to generate. */
const bytesFrom = (rng: Prng, length: number) => {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = rng.nextUint32() & 255
  return out
}

/** A coefficient matrix and inputs; lengths around the step size and across staging chunks. */
const job = fc
  .record({
    rows: fc.integer({ min: 1, max: 6 }),
    cols: fc.integer({ min: 1, max: 16 }),
    length: fc.oneof(fc.integer({ min: 1, max: 3 * stepBytes }), fc.integer({ min: 1, max: 50_000 })),
    seed: fc.nat(),
    // Rows of all ones take the SIMD kernel's xor-only path: set some of them so.
    onesRowsMask: fc.oneof(fc.constant(0), fc.nat({ max: 63 }))
  })
  .map(({ rows, cols, length, seed, onesRowsMask }): Job => {
    const rng = Prng.fromSeed(seed, "kernel-test")
    const matrix = bytesFrom(rng, rows * cols)
    for (let r = 0; r < rows; r++) if (onesRowsMask & (1 << r)) matrix.fill(1, r * cols, (r + 1) * cols)
    return { rows, cols, length, matrix, inputs: Array.from({ length: cols }, () => bytesFrom(rng, length)) }
  })

interface Job {
  readonly rows: number
  readonly cols: number
  readonly length: number
  readonly matrix: Uint8Array
  readonly inputs: ReadonlyArray<Uint8Array>
}

const run = (kernel: GfKernel, { rows, cols, length, matrix, inputs }: Job) => {
  const outputs = Array.from({ length: rows }, () => new Uint8Array(length).fill(0xee))
  kernel.apply(matrix, rows, cols, inputs, outputs, length)
  return outputs
}

describe("GF(256) kernels", () => {
  it("Node has WebAssembly SIMD, so the SIMD kernel is the default here and the tests below exercise it", () => {
    expect(simd).toBeDefined()
    expect(availableKernels().map((k) => k.name)).toEqual(["wasm-simd", "js"])
  })

  it("fast-check: the scalar kernel computes the matrix product by definition, aligned or not", () => {
    const small = fc.record({ j: job.filter((j) => j.length <= 300), shift: fc.integer({ min: 0, max: 3 }) })
    fc.assert(
      fc.property(small, ({ j, shift }) => {
        // Regions that start `shift` bytes into their buffers, so word access is off for shift > 0.
        const at = (bytes: Uint8Array) => {
          const b = new Uint8Array(bytes.length + shift)
          b.set(bytes, shift)
          return b.subarray(shift)
        }
        const out = run(jsKernel, { ...j, inputs: j.inputs.map(at) })
        for (let r = 0; r < j.rows; r++)
          for (let i = 0; i < j.length; i++) {
            let expected = 0
            for (let c = 0; c < j.cols; c++) expected ^= gfMul(j.matrix[r * j.cols + c]!, j.inputs[c]![i]!)
            expect(out[r]![i]).toBe(expected)
          }
      }),
      { numRuns: 40 }
    )
  })

  it("fast-check: the SIMD kernel gives the same bytes as the scalar kernel, and writes only `length` bytes", () => {
    fc.assert(
      fc.property(job, (j) => {
        const outputs = Array.from({ length: j.rows }, () => new Uint8Array(j.length + 5).fill(0xee))
        simd!.apply(j.matrix, j.rows, j.cols, j.inputs, outputs, j.length)
        expect(outputs.map((o) => o.subarray(0, j.length))).toEqual(run(jsKernel, j))
        for (const o of outputs) expect(Array.from(o.subarray(j.length))).toEqual([0xee, 0xee, 0xee, 0xee, 0xee])
      }),
      { numRuns: 40 }
    )
  })

  it("the SIMD kernel notices a new matrix, even in the same buffer, and a new shape of the same bytes", () => {
    const inputs = [Uint8Array.from({ length: 100 }, (_, i) => i), Uint8Array.from({ length: 100 }, (_, i) => 3 * i)]
    const expected = (matrix: Uint8Array, rows: number, cols: number) => run(jsKernel, { rows, cols, length: 100, matrix, inputs })
    const matrix = Uint8Array.of(2, 5)
    const outputs = () => [new Uint8Array(100), new Uint8Array(100)]
    const a = outputs()
    simd!.apply(matrix, 1, 2, inputs, a, 100)
    expect(a.slice(0, 1)).toEqual(expected(matrix, 1, 2))
    matrix[1] = 9
    const b = outputs()
    simd!.apply(matrix, 1, 2, inputs, b, 100)
    expect(b.slice(0, 1)).toEqual(expected(matrix, 1, 2))
    const c = outputs()
    simd!.apply(matrix, 2, 1, inputs, c, 100)
    expect(c).toEqual(expected(matrix, 2, 1))
  })

  it("nibble tables: low[x] = c*x and high[x] = c*(x<<4), whose xor is c times the byte", () => {
    const t = nibbleTables(Uint8Array.of(0x53), 1, 1)
    for (let v = 0; v < 256; v++) expect(t[v & 15]! ^ t[16 + (v >> 4)]!).toBe(gfMul(0x53, v))
  })

  it("nibble tables come in the module's order: per pair of rows, per column, both rows; then the odd row", () => {
    // 3 x 2 matrix: coefficients named by position.
    const m = Uint8Array.of(1, 2, 3, 4, 5, 6)
    const order = Array.from({ length: 6 }, (_, e) => nibbleTables(m, 3, 2)[e * 32 + 1])
    expect(order).toEqual([1, 3, 2, 4, 5, 6])
  })

  it("a host without WebAssembly, or without its SIMD, gets no SIMD kernel (and the codec falls back to js)", () => {
    const host = (globalThis as { WebAssembly?: WasmApi }).WebAssembly!
    expect(makeSimdKernel({})).toBeUndefined()
    expect(makeSimdKernel({ WebAssembly: { validate: () => false, Memory: host.Memory, Module: host.Module, Instance: host.Instance } })).toBeUndefined()
    expect(makeSimdKernel({ WebAssembly: host })?.name).toBe("wasm-simd")
  })

  it("the module is small enough for synchronous compilation on a browser's main thread (Chrome allows 4 KiB)", () => {
    expect(simdModuleBytes().length).toBeLessThan(4096)
  })

  it("the generated module starts with the WebAssembly header and is the same bytes every time", () => {
    expect(Array.from(simdModuleBytes().subarray(0, 8))).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])
    expect(simdModuleBytes()).toEqual(simdModuleBytes())
  })

  it("LEB128 encodes as the WebAssembly spec's examples", () => {
    expect(uleb(0)).toEqual([0])
    expect(uleb(127)).toEqual([0x7f])
    expect(uleb(128)).toEqual([0x80, 0x01])
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26])
    expect(uleb(0x100)).toEqual([0x80, 0x02])
    expect(sleb(-1)).toEqual([0x7f])
    expect(sleb(63)).toEqual([0x3f])
    expect(sleb(64)).toEqual([0xc0, 0x00])
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78])
  })
})
