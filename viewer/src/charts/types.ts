// The data the chart components take as properties. Charts validate it and show an error state
// (naming the problem) instead of drawing nonsense.

/** A named line: points as [x, y] in the units the chart's axis labels give. */
export interface Series {
  readonly name: string
  readonly points: ReadonlyArray<readonly [number, number]>
}

/** One group of bars: a value per category, in category order. */
export interface BarGroup {
  readonly name: string
  readonly values: ReadonlyArray<number>
}

export interface Slice {
  readonly name: string
  readonly value: number
}

export type ScaleKind = "linear" | "log"
