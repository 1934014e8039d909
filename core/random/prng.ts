// A small, fast, splittable PRNG (sfc32 seeded by a string hash) so that every component
// draws from its own stream: adding a draw in one component never shifts another's numbers,
// which keeps policy comparisons paired and runs byte-reproducible from one seed.

const fnv1a = (text: string, basis: number): number => {
  let h = basis >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

const splitmix32 = (state: number): [number, number] => {
  const next = (state + 0x9e3779b9) | 0
  let z = next
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return [(z ^ (z >>> 16)) >>> 0, next]
}

export class Prng {
  private a: number
  private b: number
  private c: number
  private d: number
  /** The seed text this stream was derived from, kept so children can be split off it. */
  readonly path: string

  private constructor(path: string) {
    this.path = path
    let s = fnv1a(path, 0x811c9dc5)
    const out: Array<number> = []
    for (let i = 0; i < 4; i++) {
      const [v, n] = splitmix32(s)
      out.push(v)
      s = n
    }
    this.a = out[0]!
    this.b = out[1]!
    this.c = out[2]!
    this.d = out[3]! | 1
    for (let i = 0; i < 12; i++) this.nextUint32()
  }

  static fromSeed(seed: number | bigint, label = "root"): Prng {
    return new Prng(`${seed}/${label}`)
  }

  /** An independent stream named by `label`; does not consume draws from this one. */
  split(label: string | number): Prng {
    return new Prng(`${this.path}/${label}`)
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  nextDouble(): number {
    return this.nextUint32() / 4294967296
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.nextDouble() * n)
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.nextDouble()
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.nextDouble())
  }

  /** Weibull with shape k and scale lambda (by inversion). */
  weibull(shape: number, scale: number): number {
    return scale * Math.pow(-Math.log(1 - this.nextDouble()), 1 / shape)
  }

  normal(mean = 0, sd = 1): number {
    const u = 1 - this.nextDouble()
    const v = this.nextDouble()
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal())
  }

  /** Index drawn with probability proportional to weights[i]. */
  weighted(weights: ReadonlyArray<number>): number {
    let total = 0
    for (const w of weights) total += w
    let x = this.nextDouble() * total
    let lastPositive = weights.length - 1
    for (let i = 0; i < weights.length; i++) {
      if (weights[i]! <= 0) continue
      lastPositive = i
      x -= weights[i]!
      if (x < 0) return i
    }
    // Rounding (subnormal totals) can leave x at exactly 0: the last index with weight wins.
    return lastPositive
  }
}
