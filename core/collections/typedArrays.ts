// Growable typed arrays: the hot per-node and per-job state is kept in typed arrays indexed by
// dense ids (no object per job), which grow by doubling as ids are handed out.
export type NumericArray = Int32Array | Float64Array | Uint8Array

/** A copy of `a` in a new array of exactly `size` elements (zero-filled past the old length). */
export const resized = <A extends NumericArray>(a: A, size: number): A => {
  const b = new (a.constructor as new (n: number) => A)(size)
  b.set(a.length <= size ? a : a.subarray(0, size))
  return b
}

/** The capacity, doubling from `current`, that first holds `n` elements. */
export const doubledCapacity = (current: number, n: number): number => {
  let size = Math.max(1, current)
  while (size < n) size *= 2
  return size
}

/** `a` itself when it holds `n` elements, else a copy grown by doubling. */
export const withRoomFor = <A extends NumericArray>(a: A, n: number): A =>
  n <= a.length ? a : resized(a, doubledCapacity(a.length, n))
