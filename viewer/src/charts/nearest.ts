// Finds what the line chart's hover tooltip shows: for each series, the point at the pointer's x.
import { bisector } from "d3"

export type Point = readonly [number, number]

const byX = bisector<Point, number>((p) => p[0])

/** The points sorted by x (a copy), as nearestPoint needs. */
export function sortByX(points: ReadonlyArray<Point>): Point[] {
  return [...points].sort((a, b) => a[0] - b[0])
}

/**
 * The point of `sorted` (ascending x) nearest to `x`. With `step` (a step-after curve, e.g. a CDF)
 * it is instead the last point at or before `x`, whose y the curve shows there (the first point
 * when `x` is before them all). Undefined only for an empty array.
 */
export function nearestPoint(sorted: ReadonlyArray<Point>, x: number, step = false): Point | undefined {
  if (sorted.length === 0) return undefined
  if (step) return sorted[Math.max(0, byX.right(sorted, x) - 1)]
  return sorted[byX.center(sorted, x)]
}
