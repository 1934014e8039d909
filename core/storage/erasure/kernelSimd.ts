// The WebAssembly SIMD kernel: the split-nibble technique of ISA-L and klauspost. For a
// coefficient c, low[x] = c*x and high[x] = c*(x<<4) for x < 16 are two 16-byte tables, and
// c*v = swizzle(low, v & 15) xor swizzle(high, v >> 4) for 16 bytes v at once.
import { gfMulTable } from "./gf256.ts"
import type { GfKernel } from "./kernelJs.ts"
import { i32, op, v128, type ValueType, type WasmFunction, wasmModule } from "./wasmEmitter.ts"

/** Bytes of one output row computed per inner step: 16 per vector. */
export const stepBytes = 64
const vectorsPerStep = stepBytes / 16

/**
 * mul(tables, inputs, outputs, rows, cols, length, stride): for r < rows, p < length (a multiple
 * of stepBytes, > 0), outputs[r*stride + p] = xor over j < cols of c(r,j) * inputs[j*stride + p],
 * where tables holds low then high for each (r, j), row-major, 32 bytes each.
 */
export const mulFunction = (): WasmFunction => {
  const [tables, inputs, outputs, rows, cols, length, stride] = [0, 1, 2, 3, 4, 5, 6]
  const [pos, r, j, tp, ip, op_] = [7, 8, 9, 10, 11, 12]
  const [mask, lo, hi, v] = [13, 14, 15, 16]
  const acc = Array.from({ length: vectorsPerStep }, (_, i) => 17 + i)
  const swizzle = op.i8x16Swizzle
  const body: Array<number> = []
  const emit = (...parts: ReadonlyArray<ReadonlyArray<number>>) => parts.forEach((p) => body.push(...p))
  emit(op.v128Const(Array(16).fill(0x0f)), op.localSet(mask))
  emit(op.i32Const(0), op.localSet(pos))
  emit(op.loop) // over positions, stepBytes at a time
  {
    emit(op.localGet(tables), op.localSet(tp))
    emit(op.localGet(outputs), op.localGet(pos), op.i32Add, op.localSet(op_))
    emit(op.i32Const(0), op.localSet(r))
    emit(op.loop) // over output rows
    {
      for (const a of acc) emit(op.v128Const(Array(16).fill(0)), op.localSet(a))
      emit(op.localGet(inputs), op.localGet(pos), op.i32Add, op.localSet(ip))
      emit(op.localGet(cols), op.localSet(j))
      emit(op.loop) // over inputs
      {
        emit(op.localGet(tp), op.v128Load(0), op.localSet(lo))
        emit(op.localGet(tp), op.v128Load(16), op.localSet(hi))
        acc.forEach((a, i) => {
          emit(op.localGet(a))
          emit(op.localGet(lo), op.localGet(ip), op.v128Load(16 * i), op.localTee(v), op.localGet(mask), op.v128And, swizzle, op.v128Xor)
          emit(op.localGet(hi), op.localGet(v), op.i32Const(4), op.i16x8ShrU, op.localGet(mask), op.v128And, swizzle, op.v128Xor)
          emit(op.localSet(a))
        })
        emit(op.localGet(tp), op.i32Const(32), op.i32Add, op.localSet(tp))
        emit(op.localGet(ip), op.localGet(stride), op.i32Add, op.localSet(ip))
        emit(op.localGet(j), op.i32Const(1), op.i32Sub, op.localTee(j), op.brIf(0))
      }
      emit(op.end)
      acc.forEach((a, i) => emit(op.localGet(op_), op.localGet(a), op.v128Store(16 * i)))
      emit(op.localGet(op_), op.localGet(stride), op.i32Add, op.localSet(op_))
      emit(op.localGet(r), op.i32Const(1), op.i32Add, op.localTee(r), op.localGet(rows), op.i32LtU, op.brIf(0))
    }
    emit(op.end)
    emit(op.localGet(pos), op.i32Const(stepBytes), op.i32Add, op.localTee(pos), op.localGet(length), op.i32LtU, op.brIf(0))
  }
  emit(op.end)
  return {
    exportName: "mul",
    params: [i32, i32, i32, i32, i32, i32, i32],
    locals: [i32, i32, i32, i32, i32, i32, v128, v128, v128, v128, ...acc.map((): ValueType => v128)],
    body
  }
}

