// The randomness port. Sim seeds it from the scenario's seed; live seeds it from the OS.
// Components ask for a named stream once and then draw synchronously on their hot path.
import { Context, Layer, Random } from "effect"
import { Prng } from "./prng.ts"

export class Rng extends Context.Tag("crowdcloud/Rng")<Rng, {
  readonly seed: number
  readonly stream: (label: string) => Prng
}>() {
  static layerSeeded(seed: number): Layer.Layer<Rng> {
    const root = Prng.fromSeed(seed)
    return Layer.succeed(Rng, { seed, stream: (label) => root.split(label) })
  }
}

/** Effect's own Random service from the same seed, for effectful code that draws occasionally. */
export const layerEffectRandom = (seed: number): Layer.Layer<never> =>
  Layer.setRandom(Random.make(seed))
