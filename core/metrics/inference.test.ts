// Tests for the paired inference used by the scheduler experiment. Reference values come from R
// (the R call and its printed output are quoted beside each); everything else is checked against an
// independent brute-force definition (all 2^n sign flips, Holm's step-down procedure).
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { mean, median } from "simple-statistics"
import { Prng } from "../random/prng.ts"
import {
  bootstrapCi,
  bootstrapPairedRelativeChangeCi,
  hodgesLehmann,
  holm,
  normalCdf,
  rankBiserial,
  wilcoxonSignedRank
} from "./inference.ts"

// The example of R's ?wilcox.test (Hollander & Wolfe, depression scale before/after).
const depressionX = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3]
const depressionY = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]

/** Brute force: ranks by counting, then every one of the 2^m sign assignments. */
const bruteForceWilcoxon = (x: ReadonlyArray<number>, y: ReadonlyArray<number>) => {
  const d = x.map((v, i) => v - y[i]!).filter((v) => v !== 0)
  const m = d.length
  const abs = d.map(Math.abs)
  const ranks = abs.map((a) => abs.filter((b) => b < a).length + (abs.filter((b) => b === a).length + 1) / 2)
  const statistic = ranks.reduce((s, r, i) => (d[i]! > 0 ? s + r : s), 0)
  let atMost = 0
  let atLeast = 0
  for (let mask = 0; mask < 1 << m; mask++) {
    let s = 0
    for (let i = 0; i < m; i++) if ((mask >> i) & 1) s += ranks[i]!
    if (s <= statistic + 1e-9) atMost++
    if (s >= statistic - 1e-9) atLeast++
  }
  const pValue = m === 0 ? 1 : Math.min(1, (2 * Math.min(atMost, atLeast)) / 2 ** m)
  return { n: m, statistic, pValue }
}

