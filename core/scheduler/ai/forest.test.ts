import { RandomForestRegression } from "ml-random-forest"
import { describe, expect, it } from "vitest"
import { Prng } from "../../random/prng.ts"
import { defaultForestSettings, trainClassifierForest, trainRegressionForest } from "./forest.ts"

const data = (n: number, seed: number) => {
  const rng = Prng.fromSeed(seed, "forest-test")
  const rows: Array<Array<number>> = []
  const y: Array<number> = []
  for (let i = 0; i < n; i++) {
    const a = rng.nextDouble() * 10, b = rng.nextDouble() * 10, c = rng.nextDouble()
    rows.push([a, b, c])
    y.push(a > 5 ? 3 * b : b / 2)
  }
  return { rows, y }
}

describe("flattened forests", () => {
  it("predict what the library's forest predicts, tree for tree", () => {
    const { rows, y } = data(300, 1)
    const s = { ...defaultForestSettings, trees: 7, featureFraction: 0.7 }
    const flat = trainRegressionForest(rows, y, s, 11)
    const options = {
      nEstimators: s.trees, maxFeatures: s.featureFraction, replacement: false, useSampleBagging: true, selectionMethod: "mean" as const,
      maxSamples: s.samplesPerTree, seed: 11, noOOB: true,
      treeOptions: { maxDepth: s.maxDepth, minNumSamples: s.minLeafSamples }
    }
    const lib = new RandomForestRegression(options)
    lib.train(rows, y)
    const probe = data(50, 2).rows
    const expected = lib.predict(probe)
    probe.forEach((row, i) => expect(flat.predict(row)).toBeCloseTo(expected[i]!, 9))
  })

  it("learn a piecewise function well enough to rank", () => {
    const { rows, y } = data(600, 3)
    const flat = trainRegressionForest(rows, y, defaultForestSettings, 5)
    expect(flat.predict([8, 9, 0.5])).toBeGreaterThan(20)
    expect(flat.predict([2, 9, 0.5])).toBeLessThan(8)
  })

  it("give class probabilities in [0, 1] that separate the classes", () => {
    const rng = Prng.fromSeed(4, "classes")
    const rows: Array<Array<number>> = []
    const labels: Array<number> = []
    for (let i = 0; i < 400; i++) {
      const a = rng.nextDouble()
      rows.push([a, rng.nextDouble()])
      labels.push(rng.nextDouble() < (a > 0.5 ? 0.9 : 0.1) ? 1 : 0)
    }
    const flat = trainClassifierForest(rows, labels, defaultForestSettings, 9)
    const high = flat.predict([0.9, 0.5]), low = flat.predict([0.1, 0.5])
    expect(high).toBeGreaterThan(0.6)
    expect(low).toBeLessThan(0.4)
    for (const p of [high, low]) expect(p >= 0 && p <= 1).toBe(true)
  })
})
