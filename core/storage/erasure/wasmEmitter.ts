// A tiny WebAssembly binary writer: just the sections and opcodes the SIMD kernel needs. There is
// no WASM toolchain in the project, and building the bytes from readable code at load time keeps
// the kernel reviewable (no opaque byte array checked in).

export const i32 = 0x7f
export const v128 = 0x7b
export type ValueType = typeof i32 | typeof v128

export const uleb = (n: number): Array<number> => {
  const out: Array<number> = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n !== 0) b |= 0x80
    out.push(b)
  } while (n !== 0)
  return out
}

export const sleb = (n: number): Array<number> => {
  const out: Array<number> = []
  for (;;) {
    const b = n & 0x7f
    n >>= 7
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b)
      return out
    }
    out.push(b | 0x80)
  }
}

const name = (text: string): Array<number> => {
  const bytes = Array.from(text, (c) => c.charCodeAt(0))
  return [...uleb(bytes.length), ...bytes]
}

const vec = (items: ReadonlyArray<ReadonlyArray<number>>): Array<number> => [...uleb(items.length), ...items.flat()]

const section = (id: number, body: ReadonlyArray<number>): Array<number> => [id, ...uleb(body.length), ...body]

/** Instructions, as functions returning their bytes. Memory offsets are immediates (no adds). */
export const op = {
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  i32Const: (n: number) => [0x41, ...sleb(n)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32LtU: [0x49],
  i32Ne: [0x47],
  /** A block or loop with no result. */
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  v128Load: (offset: number) => [0xfd, ...uleb(0x00), 4, ...uleb(offset)],
  v128Store: (offset: number) => [0xfd, ...uleb(0x0b), 4, ...uleb(offset)],
  v128Const: (bytes: ReadonlyArray<number>) => [0xfd, ...uleb(0x0c), ...bytes],
  i8x16Swizzle: [0xfd, ...uleb(0x0e)],
  v128And: [0xfd, ...uleb(0x4e)],
  v128Xor: [0xfd, ...uleb(0x51)],
  i16x8ShrU: [0xfd, ...uleb(0x8d)]
} as const

export interface WasmFunction {
  readonly exportName: string
  readonly params: ReadonlyArray<ValueType>
  /** Locals after the parameters, in order. */
  readonly locals: ReadonlyArray<ValueType>
  readonly body: ReadonlyArray<number>
}

/** A module that imports its memory as env.memory and exports each function under its name. */
export const wasmModule = (functions: ReadonlyArray<WasmFunction>): Uint8Array => {
  const types = section(
    1,
    vec(functions.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0]))
  )
  const imports = section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x00, ...uleb(1)]]))
  const funcs = section(3, vec(functions.map((_, i) => uleb(i))))
  const exports = section(7, vec(functions.map((f, i) => [...name(f.exportName), 0x00, ...uleb(i)])))
  const code = section(
    10,
    vec(
      functions.map((f) => {
        const runs: Array<Array<number>> = []
        for (const t of f.locals) {
          const last = runs[runs.length - 1]
          if (last !== undefined && last[1] === t) last[0]!++
          else runs.push([1, t])
        }
        const body = [...vec(runs.map(([n, t]) => [...uleb(n!), t!])), ...f.body, ...op.end]
        return [...uleb(body.length), ...body]
      })
    )
  )
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code])
}
