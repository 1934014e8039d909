import { describe, expect, it } from "@effect/vitest"
import { Effect, Random } from "effect"
import fc from "fast-check"
import { Prng } from "./prng.ts"
import { layerEffectRandom, Rng } from "./Rng.ts"

const draws = (p: Prng, n: number): Array<number> => Array.from({ length: n }, () => p.nextUint32())

const mean = (n: number, draw: () => number): number => {
  let sum = 0
  for (let i = 0; i < n; i++) sum += draw()
  return sum / n
}

describe("Prng determinism", () => {
  it("the same seed and label give the same sequence", () => {
    fc.assert(
      fc.property(fc.integer(), fc.string(), (seed, label) => {
        expect(draws(Prng.fromSeed(seed, label), 16)).toEqual(draws(Prng.fromSeed(seed, label), 16))
      })
    )
  })

  it("a bigint seed and the equal number seed give the same stream", () => {
    expect(draws(Prng.fromSeed(12345n), 8)).toEqual(draws(Prng.fromSeed(12345), 8))
  })

  it("different seeds give different sequences", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (a, b) => {
        fc.pre(a !== b)
        expect(draws(Prng.fromSeed(a), 4)).not.toEqual(draws(Prng.fromSeed(b), 4))
      })
    )
  })

  it("different labels give different sequences", () => {
    fc.assert(
      fc.property(fc.integer(), fc.string(), fc.string(), (seed, a, b) => {
        fc.pre(a !== b)
        const root = Prng.fromSeed(seed)
        expect(draws(root.split(a), 4)).not.toEqual(draws(root.split(b), 4))
        expect(draws(Prng.fromSeed(seed, a), 4)).not.toEqual(draws(Prng.fromSeed(seed, b), 4))
      })
    )
  })

  it("many sibling streams (one per node) are pairwise distinct", () => {
    const churn = Prng.fromSeed(42).split("churn")
    const firsts = new Set<string>()
    for (let i = 0; i < 5000; i++) firsts.add(draws(churn.split(i), 2).join(","))
    expect(firsts.size).toBe(5000)
  })

  it("a child is independent of draws taken from the parent (split before or after drawing)", () => {
    fc.assert(
      fc.property(fc.integer(), fc.string(), fc.nat(200), (seed, label, k) => {
        const early = Prng.fromSeed(seed)
        const childBefore = early.split(label)
        const late = Prng.fromSeed(seed)
        draws(late, k)
        const childAfter = late.split(label)
        expect(draws(childAfter, 8)).toEqual(draws(childBefore, 8))
      })
    )
  })

  it("drawing from a child does not move the parent, and splitting consumes nothing", () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(100), (seed, k) => {
        const a = Prng.fromSeed(seed)
        const b = Prng.fromSeed(seed)
        const child = a.split("child")
        draws(child, k)
        a.split("another")
        expect(draws(a, 8)).toEqual(draws(b, 8))
      })
    )
  })

  it("a child stream differs from its parent and from its sibling at the same depth", () => {
    const root = Prng.fromSeed(7)
    const child = root.split("x")
    expect(draws(child, 4)).not.toEqual(draws(Prng.fromSeed(7), 4))
    expect(child.path).toBe(`${root.path}/x`)
    expect(draws(child.split("y"), 4)).not.toEqual(draws(root.split("y"), 4))
  })
})

