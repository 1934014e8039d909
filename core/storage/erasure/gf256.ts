// Arithmetic in GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d), the field of
// Backblaze, klauspost and ISA-L, so shards stay comparable with those coders. Tables are built
// once at load; the full 64 KiB product table lets the scalar kernel multiply with one lookup.

const POLYNOMIAL = 0x11d

/** exp[i] = 2^i, doubled in length so exp[log a + log b] needs no modulo. */
export const gfExp = new Uint8Array(512)
/** log[a] for a != 0; log[0] is unused. */
export const gfLog = new Uint8Array(256)

{
  let x = 1
  for (let i = 0; i < 255; i++) {
    gfExp[i] = x
    gfLog[x] = i
    x <<= 1
    if (x & 0x100) x ^= POLYNOMIAL
  }
  for (let i = 255; i < 512; i++) gfExp[i] = gfExp[i - 255]!
}

export const gfMul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : gfExp[gfLog[a]! + gfLog[b]!]!)

/** The multiplicative inverse; 0 has none, which is a programming error here, not an input error. */
export const gfInv = (a: number): number => {
  if (a === 0) throw new RangeError("GF(256): 0 has no inverse")
  return gfExp[255 - gfLog[a]!]!
}

export const gfDiv = (a: number, b: number): number => (a === 0 ? 0 : gfMul(a, gfInv(b)))

/** mulTable[c * 256 + x] = c * x. */
export const gfMulTable = new Uint8Array(256 * 256)
for (let c = 0; c < 256; c++) for (let x = 0; x < 256; x++) gfMulTable[c * 256 + x] = gfMul(c, x)