describe("wilcoxonSignedRank", () => {
  it("R's ?wilcox.test example, exact", () => {
    // R> x <- c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30)
    // R> y <- c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)
    // R> wilcox.test(x, y, paired = TRUE)
    //   V = 40, p-value = 0.03906
    const r = wilcoxonSignedRank(depressionX, depressionY)
    expect(r).toEqual({ n: 9, statistic: 40, pValue: expect.closeTo(0.03906, 5) as number, exact: true })
    expect(r.pValue).toBeCloseTo(10 / 256, 12) // exactly 2 * 5/512
    // swapping the samples mirrors V and keeps the p-value
    const swapped = wilcoxonSignedRank(depressionY, depressionX)
    expect(swapped.statistic).toBe(45 - 40)
    expect(swapped.pValue).toBeCloseTo(r.pValue, 12)
  })

  it("R, one-sample test as a paired test against a constant, exact", () => {
    // R> wilcox.test(c(1.5, 2.2, 3.1, 4.0, 5.3), mu = 3)
    //   V = 9, p-value = 0.8125
    const r = wilcoxonSignedRank([1.5, 2.2, 3.1, 4.0, 5.3], [3, 3, 3, 3, 3])
    expect(r).toEqual({ n: 5, statistic: 9, pValue: expect.closeTo(0.8125, 12) as number, exact: true })
  })

  it("R, normal approximation with tie and continuity correction, zeros dropped", () => {
    // R> wilcox.test(c(1, 2, 3, 4, 5), c(2, 4, 5, 4, 5), paired = TRUE)
    //   V = 0, p-value = 0.1736   (R warns: cannot compute exact p-value with ties / zeroes)
    // R's printed value to more digits: 0.17356816655592155
    const normal = wilcoxonSignedRank([1, 2, 3, 4, 5], [2, 4, 5, 4, 5], { method: "normal" })
    expect(normal).toEqual({ n: 3, statistic: 0, pValue: expect.closeTo(0.17356816655592155, 10) as number, exact: false })
    // "auto" enumerates instead: ranks 1, 2.5, 2.5 all negative is 1 of 8 sign patterns, doubled
    const exact = wilcoxonSignedRank([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])
    expect(exact).toEqual({ n: 3, statistic: 0, pValue: 0.25, exact: true })
  })

  it("R's example with exact = FALSE (normal approximation)", () => {
    // R> wilcox.test(x, y, paired = TRUE, exact = FALSE)   (x, y as in ?wilcox.test)
    // No R on this machine: the figure is from scipy.stats.wilcoxon(x, y, method="approx",
    // correction=True), which implements R's formula (tie-corrected variance, 0.5 continuity
    // correction): 0.04401098401295143; by hand z = (40 - 22.5 - 0.5) / sqrt(71.25) = 2.0140.
    const r = wilcoxonSignedRank(depressionX, depressionY, { method: "normal" })
    expect(r.exact).toBe(false)
    expect(r.pValue).toBeCloseTo(0.04401098401295143, 12)
  })

  it("matches brute-force enumeration of all sign flips (n <= 12, ties and zeros included)", () => {
    const pairs = fc
      .integer({ min: 0, max: 12 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.integer({ min: -6, max: 6 }), { minLength: n, maxLength: n }),
          fc.array(fc.integer({ min: -6, max: 6 }), { minLength: n, maxLength: n })
        )
      )
    fc.assert(
      fc.property(pairs, ([x, y]) => {
        const got = wilcoxonSignedRank(x, y)
        const want = bruteForceWilcoxon(x, y)
        expect(got.exact).toBe(true)
        expect(got.n).toBe(want.n)
        expect(got.statistic).toBe(want.statistic)
        expect(got.pValue).toBeCloseTo(want.pValue, 12)
      }),
      { numRuns: 300 }
    )
  })

  it("matches brute force on continuous data (no ties)", () => {
    const pairs = fc
      .integer({ min: 1, max: 12 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: n, maxLength: n }),
          fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: n, maxLength: n })
        )
      )
    fc.assert(
      fc.property(pairs, ([x, y]) => {
        const got = wilcoxonSignedRank(x, y)
        const want = bruteForceWilcoxon(x, y)
        expect(got.n).toBe(want.n)
        expect(got.statistic).toBe(want.statistic)
        expect(got.pValue).toBeCloseTo(want.pValue, 12)
      }),
      { numRuns: 200 }
    )
  })

  // Tie-free data of any length: distinct magnitudes from a deterministic formula.
  const tieFree = (n: number, shift: number) => {
    const x = Array.from({ length: n }, (_, i) => 100 + Math.sin(i * 7.1) * 10 + i * 0.1)
    const y = x.map((v, i) => v - (i % 3 === 0 ? -1 : 1) * (i + 1 + 0.001 * i * i) + shift)
    return { x, y }
  }

  it("uses the exact distribution up to n = 25 without ties, the normal approximation above", () => {
    const at25 = tieFree(25, 0)
    const at26 = tieFree(26, 0)
    expect(wilcoxonSignedRank(at25.x, at25.y).exact).toBe(true)
    expect(wilcoxonSignedRank(at26.x, at26.y).exact).toBe(false)
    // with ties the exact cut-off is n = 20
    const tied = (n: number) => wilcoxonSignedRank(Array.from({ length: n }, (_, i) => (i % 4) + 1), new Array<number>(n).fill(0))
    expect(tied(20).exact).toBe(true)
    expect(tied(21).exact).toBe(false)
  })

  it("the normal approximation is close to the exact p-value at n = 25", () => {
    for (const shift of [-8, -3, 0, 2, 5, 10]) {
      const { x, y } = tieFree(25, shift)
      const exact = wilcoxonSignedRank(x, y, { method: "exact" })
      const normal = wilcoxonSignedRank(x, y, { method: "normal" })
      expect(exact.statistic).toBe(normal.statistic)
      expect(Math.abs(exact.pValue - normal.pValue)).toBeLessThan(0.01)
    }
  })

  it("forced exact at n = 40 agrees with scipy's exact distribution", () => {
    // Data as written out by this formula; scipy.stats.wilcoxon(a, b, method="exact") gives
    // statistic 322 (= min(V, 820 - V)), p 0.2424468300960143; method="approx" gives 0.23954951813424508.
    const a = Array.from({ length: 40 }, (_, i) => Math.sin(i * 7.1) * 10 + i * 0.1)
    const b = Array.from({ length: 40 }, (_, i) => Math.cos(i * 3.3) * 10)
    const exact = wilcoxonSignedRank(a, b, { method: "exact" })
    expect(exact.statistic).toBe(820 - 322)
    expect(exact.pValue).toBeCloseTo(0.2424468300960143, 10)
    const auto = wilcoxonSignedRank(a, b)
    expect(auto.exact).toBe(false)
    expect(auto.pValue).toBeCloseTo(0.23954951813424508, 10)
  })

  it("all differences zero: n = 0, p = 1; mismatched lengths and NaN are rejected", () => {
    expect(wilcoxonSignedRank([1, 2, 3], [1, 2, 3])).toEqual({ n: 0, statistic: 0, pValue: 1, exact: true })
    expect(wilcoxonSignedRank([], [])).toEqual({ n: 0, statistic: 0, pValue: 1, exact: true })
    expect(() => wilcoxonSignedRank([1, 2], [1])).toThrow(RangeError)
    expect(() => wilcoxonSignedRank([1, NaN], [1, 2])).toThrow(/pair 1 contains NaN/)
  })

  it("ten seeds where one policy always wins give the smallest possible exact p-value", () => {
    const base = Array.from({ length: 10 }, (_, i) => 1000 + 37 * i)
    const better = base.map((v, i) => v * (0.7 + 0.01 * i))
    const r = wilcoxonSignedRank(better, base)
    expect(r.statistic).toBe(0)
    expect(r.pValue).toBeCloseTo(2 / 1024, 15)
  })
})

