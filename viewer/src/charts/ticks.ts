// Tick positions and labels for continuous axes. Linear axes label every tick; log axes keep
// every tick line but label only a few (powers of ten), so labels never collide.
import type { ScaleContinuousNumeric } from "d3"
import { format } from "d3"
import type { ScaleKind } from "./types.ts"

export interface Tick {
  readonly value: number
  /** Empty for an unlabelled (minor) tick. */
  readonly label: string
}

const powerLabel = format("~g")

const isPowerOfTen = (v: number): boolean => {
  const e = Math.log10(v)
  return Math.abs(e - Math.round(e)) < 1e-9
}

export function axisTicks(
  scale: ScaleContinuousNumeric<number, number>,
  kind: ScaleKind,
  count: number
): ReadonlyArray<Tick> {
  const values = scale.ticks(count)
  if (kind === "linear") {
    const f = scale.tickFormat(count)
    return values.map((value) => ({ value, label: f(value) }))
  }
  const powers = values.filter(isPowerOfTen)
  if (powers.length >= 3) {
    const every = Math.ceil(powers.length / Math.max(2, count))
    const labelled = new Set(powers.filter((_, i) => i % every === 0))
    return values.map((value) => ({ value, label: labelled.has(value) ? powerLabel(value) : "" }))
  }
  // At most one decade or two: d3's log format labels 1, 2, 5-style ticks and blanks the rest.
  const f = scale.tickFormat(count, "~g")
  return values.map((value) => ({ value, label: f(value) }))
}

/** A left margin wide enough for the longest tick label plus the rotated axis title. */
export function leftMarginFor(ticks: ReadonlyArray<Tick>): number {
  const longest = ticks.reduce((m, t) => Math.max(m, t.label.length), 0)
  return Math.min(110, Math.max(48, 30 + 7 * longest))
}
