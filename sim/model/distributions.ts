// Draws from a scenario's distributions, in seconds.
import type { Prng } from "../../core/random/prng.ts"
import type { Distribution } from "../../scenarios/schema.ts"

export const sampleSeconds = (d: Distribution, rng: Prng): number => {
  switch (d.kind) {
    case "constant":
      return d.valueS
    case "exponential":
      return rng.exponential(d.meanS)
    case "weibull":
      return rng.weibull(d.shape, d.scaleS)
    case "lognormal":
      return rng.lognormal(d.medianS, d.sigma)
    case "pareto": {
      // Bounded Pareto by inversion.
      const u = rng.nextDouble()
      const la = Math.pow(d.minS, d.alpha)
      const ha = Math.pow(d.maxS, d.alpha)
      return Math.pow(-(u * ha - u * la - ha) / (ha * la), -1 / d.alpha)
    }
  }
}

export const meanSeconds = (d: Distribution): number => {
  switch (d.kind) {
    case "constant":
      return d.valueS
    case "exponential":
      return d.meanS
    case "weibull": {
      // Gamma(1 + 1/k) by Lanczos-free Stirling series is enough for a stationary-state estimate.
      return d.scaleS * gamma(1 + 1 / d.shape)
    }
    case "lognormal":
      return d.medianS * Math.exp((d.sigma * d.sigma) / 2)
    case "pareto": {
      const { alpha: a, minS: l, maxS: h } = d
      if (a === 1) return ((h * l) / (h - l)) * Math.log(h / l)
      return (Math.pow(l, a) / (1 - Math.pow(l / h, a))) * (a / (a - 1)) * (1 / Math.pow(l, a - 1) - 1 / Math.pow(h, a - 1))
    }
  }
}

const gamma = (z: number): number => {
  // Lanczos approximation (g = 7), accurate to ~15 digits for z > 0.5.
  const p = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7]
  if (z < 0.5) return Math.PI / (Math.sin(Math.PI * z) * gamma(1 - z))
  z -= 1
  let x = p[0]!
  for (let i = 1; i < 9; i++) x += p[i]! / (z + i)
  const t = z + 7.5
  return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * x
}