describe("normalCdf", () => {
  it("matches reference values (R's pnorm)", () => {
    // scipy.stats.norm.cdf([-1.96, -1, -3, 0.5, -8]) (R's pnorm gives the same digits)
    expect(normalCdf(-1.96)).toBeCloseTo(0.024997895148220435, 14)
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 14)
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 14)
    expect(normalCdf(0.5)).toBeCloseTo(0.69146246127401312, 14)
    expect(normalCdf(-8) / 6.2209605742717841e-16).toBeCloseTo(1, 6)
    expect(normalCdf(0)).toBe(0.5)
  })

  it("is symmetric", () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 40, noNaN: true }), (z) => {
        expect(normalCdf(z) + normalCdf(-z)).toBeCloseTo(1, 14)
      })
    )
  })
})

describe("holm", () => {
  it("R's p.adjust(method = \"holm\")", () => {
    // Outputs worked by hand from R's definition, pmin(1, cummax((n - i + 1) * p[o]))[order(o)]
    // R> p.adjust(c(0.01, 0.04, 0.03, 0.005), method = "holm")
    // [1] 0.03 0.06 0.06 0.02
    expectClose(holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])
    // R> p.adjust(c(0.2, 0.5, 0.01, 0.3), method = "holm")
    // [1] 0.60 0.60 0.04 0.60
    expectClose(holm([0.2, 0.5, 0.01, 0.3]), [0.6, 0.6, 0.04, 0.6])
    // R> p.adjust(c(0.6, 0.01, 0.45), method = "holm")
    // [1] 0.90 0.03 0.90
    expectClose(holm([0.6, 0.01, 0.45]), [0.9, 0.03, 0.9])
    // R> p.adjust(c(0.5, 0.7), method = "holm")
    // [1] 1 1
    expect(holm([0.5, 0.7])).toEqual([1, 1])
    expect(holm([])).toEqual([])
    expect(holm([0.04])).toEqual([0.04])
  })

  it("rejects exactly what Holm's step-down procedure rejects, at any alpha", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }),
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        (p, alpha) => {
          const adjusted = holm(p)
          const m = p.length
          const order = p.map((_, i) => i).sort((a, b) => p[a]! - p[b]!)
          const rejected = new Array<boolean>(m).fill(false)
          for (let k = 0; k < m; k++) {
            if (p[order[k]!]! > alpha / (m - k)) break
            rejected[order[k]!] = true
          }
          for (let i = 0; i < m; i++) {
            expect(adjusted[i]!).toBeGreaterThanOrEqual(p[i]!)
            expect(adjusted[i]!).toBeLessThanOrEqual(1)
            // p-values within rounding of the threshold may fall either way
            if (Math.abs(adjusted[i]! - alpha) > 1e-12) expect(adjusted[i]! <= alpha).toBe(rejected[i])
          }
          // monotone: a smaller raw p never gets a larger adjusted p
          for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (p[i]! < p[j]!) expect(adjusted[i]!).toBeLessThanOrEqual(adjusted[j]!)
        }
      )
    )
  })

  it("rejects values outside [0, 1]", () => {
    expect(() => holm([0.1, 1.5])).toThrow(RangeError)
    expect(() => holm([NaN])).toThrow(RangeError)
  })
})