describe("Prng ranges", () => {
  it("fast-check: nextInt(n) is an integer in [0, n)", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 2 ** 32 }), (seed, n) => {
        const p = Prng.fromSeed(seed, "int")
        for (let i = 0; i < 50; i++) {
          const x = p.nextInt(n)
          expect(Number.isInteger(x)).toBe(true)
          expect(x).toBeGreaterThanOrEqual(0)
          expect(x).toBeLessThan(n)
        }
      })
    )
  })

  it("nextInt(1) is always 0 and nextInt(n) reaches every value of a small range", () => {
    const p = Prng.fromSeed(3)
    for (let i = 0; i < 100; i++) expect(p.nextInt(1)).toBe(0)
    const seen = new Set<number>()
    for (let i = 0; i < 1000; i++) seen.add(p.nextInt(7))
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it("fast-check: nextDouble is in [0, 1) and nextUint32 is a 32-bit unsigned integer", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const p = Prng.fromSeed(seed, "double")
        for (let i = 0; i < 200; i++) {
          const d = p.nextDouble()
          expect(d).toBeGreaterThanOrEqual(0)
          expect(d).toBeLessThan(1)
          const u = p.nextUint32()
          expect(Number.isInteger(u)).toBe(true)
          expect(u).toBeGreaterThanOrEqual(0)
          expect(u).toBeLessThanOrEqual(0xffffffff)
        }
      })
    )
  })

  it("fast-check: uniform(min, max) stays in [min, max), exponential and weibull are finite and >= 0", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        (seed, min, width) => {
          const p = Prng.fromSeed(seed)
          for (let i = 0; i < 50; i++) {
            const u = p.uniform(min, min + width)
            expect(u).toBeGreaterThanOrEqual(min)
            expect(u).toBeLessThanOrEqual(min + width)
            const e = p.exponential(width)
            expect(Number.isFinite(e)).toBe(true)
            expect(e).toBeGreaterThanOrEqual(0)
            const w = p.weibull(0.7, width)
            expect(Number.isFinite(w)).toBe(true)
            expect(w).toBeGreaterThanOrEqual(0)
            expect(p.lognormal(width, 1)).toBeGreaterThan(0)
          }
        }
      )
    )
  })
})

describe("Prng distributions (20k draws, fixed seeds)", () => {
  const N = 20_000
  const seeds = [1, 2, 42]

  it("nextDouble has mean 1/2 and roughly uniform deciles", () => {
    for (const seed of seeds) {
      const p = Prng.fromSeed(seed, "u01")
      const bins = new Array<number>(10).fill(0)
      let sum = 0
      for (let i = 0; i < N; i++) {
        const d = p.nextDouble()
        sum += d
        bins[Math.floor(d * 10)]!++
      }
      expect(sum / N).toBeGreaterThan(0.49)
      expect(sum / N).toBeLessThan(0.51)
      for (const b of bins) {
        expect(b).toBeGreaterThan(N / 10 * 0.9)
        expect(b).toBeLessThan(N / 10 * 1.1)
      }
    }
  })

  it("uniform(min, max) has mean (min + max) / 2", () => {
    for (const seed of seeds) {
      const p = Prng.fromSeed(seed, "uniform")
      const m = mean(N, () => p.uniform(10, 30))
      expect(m).toBeGreaterThan(19.7)
      expect(m).toBeLessThan(20.3)
    }
  })

  it("exponential(mean) has that mean", () => {
    for (const seed of seeds) {
      for (const target of [1, 250, 3600]) {
        const p = Prng.fromSeed(seed, `exp${target}`)
        const m = mean(N, () => p.exponential(target))
        expect(m).toBeGreaterThan(target * 0.95)
        expect(m).toBeLessThan(target * 1.05)
      }
    }
  })

  it("weibull(shape, scale) has mean scale * Gamma(1 + 1/shape)", () => {
    // Gamma(2) = 1, Gamma(1.5) = sqrt(pi)/2, Gamma(3) = 2.
    const cases: ReadonlyArray<[number, number, number]> = [
      [1, 100, 100],
      [2, 100, 100 * Math.sqrt(Math.PI) / 2],
      [0.5, 10, 20]
    ]
    for (const seed of seeds) {
      for (const [shape, scale, expected] of cases) {
        const p = Prng.fromSeed(seed, `weibull${shape}`)
        const m = mean(N, () => p.weibull(shape, scale))
        expect(m).toBeGreaterThan(expected * 0.9)
        expect(m).toBeLessThan(expected * 1.1)
      }
    }
  })

  it("normal(mean, sd) has that mean and sd; lognormal(median) has that median", () => {
    for (const seed of seeds) {
      const p = Prng.fromSeed(seed, "normal")
      const xs = Array.from({ length: N }, () => p.normal(5, 2))
      const m = xs.reduce((a, b) => a + b, 0) / N
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (N - 1))
      expect(m).toBeGreaterThan(4.95)
      expect(m).toBeLessThan(5.05)
      expect(sd).toBeGreaterThan(1.95)
      expect(sd).toBeLessThan(2.05)
      const ln = Array.from({ length: N }, () => p.lognormal(30, 1)).sort((a, b) => a - b)
      expect(ln[N / 2]!).toBeGreaterThan(28)
      expect(ln[N / 2]!).toBeLessThan(32)
    }
  })

  it("weighted draws follow the weights", () => {
    for (const seed of seeds) {
      const p = Prng.fromSeed(seed, "weighted")
      const counts = [0, 0, 0, 0]
      for (let i = 0; i < N; i++) counts[p.weighted([1, 0, 3, 6])]!++
      expect(counts[1]).toBe(0)
      expect(counts[0]! / N).toBeGreaterThan(0.08)
      expect(counts[0]! / N).toBeLessThan(0.12)
      expect(counts[2]! / N).toBeGreaterThan(0.27)
      expect(counts[2]! / N).toBeLessThan(0.33)
      expect(counts[3]! / N).toBeGreaterThan(0.57)
      expect(counts[3]! / N).toBeLessThan(0.63)
    }
  })
})