export const simdModuleBytes = (): Uint8Array => wasmModule([mulFunction()])

/** The low and high nibble tables of each coefficient of a matrix, 32 bytes per coefficient. */
export const nibbleTables = (matrix: Uint8Array): Uint8Array => {
  const t = new Uint8Array(matrix.length * 32)
  for (let e = 0; e < matrix.length; e++) {
    const row = matrix[e]! * 256
    for (let x = 0; x < 16; x++) {
      t[e * 32 + x] = gfMulTable[row + x]!
      t[e * 32 + 16 + x] = gfMulTable[row + (x << 4)]!
    }
  }
  return t
}

// The parts of the WebAssembly API used here: the project compiles without the DOM library, and a
// host without WebAssembly simply gets the scalar kernel.
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> }
  Memory: new (descriptor: { initial: number }) => WasmMemory
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly

type Mul = (tables: number, inputs: number, outputs: number, rows: number, cols: number, length: number, stride: number) => void

/** Input and output bytes staged in WASM memory per call; small enough to stay in the L2 cache. */
const stagingBytes = 512 * 1024
const pageBytes = 65536

class SimdKernel implements GfKernel {
  private tablesFor: Uint8Array | undefined
  private tablesBytes = 0

  constructor(
    readonly name: string,
    private readonly memory: WasmMemory,
    private readonly mul: Mul
  ) {}

  apply(matrix: Uint8Array, rows: number, cols: number, inputs: ReadonlyArray<Uint8Array>, outputs: ReadonlyArray<Uint8Array>, length: number): void {
    if (length === 0 || rows === 0) return
    if (this.tablesFor !== matrix) {
      const tables = nibbleTables(matrix.subarray(0, rows * cols))
      this.tablesBytes = Math.ceil(tables.length / 64) * 64
      this.ensure(this.tablesBytes + stagingBytes)
      new Uint8Array(this.memory.buffer).set(tables)
      this.tablesFor = matrix
    }
    // Chunk: a multiple of the step, as large as the staging area allows for all rows and columns.
    const roundedLength = Math.ceil(length / stepBytes) * stepBytes
    const chunk = Math.min(roundedLength, Math.max(stepBytes, Math.floor(stagingBytes / (rows + cols) / stepBytes) * stepBytes))
    const inputsAt = this.tablesBytes
    const outputsAt = inputsAt + cols * chunk
    this.ensure(outputsAt + rows * chunk)
    const heap = new Uint8Array(this.memory.buffer)
    for (let start = 0; start < length; start += chunk) {
      const n = Math.min(chunk, length - start)
      for (let j = 0; j < cols; j++) heap.set(inputs[j]!.subarray(start, start + n), inputsAt + j * chunk)
      // Bytes past n in the last chunk are stale, but each output byte depends only on the input
      // bytes at the same position, so they only affect output bytes that are not copied out.
      this.mul(0, inputsAt, outputsAt, rows, cols, Math.ceil(n / stepBytes) * stepBytes, chunk)
      for (let r = 0; r < rows; r++) outputs[r]!.set(heap.subarray(outputsAt + r * chunk, outputsAt + r * chunk + n), start)
    }
  }

  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength
    if (bytes > have) {
      this.memory.grow(Math.ceil((bytes - have) / pageBytes))
      this.tablesFor = undefined
    }
  }
}

const instantiate = (name: string, bytes: Uint8Array): GfKernel | undefined => {
  if (wasmApi === undefined || !wasmApi.validate(bytes)) return undefined
  const memory = new wasmApi.Memory({ initial: 1 })
  const instance = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } })
  return new SimdKernel(name, memory, instance.exports["mul"] as Mul)
}

/**
 * The SIMD kernel, or undefined without WebAssembly SIMD. (Relaxed SIMD's swizzle, a bare pshufb
 * on x86, measured no faster here: the kernel is bound by loads and xors, not the swizzle.)
 */
export const makeSimdKernel = (): GfKernel | undefined => instantiate("wasm-simd", simdModuleBytes())