const expectClose = (got: ReadonlyArray<number>, want: ReadonlyArray<number>) => {
  expect(got).toHaveLength(want.length)
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12))
}

describe("bootstrapCi", () => {
  const normalSample = (n: number, seed: number) => {
    const rng = Prng.fromSeed(seed, "sample")
    return Array.from({ length: n }, () => rng.normal(10, 2))
  }

  it("is deterministic for a seed and differs between seeds", () => {
    const sample = normalSample(30, 1)
    const run = (seed: number) => bootstrapCi(sample, mean, { resamples: 500, level: 0.95, rng: Prng.fromSeed(seed, "boot") })
    expect(run(7)).toEqual(run(7))
    expect(run(7)).not.toEqual(run(8))
    expect(run(7).estimate).toBe(mean(sample))
  })

  it("the interval of a mean has about the normal-theory width and contains the estimate", () => {
    const sample = normalSample(400, 2)
    const ci = bootstrapCi(sample, mean, { resamples: 4000, level: 0.95, rng: Prng.fromSeed(3, "boot") })
    const sd = Math.sqrt(sample.reduce((s, v) => s + (v - ci.estimate) ** 2, 0) / (sample.length - 1))
    const halfWidth = (1.959964 * sd) / Math.sqrt(sample.length)
    expect(ci.low).toBeLessThan(ci.estimate)
    expect(ci.high).toBeGreaterThan(ci.estimate)
    expect((ci.high - ci.low) / (2 * halfWidth)).toBeGreaterThan(0.9)
    expect((ci.high - ci.low) / (2 * halfWidth)).toBeLessThan(1.1)
    // a lower level gives a narrower interval (same draws)
    const ci50 = bootstrapCi(sample, mean, { resamples: 4000, level: 0.5, rng: Prng.fromSeed(3, "boot") })
    expect(ci50.high - ci50.low).toBeLessThan((ci.high - ci.low) / 2)
  })

  it("bounds of a median lie within the sample; a constant sample gives a point", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 20 }), fc.nat(), (sample, seed) => {
        const ci = bootstrapCi(sample, median, { resamples: 50, level: 0.9, rng: Prng.fromSeed(seed, "boot") })
        expect(ci.low).toBeGreaterThanOrEqual(Math.min(...sample))
        expect(ci.high).toBeLessThanOrEqual(Math.max(...sample))
        expect(ci.low).toBeLessThanOrEqual(ci.high)
      }),
      { numRuns: 50 }
    )
    expect(bootstrapCi([4, 4, 4], median, { resamples: 100, level: 0.95, rng: Prng.fromSeed(1) })).toEqual({ estimate: 4, low: 4, high: 4 })
  })

  it("rejects bad options; an empty sample has no interval", () => {
    const rng = Prng.fromSeed(1)
    expect(() => bootstrapCi([1], mean, { resamples: 0, level: 0.95, rng })).toThrow(RangeError)
    expect(() => bootstrapCi([1], mean, { resamples: 10, level: 1, rng })).toThrow(RangeError)
    const empty = bootstrapCi([], () => 0, { resamples: 10, level: 0.95, rng })
    expect(empty.low).toBeNaN()
    expect(empty.high).toBeNaN()
  })
})

