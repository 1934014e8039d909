// Paired inference for comparing policies run on the same job sequences (seeds): the Wilcoxon
// signed-rank test, Holm's correction across many comparisons, percentile bootstrap intervals and
// effect sizes. Conventions follow R (wilcox.test, p.adjust) so a reviewer can re-run any figure there.
// Randomness only from a caller-supplied Prng, so every interval is reproducible from its seed.
import type { Prng } from "../random/prng.ts"
import { quantileSorted } from "./stats.ts"

/** Result of a two-sided paired Wilcoxon signed-rank test of x against y. */
export interface WilcoxonResult {
  /** Pairs left after dropping zero differences (Wilcoxon's method, as R does). */
  readonly n: number
  /** V: the sum of the ranks of |x - y| over the pairs where x > y (R's `V`); half-integers with ties. */
  readonly statistic: number
  /** Two-sided p-value. */
  readonly pValue: number
  /** True when pValue comes from the exact permutation distribution, false for the normal approximation. */
  readonly exact: boolean
}

/**
 * "auto": exact when n <= 25 without ties, or n <= 20 with ties (conditional on the tied ranks);
 * normal approximation with tie and continuity correction otherwise (as R's `exact = FALSE`).
 */
export type WilcoxonMethod = "auto" | "exact" | "normal"

/** Largest n for which "auto" enumerates the exact distribution, without and with ties. */
export const wilcoxonExactMaxN = 25
export const wilcoxonExactMaxNWithTies = 20

const requirePaired = (x: ArrayLike<number>, y: ArrayLike<number>, what: string): void => {
  if (x.length !== y.length) throw new RangeError(`${what}: x has ${x.length} values but y has ${y.length}; pairs need equal lengths`)
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]!) || Number.isNaN(y[i]!)) throw new RangeError(`${what}: pair ${i} contains NaN`)
  }
}

/** Signed ranks of the non-zero paired differences x - y: average ranks of |d| for ties. */
interface SignedRanks {
  /** Rank of |d_i| for each non-zero difference, in no particular order. */
  readonly ranks: Float64Array
  /** True where the difference is positive (x > y). */
  readonly positive: Uint8Array
  /** Sizes of the groups of tied |d| (groups of one included). */
  readonly tieGroups: ReadonlyArray<number>
}

const signedRanks = (x: ArrayLike<number>, y: ArrayLike<number>): SignedRanks => {
  const diffs: Array<number> = []
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - y[i]!
    if (d !== 0) diffs.push(d)
  }
  const n = diffs.length
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.abs(diffs[a]!) - Math.abs(diffs[b]!))
  const ranks = new Float64Array(n)
  const positive = new Uint8Array(n)
  const tieGroups: Array<number> = []
  let start = 0
  while (start < n) {
    let end = start + 1
    const magnitude = Math.abs(diffs[order[start]!]!)
    while (end < n && Math.abs(diffs[order[end]!]!) === magnitude) end++
    // positions start..end-1 hold ranks start+1..end; their average is exact (a half-integer)
    const rank = (start + 1 + end) / 2
    for (let k = start; k < end; k++) {
      ranks[k] = rank
      positive[k] = diffs[order[k]!]! > 0 ? 1 : 0
    }
    tieGroups.push(end - start)
    start = end
  }
  return { ranks, positive, tieGroups }
}

/**
 * Standard normal CDF, accurate to about 1e-14 (Hart 1968 as given by West, "Better approximations
 * to cumulative normal functions", Wilmott 2005). simple-statistics' table is only 2-3 digits.
 */
export const normalCdf = (z: number): number => {
  const a = Math.abs(z)
  let tail: number
  if (a > 37) {
    tail = 0
  } else {
    const e = Math.exp(-a * a / 2)
    if (a < 7.07106781186547) {
      let num = 3.52624965998911e-2 * a + 0.700383064443688
      num = num * a + 6.37396220353165
      num = num * a + 33.912866078383
      num = num * a + 112.079291497871
      num = num * a + 221.213596169931
      num = num * a + 220.206867912376
      let den = 8.83883476483184e-2 * a + 1.75566716318264
      den = den * a + 16.064177579207
      den = den * a + 86.7807322029461
      den = den * a + 296.564248779674
      den = den * a + 637.333633378831
      den = den * a + 793.826512519948
      den = den * a + 440.413735824752
      tail = (e * num) / den
    } else {
      let b = a + 0.65
      b = a + 4 / b
      b = a + 3 / b
      b = a + 2 / b
      b = a + 1 / b
      tail = e / b / 2.506628274631
    }
  }
  return z > 0 ? 1 - tail : tail
}

/**
 * Exact two-sided p-value of a signed-rank sum: every one of the 2^n sign assignments of the given
 * ranks is equally likely under H0. Ranks are doubled so average (half-integer) ranks of ties become
 * integer weights; the distribution is built by dynamic programming over the doubled sum,
 * as probabilities (halved at each step) so nothing overflows.
 */
