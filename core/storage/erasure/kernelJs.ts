// The scalar kernel: outputs = matrix x inputs over GF(256) through the product table. The
// reference the SIMD kernel is tested against, and the fallback where WebAssembly SIMD is
// missing. It reads and writes 32-bit words where the regions are aligned (about twice as fast
// as bytes: one load and one store per four products), bytes elsewhere.
import { gfMulTable } from "./gf256.ts"

/**
 * Multiplies a rows x cols coefficient matrix by `cols` input regions: for every r < rows and
 * i < length, outputs[r][i] = xor over j of matrix[r * cols + j] * inputs[j][i].
 */
export interface GfKernel {
  readonly name: string
  apply(
    matrix: Uint8Array,
    rows: number,
    cols: number,
    inputs: ReadonlyArray<Uint8Array>,
    outputs: ReadonlyArray<Uint8Array>,
    length: number
  ): void
}

/** out[from..to) (xor)= c * input[from..to), byte by byte. */
const mulBytes = (t: Uint8Array, input: Uint8Array, out: Uint8Array, from: number, to: number, accumulate: boolean) => {
  if (accumulate) for (let i = from; i < to; i++) out[i] ^= t[input[i]!]!
  else for (let i = from; i < to; i++) out[i] = t[input[i]!]!
}

/** The same on 32-bit words: each byte lane is looked up on its own, so byte order does not matter. */
const mulWords = (t: Uint8Array, input: Uint32Array, out: Uint32Array, words: number, accumulate: boolean) => {
  if (accumulate)
    for (let i = 0; i < words; i++) {
      const x = input[i]!
      out[i] ^= t[x & 255]! | (t[(x >>> 8) & 255]! << 8) | (t[(x >>> 16) & 255]! << 16) | (t[x >>> 24]! << 24)
    }
  else
    for (let i = 0; i < words; i++) {
      const x = input[i]!
      out[i] = t[x & 255]! | (t[(x >>> 8) & 255]! << 8) | (t[(x >>> 16) & 255]! << 16) | (t[x >>> 24]! << 24)
    }
}

const aligned = (a: Uint8Array) => (a.byteOffset & 3) === 0

export const jsKernel: GfKernel = {
  name: "js",
  apply(matrix, rows, cols, inputs, outputs, length) {
    const words = length >>> 2
    for (let r = 0; r < rows; r++) {
      const out = outputs[r]!
      const out32 = aligned(out) ? new Uint32Array(out.buffer, out.byteOffset, words) : undefined
      for (let j = 0; j < cols; j++) {
        const c = matrix[r * cols + j]!
        const input = inputs[j]!
        const t = gfMulTable.subarray(c * 256, c * 256 + 256)
        if (out32 !== undefined && aligned(input)) {
          mulWords(t, new Uint32Array(input.buffer, input.byteOffset, words), out32, words, j > 0)
          mulBytes(t, input, out, words * 4, length, j > 0)
        } else mulBytes(t, input, out, 0, length, j > 0)
      }
    }
  }
}
