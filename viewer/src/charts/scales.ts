// Continuous scales for the charts' value axes: linear or log, padded when the values are all
// equal, niced when that stays representable, and refused (null) when doubles can't place them.
import { extent, scaleLinear, scaleLog, type ScaleContinuousNumeric } from "d3"
import type { ScaleKind } from "./types.ts"

export type Scale = ScaleContinuousNumeric<number, number>

/** Spans below this are treated as a single value: d3's tick maths underflows on them. */
const MIN_SPAN = 1e-200

function usable(scale: Scale, kind: ScaleKind): boolean {
  const [lo, hi] = scale.domain() as [number, number]
  const finite = Number.isFinite(lo) && Number.isFinite(hi) && Number.isFinite(hi - lo) && hi > lo
  return finite && (kind === "linear" || (lo >= 1e-300 && Number.isFinite(Math.log(hi) - Math.log(lo))))
}

/**
 * A scale over `values` (non-empty; all > 0 for log). With `fromZero`, a linear domain includes 0.
 * Null when the values are out of the range a chart can place (e.g. spanning more than a double).
 */
export function continuousScale(
  kind: ScaleKind,
  values: ReadonlyArray<number>,
  range: [number, number],
  fromZero: boolean
): Scale | null {
  let [lo, hi] = extent(values) as [number, number]
  let scale: Scale
  if (kind === "log") {
    if (lo === hi) [lo, hi] = [lo / 10, Math.min(hi * 10, Number.MAX_VALUE)]
    scale = scaleLog().domain([lo, hi]).range(range)
  } else {
    if (fromZero) [lo, hi] = [Math.min(0, lo), Math.max(0, hi)]
    if (fromZero && lo === 0 && hi === 0) hi = 1
    if (hi - lo < MIN_SPAN) {
      const pad = Math.max(Math.abs(lo) / 10, MIN_SPAN)
      ;[lo, hi] = [Math.max(lo - pad, -Number.MAX_VALUE), Math.min(hi + pad, Number.MAX_VALUE)]
    }
    scale = scaleLinear().domain([lo, hi]).range(range)
  }
  if (!usable(scale, kind)) return null
  const niced = scale.copy().nice()
  return usable(niced, kind) ? niced : scale
}

/** Why continuousScale refused these values, for the error state. */
export function unplottable(axis: string, values: ReadonlyArray<number>): string {
  const [lo, hi] = extent(values) as [number, number]
  return `the ${axis} values (from ${lo} to ${hi}) are out of the range a chart can place`
}