const exactSignedRankPValue = (ranks: Float64Array, statistic: number): number => {
  const n = ranks.length
  let total = 0
  for (let i = 0; i < n; i++) total += 2 * ranks[i]!
  let dist = new Float64Array(total + 1)
  dist[0] = 1
  let reach = 0
  for (let i = 0; i < n; i++) {
    const w = 2 * ranks[i]!
    const next = new Float64Array(total + 1)
    for (let s = 0; s <= reach; s++) {
      const p = dist[s]!
      if (p === 0) continue
      next[s] += p / 2
      next[s + w] += p / 2
    }
    reach += w
    dist = next
  }
  const observed = Math.round(2 * statistic)
  let lower = 0
  for (let s = 0; s <= observed; s++) lower += dist[s]!
  let upper = 0
  for (let s = observed; s <= total; s++) upper += dist[s]!
  return Math.min(1, 2 * Math.min(lower, upper))
}

/** R's normal approximation: tie-corrected variance and a continuity correction of 0.5 towards the mean. */
const normalSignedRankPValue = (n: number, statistic: number, tieGroups: ReadonlyArray<number>): number => {
  let tieTerm = 0
  for (const t of tieGroups) tieTerm += t * t * t - t
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48)
  const centred = statistic - (n * (n + 1)) / 4
  if (sigma === 0 || centred === 0) return 1
  const z = (centred - 0.5 * Math.sign(centred)) / sigma
  return Math.min(1, 2 * Math.min(normalCdf(z), normalCdf(-z)))
}

/**
 * Two-sided paired Wilcoxon signed-rank test of x against y (differences x - y).
 * Zero differences are dropped (Wilcoxon's method, not Pratt's), as in R's wilcox.test; ties get
 * average ranks. With ties the exact p-value is conditional on the observed tied ranks (R would
 * fall back to the normal approximation there). When every difference is zero, n is 0 and the
 * p-value is 1: the data give no evidence of a difference (R reports NaN).
 * Throws RangeError for unequal lengths or NaN (a programming error, not a data condition).
 */
export const wilcoxonSignedRank = (
  x: ReadonlyArray<number>,
  y: ReadonlyArray<number>,
  options: { readonly method?: WilcoxonMethod } = {}
): WilcoxonResult => {
  requirePaired(x, y, "wilcoxonSignedRank")
  const { positive, ranks, tieGroups } = signedRanks(x, y)
  const n = ranks.length
  let statistic = 0
  for (let i = 0; i < n; i++) if (positive[i] === 1) statistic += ranks[i]!
  if (n === 0) return { n, statistic, pValue: 1, exact: true }
  const hasTies = tieGroups.length < n
  const method = options.method ?? "auto"
  const exact = method === "exact" ||
    (method === "auto" && n <= (hasTies ? wilcoxonExactMaxNWithTies : wilcoxonExactMaxN))
  const pValue = exact ? exactSignedRankPValue(ranks, statistic) : normalSignedRankPValue(n, statistic, tieGroups)
  return { n, statistic, pValue, exact }
}

/**
 * Holm-Bonferroni adjusted p-values, in input order: the i-th smallest p is multiplied by (m - i + 1),
 * made monotone by a running maximum, capped at 1 (R's p.adjust(p, "holm")). Tied p-values keep
 * their input order, as R's order() does. Throws RangeError for a value outside [0, 1] or NaN.
 */
export const holm = (pValues: ReadonlyArray<number>): Array<number> => {
  const m = pValues.length
  for (let i = 0; i < m; i++) {
    const p = pValues[i]!
    if (!(p >= 0 && p <= 1)) throw new RangeError(`holm: p-value ${i} is ${p}, not in [0, 1]`)
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pValues[a]! - pValues[b]! || a - b)
  const adjusted = new Array<number>(m)
  let runningMax = 0
  for (let k = 0; k < m; k++) {
    const i = order[k]!
    runningMax = Math.max(runningMax, Math.min(1, (m - k) * pValues[i]!))
    adjusted[i] = runningMax
  }
  return adjusted
}

/** A point estimate with a confidence interval. */
export interface ConfidenceInterval {
  readonly estimate: number
  readonly low: number
  readonly high: number
}

export interface BootstrapOptions {
  /** Number of bootstrap resamples (for example 10,000). */
  readonly resamples: number
  /** Confidence level in (0, 1), for example 0.95. */
  readonly level: number
  /** Source of the resampling draws; it is advanced. Pass a stream of its own, e.g. `prng.split("bootstrap")`. */
  readonly rng: Prng
}

