// Which GF(256) kernels this host can run, fastest first: WebAssembly SIMD where the host has it
// (Node 16.4+, every current browser), the scalar JavaScript kernel everywhere.
import { type GfKernel, jsKernel } from "./kernelJs.ts"
import { makeSimdKernel } from "./kernelSimd.ts"

let kernels: ReadonlyArray<GfKernel> | undefined

export const availableKernels = (): ReadonlyArray<GfKernel> => {
  if (kernels === undefined) {
    const simd = makeSimdKernel()
    kernels = simd === undefined ? [jsKernel] : [simd, jsKernel]
  }
  return kernels
}

export const fastestKernel = (): GfKernel => availableKernels()[0]!
