// The WebAssembly SIMD kernel: the split-nibble technique of ISA-L and klauspost. For a
// coefficient c, low[x] = c*x and high[x] = c*(x<<4) for x < 16 are two 16-byte tables, and
// c*v = swizzle(low, v & 15) xor swizzle(high, v >> 4) for 16 bytes v at once.
import { gfMulTable } from "./gf256.ts"
import { selectRows } from "./matrix.ts"
import type { GfKernel } from "./kernelJs.ts"
import { i32, op, v128, type ValueType, type WasmFunction, wasmModule } from "./wasmEmitter.ts"

/**
 * mul(tables, inputs, outputs, rows, cols, length, stride) computes `rowsPerPass` output rows at
 * once, `vectors` x 16 bytes per step: for r < rows (a multiple of rowsPerPass), p < length (a
 * multiple of 16 * vectors, > 0), outputs[r*stride + p] = xor over j < cols of c(r,j) *
 * inputs[j*stride + p]. tables holds, per group of rowsPerPass rows, per input j, per row of the
 * group, the low then the high nibble table (32 bytes). Doing several rows per pass splits each
 * input vector into nibbles once for all of them.
 */
export const mulFunction = (exportName: string, rowsPerPass: number, vectors: number): WasmFunction => {
  const [tables, inputs, outputs, rows, cols, length, stride] = [0, 1, 2, 3, 4, 5, 6]
  const [pos, r, j, tp, ip, out] = [7, 8, 9, 10, 11, 12]
  const [mask, tlo, thi] = [13, 14, 15]
  const lows = Array.from({ length: vectors }, (_, v) => 16 + v)
  const highs = Array.from({ length: vectors }, (_, v) => 16 + vectors + v)
  const acc = Array.from({ length: rowsPerPass }, (_, rr) => Array.from({ length: vectors }, (_, v) => 16 + 2 * vectors + rr * vectors + v))
  const body: Array<number> = []
  const emit = (...parts: ReadonlyArray<ReadonlyArray<number>>) => parts.forEach((p) => body.push(...p))
  emit(op.v128Const(Array(16).fill(0x0f)), op.localSet(mask))
  emit(op.i32Const(0), op.localSet(pos))
  emit(op.loop) // over positions, one step at a time
  {
    emit(op.localGet(tables), op.localSet(tp))
    emit(op.localGet(outputs), op.localGet(pos), op.i32Add, op.localSet(out))
    emit(op.i32Const(0), op.localSet(r))
    emit(op.loop) // over groups of output rows
    {
      for (const a of acc.flat()) emit(op.v128Const(Array(16).fill(0)), op.localSet(a))
      emit(op.localGet(inputs), op.localGet(pos), op.i32Add, op.localSet(ip))
      emit(op.localGet(cols), op.localSet(j))
      emit(op.loop) // over inputs
      {
        for (let v = 0; v < vectors; v++) {
          emit(op.localGet(ip), op.v128Load(16 * v), op.localTee(highs[v]!), op.localGet(mask), op.v128And, op.localSet(lows[v]!))
          emit(op.localGet(highs[v]!), op.i32Const(4), op.i16x8ShrU, op.localGet(mask), op.v128And, op.localSet(highs[v]!))
        }
        for (let rr = 0; rr < rowsPerPass; rr++) {
          emit(op.localGet(tp), op.v128Load(32 * rr), op.localSet(tlo))
          emit(op.localGet(tp), op.v128Load(32 * rr + 16), op.localSet(thi))
          for (let v = 0; v < vectors; v++) {
            const a = acc[rr]![v]!
            emit(op.localGet(a), op.localGet(tlo), op.localGet(lows[v]!), op.i8x16Swizzle, op.v128Xor)
            emit(op.localGet(thi), op.localGet(highs[v]!), op.i8x16Swizzle, op.v128Xor, op.localSet(a))
          }
        }
        emit(op.localGet(tp), op.i32Const(32 * rowsPerPass), op.i32Add, op.localSet(tp))
        emit(op.localGet(ip), op.localGet(stride), op.i32Add, op.localSet(ip))
        emit(op.localGet(j), op.i32Const(1), op.i32Sub, op.localTee(j), op.brIf(0))
      }
      emit(op.end)
      for (let rr = 0; rr < rowsPerPass; rr++) {
        for (let v = 0; v < vectors; v++) emit(op.localGet(out), op.localGet(acc[rr]![v]!), op.v128Store(16 * v))
        emit(op.localGet(out), op.localGet(stride), op.i32Add, op.localSet(out))
      }
      emit(op.localGet(r), op.i32Const(rowsPerPass), op.i32Add, op.localTee(r), op.localGet(rows), op.i32LtU, op.brIf(0))
    }
    emit(op.end)
    emit(op.localGet(pos), op.i32Const(16 * vectors), op.i32Add, op.localTee(pos), op.localGet(length), op.i32LtU, op.brIf(0))
  }
  emit(op.end)
  return {
    exportName,
    params: [i32, i32, i32, i32, i32, i32, i32],
    locals: [i32, i32, i32, i32, i32, i32, v128, v128, v128, ...[...lows, ...highs, ...acc.flat()].map((): ValueType => v128)],
    body
  }
}