const requireBootstrapOptions = ({ level, resamples }: BootstrapOptions, what: string): void => {
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`${what}: resamples must be a whole number >= 1, got ${resamples}`)
  if (!(level > 0 && level < 1)) throw new RangeError(`${what}: level must be in (0, 1), got ${level}`)
}

/**
 * Percentile interval of bootstrap statistics (type-7 quantiles, as numpy). Resamples whose statistic
 * is NaN are left out; if all are, the bounds are NaN.
 */
const percentileInterval = (estimate: number, replicates: Float64Array, level: number): ConfidenceInterval => {
  const finite = replicates.filter((v) => !Number.isNaN(v)).sort()
  return {
    estimate,
    low: quantileSorted(finite, (1 - level) / 2),
    high: quantileSorted(finite, (1 + level) / 2)
  }
}

/**
 * Percentile bootstrap confidence interval of `statistic` over `sample` (resampling values with
 * replacement). The estimate is the statistic of the sample itself. Deterministic given the rng's
 * state: resample r draws sample.length indices in order. An empty sample gives NaN bounds.
 */
export const bootstrapCi = (
  sample: ReadonlyArray<number>,
  statistic: (resample: ReadonlyArray<number>) => number,
  options: BootstrapOptions
): ConfidenceInterval => {
  requireBootstrapOptions(options, "bootstrapCi")
  const n = sample.length
  const estimate = statistic(sample)
  if (n === 0) return { estimate, low: NaN, high: NaN }
  const replicates = new Float64Array(options.resamples)
  for (let r = 0; r < options.resamples; r++) {
    const resample = new Array<number>(n)
    for (let i = 0; i < n; i++) resample[i] = sample[options.rng.nextInt(n)]!
    replicates[r] = statistic(resample)
  }
  return percentileInterval(estimate, replicates, options.level)
}

/**
 * Relative change of the mean of y against the mean of x, mean(y) / mean(x) - 1 (negative: y is
 * smaller), with a percentile bootstrap interval that resamples pair indices, so each resample keeps
 * x_i and y_i together (same seed, two policies). NaN when mean(x) is 0 or the input is empty.
 */
export const bootstrapPairedRelativeChangeCi = (
  x: ReadonlyArray<number>,
  y: ReadonlyArray<number>,
  options: BootstrapOptions
): ConfidenceInterval => {
  requirePaired(x, y, "bootstrapPairedRelativeChangeCi")
  requireBootstrapOptions(options, "bootstrapPairedRelativeChangeCi")
  const n = x.length
  let sumX = 0
  let sumY = 0
  for (let i = 0; i < n; i++) {
    sumX += x[i]!
    sumY += y[i]!
  }
  const estimate = n === 0 ? NaN : sumY / sumX - 1
  if (n === 0) return { estimate, low: NaN, high: NaN }
  const replicates = new Float64Array(options.resamples)
  for (let r = 0; r < options.resamples; r++) {
    let rx = 0
    let ry = 0
    for (let k = 0; k < n; k++) {
      const i = options.rng.nextInt(n)
      rx += x[i]!
      ry += y[i]!
    }
    replicates[r] = ry / rx - 1
  }
  return percentileInterval(estimate, replicates, options.level)
}

/**
 * Matched-pairs rank-biserial correlation (Kerby 2014, simple difference formula): the signed-rank
 * sum of pairs with x > y minus that of pairs with x < y, over the total rank sum. In [-1, 1];
 * +1 when x exceeds y in every pair. Zero differences are dropped as in the test; 0 when none remain.
 */
export const rankBiserial = (x: ReadonlyArray<number>, y: ReadonlyArray<number>): number => {
  requirePaired(x, y, "rankBiserial")
  const { positive, ranks } = signedRanks(x, y)
  let favourable = 0
  let unfavourable = 0
  for (let i = 0; i < ranks.length; i++) {
    if (positive[i] === 1) favourable += ranks[i]!
    else unfavourable += ranks[i]!
  }
  const total = favourable + unfavourable
  return total === 0 ? 0 : (favourable - unfavourable) / total
}

/**
 * Hodges-Lehmann estimate of the shift of x over y: the median of the n(n+1)/2 Walsh averages
 * (d_i + d_j) / 2, i <= j, of all paired differences d = x - y (zeros kept, the classical
 * definition; R's wilcox.test drops them first). NaN for empty input.
 */
export const hodgesLehmann = (x: ReadonlyArray<number>, y: ReadonlyArray<number>): number => {
  requirePaired(x, y, "hodgesLehmann")
  const n = x.length
  const d = new Float64Array(n)
  for (let i = 0; i < n; i++) d[i] = x[i]! - y[i]!
  const walsh = new Float64Array((n * (n + 1)) / 2)
  let k = 0
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh[k++] = (d[i]! + d[j]!) / 2
  return quantileSorted(walsh.sort(), 0.5)
}
