// The data checks behind each chart's error state: a message naming the problem (and the series,
// group or slice), or null when the data can be drawn. Kept DOM-free so they are easy to test.
// Point indices in messages are 0-based array indices.
import type { BarGroup, ScaleKind, Series, Slice } from "./types.ts"

const show = (v: unknown): string => (typeof v === "number" ? String(v) : typeof v)

export function validateSeries(
  series: ReadonlyArray<Series> | null | undefined,
  xScale: ScaleKind,
  yScale: ScaleKind
): string | null {
  if (!Array.isArray(series) || series.length === 0) return "no series to plot"
  for (const s of series as ReadonlyArray<Series>) {
    const label = `series "${s.name}"`
    if (!Array.isArray(s.points) || s.points.length === 0) return `${label} has no points`
    for (let i = 0; i < s.points.length; i++) {
      const p: unknown = s.points[i]
      if (!Array.isArray(p) || p.length < 2) return `${label}: point ${i} is not an [x, y] pair`
      const [x, y] = p as [unknown, unknown]
      if (typeof x !== "number" || !Number.isFinite(x)) return `${label}: point ${i} has a non-finite x (${show(x)})`
      if (typeof y !== "number" || !Number.isFinite(y)) return `${label}: point ${i} has a non-finite y (${show(y)})`
      if (xScale === "log" && x <= 0) {
        return `${label}: point ${i} has x = ${x}, but the x axis is logarithmic and needs x > 0`
      }
      if (yScale === "log" && y <= 0) {
        return `${label}: point ${i} has y = ${y}, but the y axis is logarithmic and needs y > 0`
      }
    }
  }
  return null
}

export function validateBars(
  categories: ReadonlyArray<string> | null | undefined,
  groups: ReadonlyArray<BarGroup> | null | undefined,
  yScale: ScaleKind
): string | null {
  if (!Array.isArray(categories) || categories.length === 0) return "no categories to plot"
  if (!Array.isArray(groups) || groups.length === 0) return "no groups to plot"
  const seen = new Set<string>()
  for (const c of categories as ReadonlyArray<string>) {
    if (seen.has(c)) return `category "${c}" appears more than once`
    seen.add(c)
  }
  for (const g of groups as ReadonlyArray<BarGroup>) {
    const label = `group "${g.name}"`
    const n = Array.isArray(g.values) ? g.values.length : 0
    if (n !== categories.length) {
      return `${label} has ${n} values but there are ${categories.length} categories`
    }
    for (let i = 0; i < n; i++) {
      const v: unknown = g.values[i]
      const where = `${label}, category "${categories[i]}"`
      if (typeof v !== "number" || !Number.isFinite(v)) return `${where}: value is non-finite (${show(v)})`
      if (v < 0) return `${where}: value is negative (${v})`
      if (yScale === "log" && v <= 0) {
        return `${where}: value is ${v}, but the y axis is logarithmic and needs values > 0`
      }
    }
  }
  return null
}

export function validateSlices(slices: ReadonlyArray<Slice> | null | undefined): string | null {
  if (!Array.isArray(slices) || slices.length === 0) return "no slices to plot"
  let total = 0
  for (const s of slices as ReadonlyArray<Slice>) {
    const v: unknown = s.value
    if (typeof v !== "number" || !Number.isFinite(v)) return `slice "${s.name}": value is non-finite (${show(v)})`
    if (v < 0) return `slice "${s.name}": value is negative (${v})`
    total += v
  }
  if (!(total > 0)) return "all slices are zero: nothing to divide"
  if (!Number.isFinite(total)) return "slice values are too large: their total is not finite"
  return null
}
