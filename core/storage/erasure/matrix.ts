// Matrices over GF(256), row-major in a Uint8Array. The encoding matrix is systematic: the
// identity on top (data shards are stored as they are) and a Cauchy matrix below. Every square
// submatrix of a Cauchy matrix is invertible, so any k rows of [I; C] are, and any k shards decode.
import { gfInv, gfMul } from "./gf256.ts"

/**
 * (k+m) x k: the identity, then the Cauchy matrix 1 / ((k+i) xor j) with its columns and rows
 * scaled so that its first row and first column are all ones. Scaling rows and columns by
 * non-zero constants keeps every square submatrix invertible; the ones make the first parity
 * shard a plain xor and make 1+(r-1) exactly r-fold replication.
 */
export const systematicCauchyMatrix = (k: number, m: number): Uint8Array => {
  const a = new Uint8Array((k + m) * k)
  for (let i = 0; i < k; i++) a[i * k + i] = 1
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) a[(k + i) * k + j] = gfInv((k + i) ^ j)
  if (m === 0) return a
  for (let j = 0; j < k; j++) {
    const s = gfInv(a[k * k + j]!)
    for (let i = 0; i < m; i++) a[(k + i) * k + j] = gfMul(a[(k + i) * k + j]!, s)
  }
  for (let i = 1; i < m; i++) {
    const s = gfInv(a[(k + i) * k]!)
    for (let j = 0; j < k; j++) a[(k + i) * k + j] = gfMul(a[(k + i) * k + j]!, s)
  }
  return a
}

/** The rows `rows` of an r x cols matrix, as a rows.length x cols matrix. */
export const selectRows = (a: Uint8Array, cols: number, rows: ReadonlyArray<number>): Uint8Array => {
  const out = new Uint8Array(rows.length * cols)
  rows.forEach((r, i) => out.set(a.subarray(r * cols, (r + 1) * cols), i * cols))
  return out
}

/** a (r x n) times b (n x c). */
export const multiply = (a: Uint8Array, r: number, n: number, b: Uint8Array, c: number): Uint8Array => {
  const out = new Uint8Array(r * c)
  for (let i = 0; i < r; i++)
    for (let j = 0; j < c; j++) {
      let s = 0
      for (let t = 0; t < n; t++) s ^= gfMul(a[i * n + t]!, b[t * c + j]!)
      out[i * c + j] = s
    }
  return out
}

/** The inverse of an n x n matrix by Gauss-Jordan elimination, or undefined when it is singular. */
export const invert = (a: Uint8Array, n: number): Uint8Array | undefined => {
  const w = Uint8Array.from(a)
  const inv = new Uint8Array(n * n)
  for (let i = 0; i < n; i++) inv[i * n + i] = 1
  for (let col = 0; col < n; col++) {
    let pivot = col
    while (pivot < n && w[pivot * n + col] === 0) pivot++
    if (pivot === n) return undefined
    if (pivot !== col) {
      for (let j = 0; j < n; j++) {
        const t = w[col * n + j]!
        w[col * n + j] = w[pivot * n + j]!
        w[pivot * n + j] = t
        const u = inv[col * n + j]!
        inv[col * n + j] = inv[pivot * n + j]!
        inv[pivot * n + j] = u
      }
    }
    const scale = gfInv(w[col * n + col]!)
    for (let j = 0; j < n; j++) {
      w[col * n + j] = gfMul(w[col * n + j]!, scale)
      inv[col * n + j] = gfMul(inv[col * n + j]!, scale)
    }
    for (let r = 0; r < n; r++) {
      const f = w[r * n + col]!
      if (r === col || f === 0) continue
      for (let j = 0; j < n; j++) {
        w[r * n + j] ^= gfMul(f, w[col * n + j]!)
        inv[r * n + j] ^= gfMul(f, inv[col * n + j]!)
      }
    }
  }
  return inv
}
