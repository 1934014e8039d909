// <cc-line-chart>: one line per series on linear or log axes (step curves for CDFs), with legend,
// hover tooltip, table view and an error state for invalid data.
import { curveLinear, curveStepAfter, line } from "d3"
import { html, nothing, svg, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit"
import { bottomAxis, leftAxis } from "./axes.ts"
import { ChartBase } from "./ChartBase.ts"
import { colorAt } from "./colors.ts"
import { dataTable, thinnedIndices } from "./dataTable.ts"
import { formatValue } from "./format.ts"
import { legend } from "./legend.ts"
import { nearestPoint, type Point, sortByX } from "./nearest.ts"
import { continuousScale, type Scale, unplottable } from "./scales.ts"
import { axisTicks, leftMarginFor, type Tick } from "./ticks.ts"
import type { ScaleKind, Series } from "./types.ts"
import { validateSeries } from "./validate.ts"

export const LINE_CHART_TAG = "cc-line-chart"

interface Layout {
  readonly margin: { readonly top: number; readonly right: number; readonly bottom: number; readonly left: number }
  readonly innerWidth: number
  readonly innerHeight: number
  readonly x: Scale
  readonly y: Scale
  readonly xTicks: ReadonlyArray<Tick>
  readonly yTicks: ReadonlyArray<Tick>
  readonly paths: ReadonlyArray<string>
  /** Each series' points sorted by x, for the tooltip's bisection. */
  readonly sorted: ReadonlyArray<ReadonlyArray<Point>>
}

export class LineChart extends ChartBase {
  static override properties: PropertyDeclarations = {
    series: { attribute: false },
    xLabel: { type: String, attribute: "x-label" },
    yLabel: { type: String, attribute: "y-label" },
    xScale: { type: String, attribute: "x-scale" },
    yScale: { type: String, attribute: "y-scale" },
    step: { type: Boolean },
    hoverX: { state: true }
  }

  declare series: ReadonlyArray<Series>
  declare xLabel: string
  declare yLabel: string
  declare xScale: ScaleKind
  declare yScale: ScaleKind
  /** Draw step-after curves (for CDFs) instead of straight segments. */
  declare step: boolean
  /** The pointer's x in data units while hovering the plot, else null. */
  declare hoverX: number | null

  #error: string | null = null
  #layout: Layout | undefined

  constructor() {
    super()
    this.series = []
    this.xLabel = ""
    this.yLabel = ""
    this.xScale = "linear"
    this.yScale = "linear"
    this.step = false
    this.hoverX = null
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const onlyHover = changed.size === 1 && changed.has("hoverX")
    if (onlyHover && this.#layout !== undefined) return
    this.#error = validateSeries(this.series, this.xScale, this.yScale)
    this.#layout = undefined
    if (this.#error === null) {
      const layout = this.#computeLayout()
      if (typeof layout === "string") this.#error = layout
      else this.#layout = layout
    }
    if (this.#error !== null || changed.has("series")) this.hoverX = null
  }

  protected override validationError(): string | null {
    return this.#error
  }

  /** The scales, ticks and paths for the current data and size, or why they can't be made. */
  #computeLayout(): Layout | string {
    const height = this.plotHeight
    const xs = this.series.flatMap((s) => s.points.map((p) => p[0]))
    const ys = this.series.flatMap((s) => s.points.map((p) => p[1]))
    // Tick labels don't depend on the range, so the y ticks can size the left margin first.
    const yProbe = continuousScale(this.yScale, ys, [0, 1], true)
    if (yProbe === null) return unplottable("y", ys)
    const yTicks = axisTicks(yProbe, this.yScale, Math.max(2, Math.round(height / 50)))
    const margin = { top: 12, right: 18, bottom: 46, left: leftMarginFor(yTicks) }
    const innerWidth = Math.max(40, this.width - margin.left - margin.right)
    const innerHeight = Math.max(40, height - margin.top - margin.bottom)
    const x = continuousScale(this.xScale, xs, [0, innerWidth], false)
    if (x === null) return unplottable("x", xs)
    const y = yProbe.copy().range([innerHeight, 0])
    const xTicks = axisTicks(x, this.xScale, Math.max(2, Math.floor(innerWidth / 80)))
    const draw = line<Point>()
      .x((p) => x(p[0]))
      .y((p) => y(p[1]))
      .curve(this.step ? curveStepAfter : curveLinear)
    return {
      margin,
      innerWidth,
      innerHeight,
      x,
      y,
      xTicks,
      yTicks,
      paths: this.series.map((s) => draw(s.points) ?? ""),
      sorted: this.series.map((s) => sortByX(s.points))
    }
  }

  #onPointerMove(event: PointerEvent): void {
    const layout = this.#layout
    const target = event.currentTarget as SVGElement | null
    const svgEl = target?.ownerSVGElement
    if (layout === undefined || !svgEl) return
    const box = svgEl.getBoundingClientRect()
    const ratio = box.width > 0 ? this.width / box.width : 1
    const px = (event.clientX - box.left) * ratio - layout.margin.left
    const clamped = Math.min(layout.innerWidth, Math.max(0, px))
    this.hoverX = layout.x.invert(clamped)
  }

  #onPointerLeave(): void {
    this.hoverX = null
  }

  protected override renderChart(): TemplateResult {
    const layout = this.#layout
    if (layout === undefined) return html``
    const { margin, innerWidth, innerHeight, x, y } = layout
    const height = this.plotHeight
    const label = `${this.heading ? `${this.heading}: ` : ""}line chart of ${this.yLabel || "y"} against ${
      this.xLabel || "x"
    }, ${this.series.length} series: ${this.series.map((s) => s.name).join(", ")}`
    const hovered =
      this.hoverX === null
        ? []
        : layout.sorted.flatMap((pts, i) => {
            const p = nearestPoint(pts, this.hoverX as number, this.step)
            return p === undefined ? [] : [{ index: i, point: p }]
          })
    return html`<div class="plot">
        <svg role="img" aria-label=${label} viewBox="0 0 ${this.width} ${height}" width=${this.width} height=${height}>
          <g transform="translate(${margin.left},${margin.top})">
            ${leftAxis(layout.yTicks, y, innerWidth, innerHeight, margin.left, this.yLabel)}
            ${bottomAxis(layout.xTicks, x, innerWidth, innerHeight, this.xLabel)}
            ${this.series.map(
              (s, i) => svg`<path class="series" data-series=${s.name} d=${layout.paths[i] ?? ""}
                stroke=${colorAt(i)}></path>
                ${s.points.length === 1
                  ? svg`<circle class="point" r="3" fill=${colorAt(i)}
                      cx=${x(s.points[0]?.[0] ?? 0)} cy=${y(s.points[0]?.[1] ?? 0)}></circle>`
                  : nothing}`
            )}
            ${this.hoverX === null
              ? nothing
              : svg`<line class="hover-rule" x1=${x(this.hoverX)} x2=${x(this.hoverX)} y2=${innerHeight}></line>`}
            ${hovered.map(
              (h) => svg`<circle class="focus" data-series=${this.series[h.index]?.name ?? ""} r="4"
                cx=${x(h.point[0])} cy=${y(h.point[1])} fill=${colorAt(h.index)}></circle>`
            )}
            <rect class="overlay" width=${innerWidth} height=${innerHeight}
              @pointermove=${this.#onPointerMove} @pointerdown=${this.#onPointerMove}
              @pointerleave=${this.#onPointerLeave}></rect>
          </g>
        </svg>
        ${hovered.length > 0 ? this.#renderTooltip(layout, hovered) : nothing}
      </div>
      ${legend(this.series.map((s, i) => ({ name: s.name, color: colorAt(i) })))}`
  }

  #renderTooltip(
    layout: Layout,
    hovered: ReadonlyArray<{ readonly index: number; readonly point: Point }>
  ): TemplateResult {
    const px = layout.margin.left + layout.x(this.hoverX as number)
    const leftHalf = px < this.width / 2
    const left = (px / this.width) * 100
    const top = (layout.margin.top / this.plotHeight) * 100
    const xName = this.xLabel || "x"
    const yName = this.yLabel || "y"
    return html`<div class="tooltip"
      style="left:${left}%;top:${top}%;transform:translateX(${leftHalf ? "12px" : "calc(-100% - 12px)"})">
      ${hovered.map(
        (h) => html`<div class="row">
          <span class="swatch" style="background:${colorAt(h.index)}" aria-hidden="true"></span>
          <span><strong>${this.series[h.index]?.name}</strong>: ${xName} ${formatValue(h.point[0])}, ${yName}
            ${formatValue(h.point[1])}</span>
        </div>`
      )}
    </div>`
  }

  protected override renderTable(): TemplateResult {
    const thinned: string[] = []
    const rows: string[][] = []
    for (const s of this.series) {
      const { indices, every } = thinnedIndices(s.points.length)
      if (every > 1) thinned.push(`1 point in ${every} of "${s.name}"`)
      for (const i of indices) {
        const p = s.points[i]
        if (p !== undefined) rows.push([s.name, formatValue(p[0]), formatValue(p[1])])
      }
    }
    const caption = `${this.heading || "Line chart"}: data${thinned.length > 0 ? ` (showing ${thinned.join(", ")})` : ""}`
    return dataTable(caption, ["series", this.xLabel || "x", this.yLabel || "y"], rows)
  }
}

if (!customElements.get(LINE_CHART_TAG)) customElements.define(LINE_CHART_TAG, LineChart)

declare global {
  interface HTMLElementTagNameMap {
    [LINE_CHART_TAG]: LineChart
  }
}