/**
 * xor(_, inputs, output, _, cols, length, stride): one output row whose coefficients are all 1,
 * output[p] = xor over j < cols of inputs[j*stride + p], `vectors` x 16 bytes per step. The first
 * parity row of the code is such a row; it needs no table lookups at all.
 */
export const xorFunction = (exportName: string, vectors: number): WasmFunction => {
  const [inputs, output, cols, length, stride] = [1, 2, 4, 5, 6]
  const [pos, j, ip] = [7, 8, 9]
  const acc = Array.from({ length: vectors }, (_, v) => 10 + v)
  const body: Array<number> = []
  const emit = (...parts: ReadonlyArray<ReadonlyArray<number>>) => parts.forEach((p) => body.push(...p))
  emit(op.i32Const(0), op.localSet(pos))
  emit(op.loop) // over positions
  {
    acc.forEach((a) => emit(op.v128Const(Array(16).fill(0)), op.localSet(a)))
    emit(op.localGet(inputs), op.localGet(pos), op.i32Add, op.localSet(ip))
    emit(op.localGet(cols), op.localSet(j))
    emit(op.loop) // over inputs
    {
      acc.forEach((a, v) => emit(op.localGet(a), op.localGet(ip), op.v128Load(16 * v), op.v128Xor, op.localSet(a)))
      emit(op.localGet(ip), op.localGet(stride), op.i32Add, op.localSet(ip))
      emit(op.localGet(j), op.i32Const(1), op.i32Sub, op.localTee(j), op.brIf(0))
    }
    emit(op.end)
    acc.forEach((a, v) => emit(op.localGet(output), op.localGet(pos), op.i32Add, op.localGet(a), op.v128Store(16 * v)))
    emit(op.localGet(pos), op.i32Const(16 * vectors), op.i32Add, op.localTee(pos), op.localGet(length), op.i32LtU, op.brIf(0))
  }
  emit(op.end)
  return {
    exportName,
    params: [i32, i32, i32, i32, i32, i32, i32],
    locals: [i32, i32, i32, ...acc.map((): ValueType => v128)],
    body
  }
}

/**
 * Pairs of rows, 32 bytes per step, measured fastest here (best of 7 on this 2-core EPYC, GB/s of
 * input, 4+2 / 10+4): 1 row x 64 B 9.0 / 5.0, 2 rows x 32 B 10.1 / 5.6, 2 x 64 B 9.2 / 5.1,
 * 4 x 32 B - / 5.4. More live vectors than that spill registers. An odd last row goes to mul1.
 */
const pairRows = 2
export const simdFunctions: ReadonlyArray<readonly [name: string, rowsPerPass: number, vectors: number]> = [
  ["mul2", pairRows, 2],
  ["mul1", 1, 4]
]

export const simdModuleBytes = (variants = simdFunctions): Uint8Array =>
  wasmModule([...variants.map(([name, r, v]) => mulFunction(name, r, v)), xorFunction("xor", 4)])

/** Lengths handed to the module are rounded up to this, a multiple of every variant's step. */
export const stepBytes = 64

/**
 * The low and high nibble tables of each coefficient of a rows x cols matrix, 32 bytes each, in
 * the order the module reads them: per pair of rows, per column, both rows; then the odd last row.
 */
export const nibbleTables = (matrix: Uint8Array, rows: number, cols: number): Uint8Array => {
  const t = new Uint8Array(rows * cols * 32)
  let at = 0
  const put = (c: number) => {
    for (let x = 0; x < 16; x++) {
      t[at + x] = gfMulTable[c * 256 + x]!
      t[at + 16 + x] = gfMulTable[c * 256 + (x << 4)]!
    }
    at += 32
  }
  const paired = rows - (rows % pairRows)
  for (let r = 0; r < paired; r += pairRows) for (let j = 0; j < cols; j++) for (let rr = 0; rr < pairRows; rr++) put(matrix[(r + rr) * cols + j]!)
  for (let r = paired; r < rows; r++) for (let j = 0; j < cols; j++) put(matrix[r * cols + j]!)
  return t
}