describe("bootstrapPairedRelativeChangeCi", () => {
  it("keeps pairs together: y = 0.8 x gives -20% with a zero-width interval", () => {
    const x = [10, 1000, 55, 3, 720, 4000, 12, 90, 600, 31]
    const y = x.map((v) => 0.8 * v)
    const ci = bootstrapPairedRelativeChangeCi(x, y, { resamples: 1000, level: 0.95, rng: Prng.fromSeed(1, "boot") })
    expect(ci.estimate).toBeCloseTo(-0.2, 12)
    expect(ci.low).toBeCloseTo(-0.2, 12)
    expect(ci.high).toBeCloseTo(-0.2, 12)
  })

  it("equals bootstrapCi over pair indices with the same draws", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 15 }).chain((n) =>
          fc.tuple(
            fc.array(fc.double({ min: 1, max: 1e4, noNaN: true }), { minLength: n, maxLength: n }),
            fc.array(fc.double({ min: 1, max: 1e4, noNaN: true }), { minLength: n, maxLength: n })
          )
        ),
        fc.nat(),
        ([x, y], seed) => {
          const options = { resamples: 200, level: 0.95 }
          const got = bootstrapPairedRelativeChangeCi(x, y, { ...options, rng: Prng.fromSeed(seed, "b") })
          const indices = x.map((_, i) => i)
          const want = bootstrapCi(indices, (idx) => mean(idx.map((i) => y[i]!)) / mean(idx.map((i) => x[i]!)) - 1, {
            ...options,
            rng: Prng.fromSeed(seed, "b")
          })
          expect(got.estimate).toBeCloseTo(mean(y) / mean(x) - 1, 10)
          expect(got.low).toBeCloseTo(want.low, 10)
          expect(got.high).toBeCloseTo(want.high, 10)
        }
      ),
      { numRuns: 50 }
    )
  })

  it("rejects mismatched lengths", () => {
    expect(() => bootstrapPairedRelativeChangeCi([1, 2], [1], { resamples: 10, level: 0.95, rng: Prng.fromSeed(1) })).toThrow(RangeError)
  })
})

describe("effect sizes", () => {
  it("rank-biserial of R's example: (T+ - T-) / total = (40 - 5) / 45", () => {
    expect(rankBiserial(depressionX, depressionY)).toBeCloseTo(35 / 45, 15)
  })

  it("rank-biserial is 2V / (n(n+1)/2) - 1, antisymmetric, and +1 when x always exceeds y", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 15 }).chain((n) =>
          fc.tuple(
            fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n, maxLength: n }),
            fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n, maxLength: n })
          )
        ),
        ([x, y]) => {
          const r = rankBiserial(x, y)
          const { n, statistic } = wilcoxonSignedRank(x, y)
          expect(r).toBeCloseTo(n === 0 ? 0 : (2 * statistic) / ((n * (n + 1)) / 2) - 1, 12)
          expect(rankBiserial(y, x)).toBeCloseTo(-r, 12)
          expect(Math.abs(r)).toBeLessThanOrEqual(1)
        }
      )
    )
    expect(rankBiserial([2, 3, 4], [1, 1, 1])).toBe(1)
    expect(rankBiserial([1, 1], [1, 1])).toBe(0)
  })

  it("Hodges-Lehmann: hand-computed Walsh medians and R's example", () => {
    // d = 1, 2, 3: Walsh averages 1, 1.5, 2, 2, 2.5, 3 -> median 2
    expect(hodgesLehmann([1, 2, 3], [0, 0, 0])).toBe(2)
    // d = 0, 0, 10: 0, 0, 0, 5, 5, 10 -> median 2.5 (zeros kept)
    expect(hodgesLehmann([5, 5, 15], [5, 5, 5])).toBe(2.5)
    // R> wilcox.test(x, y, paired = TRUE, conf.int = TRUE)$estimate   (x, y as in ?wilcox.test)
    // (pseudo)median 0.46   (no zero differences here, so R's zero-dropping does not matter;
    // numpy's median of the 45 Walsh averages is 0.46 as well)
    expect(hodgesLehmann(depressionX, depressionY)).toBeCloseTo(0.46, 12)
    expect(hodgesLehmann([], [])).toBeNaN()
  })

  it("Hodges-Lehmann is shift equivariant and antisymmetric", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 })), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: -100, max: 100 }),
        (pairs, c) => {
          const x = pairs.map(([a]) => a)
          const y = pairs.map(([, b]) => b)
          const h = hodgesLehmann(x, y)
          expect(hodgesLehmann(x.map((v) => v + c), y)).toBeCloseTo(h + c, 9)
          expect(hodgesLehmann(y, x)).toBeCloseTo(-h, 9)
        }
      )
    )
  })
})
