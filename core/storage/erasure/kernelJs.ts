// The scalar kernel: outputs = matrix x inputs over GF(256), byte by byte through the product
// table. The reference the SIMD kernel is tested against, and the fallback where WebAssembly
// SIMD is missing.
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

export const jsKernel: GfKernel = {
  name: "js",
  apply(matrix, rows, cols, inputs, outputs, length) {
    for (let r = 0; r < rows; r++) {
      const out = outputs[r]!
      for (let j = 0; j < cols; j++) {
        const c = matrix[r * cols + j]!
        const input = inputs[j]!
        if (c === 0) {
          if (j === 0) out.fill(0, 0, length)
        } else if (c === 1) {
          if (j === 0) out.set(input.subarray(0, length))
          else for (let i = 0; i < length; i++) out[i] ^= input[i]!
        } else {
          const t = gfMulTable.subarray(c * 256, c * 256 + 256)
          if (j === 0) for (let i = 0; i < length; i++) out[i] = t[input[i]!]!
          else for (let i = 0; i < length; i++) out[i] ^= t[input[i]!]!
        }
      }
    }
  }
}