// The parts of the WebAssembly API used here: the project compiles without the DOM library, and a
// host without WebAssembly simply gets the scalar kernel.
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> }
  Memory: new (descriptor: { initial: number }) => WasmMemory
}

type Mul = (tables: number, inputs: number, outputs: number, rows: number, cols: number, length: number, stride: number) => void

/** Input and output bytes staged in WASM memory per call; small enough to stay in the L2 cache. */
const stagingBytes = 512 * 1024
const pageBytes = 65536

class SimdKernel implements GfKernel {
  /** The coefficients whose tables sit at the start of memory, compared by value (callers may reuse a buffer). */
  private tablesFor = new Uint8Array(0)
  private tablesRows = 0
  private tablesBytes = 0
  /** The rows of that matrix in the order they are staged: rows with tables first, then all-ones rows. */
  private tableRows: Array<number> = []
  private onesRows: Array<number> = []

  constructor(
    readonly name: string,
    private readonly memory: WasmMemory,
    private readonly mul2: Mul,
    private readonly mul1: Mul,
    private readonly xor: Mul
  ) {}

  apply(matrix: Uint8Array, rows: number, cols: number, inputs: ReadonlyArray<Uint8Array>, outputs: ReadonlyArray<Uint8Array>, length: number): void {
    if (length === 0 || rows === 0) return
    if (!this.hasTablesFor(matrix, rows, cols)) {
      this.tableRows = []
      this.onesRows = []
      for (let r = 0; r < rows; r++) (matrix.subarray(r * cols, (r + 1) * cols).every((c) => c === 1) ? this.onesRows : this.tableRows).push(r)
      const tables = nibbleTables(selectRows(matrix, cols, this.tableRows), this.tableRows.length, cols)
      this.tablesBytes = Math.ceil(tables.length / 64) * 64
      this.ensure(this.tablesBytes + stagingBytes)
      new Uint8Array(this.memory.buffer).set(tables)
      this.tablesFor = matrix.slice(0, rows * cols)
      this.tablesRows = rows
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
      const steps = Math.ceil(n / stepBytes) * stepBytes
      const { tableRows, onesRows } = this
      const paired = tableRows.length - (tableRows.length % pairRows)
      if (paired > 0) this.mul2(0, inputsAt, outputsAt, paired, cols, steps, chunk)
      if (paired < tableRows.length) this.mul1(paired * cols * 32, inputsAt, outputsAt + paired * chunk, tableRows.length - paired, cols, steps, chunk)
      for (let o = 0; o < onesRows.length; o++) this.xor(0, inputsAt, outputsAt + (tableRows.length + o) * chunk, 1, cols, steps, chunk)
      const copyOut = (r: number, slot: number) => outputs[r]!.set(heap.subarray(outputsAt + slot * chunk, outputsAt + slot * chunk + n), start)
      tableRows.forEach((r, slot) => copyOut(r, slot))
      onesRows.forEach((r, o) => copyOut(r, tableRows.length + o))
    }
  }

  private hasTablesFor(matrix: Uint8Array, rows: number, cols: number): boolean {
    if (rows !== this.tablesRows || rows * cols !== this.tablesFor.length) return false
    for (let e = 0; e < this.tablesFor.length; e++) if (matrix[e] !== this.tablesFor[e]) return false
    return true
  }

  /** Growing keeps the contents, so the tables stay valid. */
  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / pageBytes))
  }
}

const instantiate = (wasm: WasmApi | undefined, name: string, bytes: Uint8Array): GfKernel | undefined => {
  if (wasm === undefined || !wasm.validate(bytes)) return undefined
  const memory = new wasm.Memory({ initial: 1 })
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } })
  const fn = (name: string) => instance.exports[name] as Mul
  return new SimdKernel(name, memory, fn("mul2"), fn("mul1"), fn("xor"))
}

/**
 * The SIMD kernel, or undefined without WebAssembly SIMD. (Relaxed SIMD's swizzle, a bare pshufb
 * on x86, measured no faster here: the kernel is bound by loads and xors, not the swizzle.)
 */
export const makeSimdKernel = (host: { readonly WebAssembly?: WasmApi } = globalThis as { WebAssembly?: WasmApi }): GfKernel | undefined =>
  instantiate(host.WebAssembly, "wasm-simd", simdModuleBytes())
