// Which GF(256) kernels this host can run, fastest first.
import { type GfKernel, jsKernel } from "./kernelJs.ts"

export const availableKernels = (): ReadonlyArray<GfKernel> => [jsKernel]

export const fastestKernel = (): GfKernel => availableKernels()[0]!
