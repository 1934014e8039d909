export { type ErasureCodec, type ErasureCodecOptions, makeErasureCodec } from "./codec.ts"
export { InvalidCodecParameters, NotEnoughShards } from "./errors.ts"
export { type GfKernel, jsKernel } from "./kernelJs.ts"
export { availableKernels, fastestKernel } from "./kernels.ts"