describe("Prng.weighted", () => {
  it("fast-check: never returns an index whose weight is 0", () => {
    const weight = fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 1000 }),
      fc.double({ min: 1e-6, max: 1e6, noNaN: true, noDefaultInfinity: true })
    )
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(weight, { minLength: 1, maxLength: 20 }).filter((ws) => ws.some((w) => w > 0)),
        (seed, weights) => {
          const p = Prng.fromSeed(seed, "w")
          for (let i = 0; i < 200; i++) {
            const k = p.weighted(weights)
            expect(Number.isInteger(k)).toBe(true)
            expect(k).toBeGreaterThanOrEqual(0)
            expect(k).toBeLessThan(weights.length)
            expect(weights[k]).toBeGreaterThan(0)
          }
        }
      )
    )
  })

  it("a single positive weight among zeros is always chosen, wherever it is", () => {
    const p = Prng.fromSeed(9)
    for (let pos = 0; pos < 5; pos++) {
      const ws = [0, 0, 0, 0, 0]
      ws[pos] = 2.5
      for (let i = 0; i < 100; i++) expect(p.weighted(ws)).toBe(pos)
    }
  })
})

describe("Rng service", () => {
  it.effect("layerSeeded streams are the seed's root split by label", () =>
    Effect.gen(function*() {
      const rng = yield* Rng
      expect(rng.seed).toBe(42)
      expect(draws(rng.stream("nodes"), 8)).toEqual(draws(Prng.fromSeed(42).split("nodes"), 8))
      expect(draws(rng.stream("nodes"), 8)).not.toEqual(draws(rng.stream("workload"), 8))
    }).pipe(Effect.provide(Rng.layerSeeded(42))))

  it.effect("layerEffectRandom makes Effect's Random reproducible from the seed", () =>
    Effect.gen(function*() {
      const run = Effect.all([Random.nextInt, Random.nextInt, Random.next])
      const a = yield* run.pipe(Effect.provide(layerEffectRandom(5)))
      const b = yield* run.pipe(Effect.provide(layerEffectRandom(5)))
      const c = yield* run.pipe(Effect.provide(layerEffectRandom(6)))
      expect(a).toEqual(b)
      expect(a).not.toEqual(c)
    }))
})

describe("Prng.weighted edge cases", () => {
  // Regression: a subnormal total once let rounding pick a zero-weight index.
  it("never returns a zero-weight index even with subnormal weights", () => {
    const p = Prng.fromSeed(1)
    for (let i = 0; i < 100; i++) expect(p.weighted([Number.MIN_VALUE, 0])).toBe(0)
  })
})
