// Summary statistics as researchers compute them: quantiles by linear interpolation between
// order statistics (numpy's and pandas' default), bounded slowdown with a threshold tau.

export interface Distribution4 {
  readonly mean: number
  readonly p50: number
  readonly p95: number
  readonly p99: number
}

/** Quantile q of ascending-sorted values (type 7, as numpy.quantile). */
export const quantileSorted = (sorted: ArrayLike<number>, q: number): number => {
  const n = sorted.length
  if (n === 0) return NaN
  const h = (n - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(n - 1, lo + 1)
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!)
}

export const describe = (values: Float64Array): Distribution4 => {
  if (values.length === 0) return { mean: 0, p50: 0, p95: 0, p99: 0 }
  const sorted = Float64Array.from(values).sort()
  let sum = 0
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!
  return {
    mean: sum / sorted.length,
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99)
  }
}

/** Bounded slowdown: response over run time, with run times below tau counted as tau, at least 1. */
export const boundedSlowdown = (responseS: number, runS: number, tauS = 10): number =>
  Math.max(1, responseS / Math.max(runS, tauS))

/** Gini coefficient of non-negative values (0: all equal, towards 1: one holds everything). */
export const gini = (values: ArrayLike<number>): number => {
  const n = values.length
  if (n === 0) return 0
  const sorted = Float64Array.from(values as ArrayLike<number>).sort()
  let total = 0
  let weighted = 0
  for (let i = 0; i < n; i++) {
    total += sorted[i]!
    weighted += (i + 1) * sorted[i]!
  }
  return total === 0 ? 0 : (2 * weighted) / (n * total) - (n + 1) / n
}
