// Random forests trained with ml-random-forest and flattened into typed arrays for prediction.
// The library trains well but predicts through matrices and recursive nodes; a placement scores
// several nodes per job, so prediction must cost a few hundred comparisons and no allocation.
import { RandomForestClassifier, RandomForestRegression } from "ml-random-forest"

export interface ForestSettings {
  readonly trees: number
  readonly maxDepth: number
  /** Examples drawn (with replacement) for each tree: CART's split search is quadratic in them. */
  readonly samplesPerTree: number
  /** Fraction of the features each tree may split on. */
  readonly featureFraction: number
  readonly minLeafSamples: number
}

export const defaultForestSettings: ForestSettings = {
  trees: 16,
  maxDepth: 8,
  samplesPerTree: 150,
  featureFraction: 1,
  minLeafSamples: 4
}

/** Trees in preorder: an internal node holds its column and threshold, a leaf its value (column -1). */
export class FlatForest {
  constructor(
    private readonly column: Int32Array,
    private readonly threshold: Float64Array,
    private readonly right: Int32Array,
    private readonly roots: Int32Array
  ) {}

  get trees(): number {
    return this.roots.length
  }

  /** Mean over trees of the leaf value: a regression estimate, or the probability of class 1. */
  predict(row: ArrayLike<number>): number {
    let sum = 0
    const { column, threshold, right, roots } = this
    for (let t = 0; t < roots.length; t++) {
      let i = roots[t]!
      for (let c = column[i]!; c >= 0; c = column[i]!) i = row[c]! < threshold[i]! ? i + 1 : right[i]!
      sum += threshold[i]!
    }
    return sum / roots.length
  }
}

interface TreeNodeLike {
  readonly left?: TreeNodeLike
  readonly right?: TreeNodeLike
  readonly splitColumn?: number
  readonly splitValue?: number
  readonly distribution?: number | { readonly columns: number; get(r: number, c: number): number }
}

interface ForestLike {
  readonly estimators?: ReadonlyArray<{ readonly root: TreeNodeLike }>
  readonly indexes?: ReadonlyArray<ReadonlyArray<number>>
}

const flatten = (forest: ForestLike): FlatForest => {
  const column: Array<number> = []
  const threshold: Array<number> = []
  const right: Array<number> = []
  const roots: Array<number> = []
  const estimators = forest.estimators ?? []
  const indexes = forest.indexes ?? []
  estimators.forEach((estimator, t) => {
    // Each tree was trained on a subset of the columns; map its columns back to the row's.
    const used = indexes[t]!
    const visit = (node: TreeNodeLike): void => {
      const at = column.length
      if (node.left !== undefined && node.right !== undefined) {
        column.push(used[node.splitColumn!]!)
        threshold.push(node.splitValue!)
        right.push(-1)
        visit(node.left)
        right[at] = column.length
        visit(node.right)
      } else {
        const d = node.distribution
        column.push(-1)
        threshold.push(typeof d === "number" ? d : d !== undefined && d.columns > 1 ? d.get(0, 1) : 0)
        right.push(-1)
      }
    }
    roots.push(column.length)
    visit(estimator.root)
  })
  return new FlatForest(Int32Array.from(column), Float64Array.from(threshold), Int32Array.from(right), Int32Array.from(roots))
}

const options = (s: ForestSettings, rows: number, seed: number) => ({
  nEstimators: s.trees,
  maxFeatures: s.featureFraction,
  replacement: false,
  useSampleBagging: true,
  maxSamples: Math.min(rows, s.samplesPerTree),
  seed,
  noOOB: true,
  treeOptions: { maxDepth: s.maxDepth, minNumSamples: s.minLeafSamples }
})

export const trainRegressionForest = (rows: Array<Array<number>>, values: Array<number>, s: ForestSettings, seed: number): FlatForest => {
  const forest = new RandomForestRegression({ ...options(s, rows.length, seed), selectionMethod: "mean" })
  forest.train(rows, values)
  return flatten(forest as unknown as ForestLike)
}

/** Labels are 0 or 1; the forest predicts the probability of 1. */
export const trainClassifierForest = (rows: Array<Array<number>>, labels: Array<number>, s: ForestSettings, seed: number): FlatForest => {
  const forest = new RandomForestClassifier(options(s, rows.length, seed))
  forest.train(rows, labels)
  return flatten(forest as unknown as ForestLike)
}
