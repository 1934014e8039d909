// <cc-bar-chart>: grouped vertical bars (one per category × group) on a linear or log y axis, with
// legend, hover tooltip, table view and an error state for invalid data.
import { scaleBand } from "d3"
import { html, nothing, svg, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit"
import { leftAxis } from "./axes.ts"
import { ChartBase } from "./ChartBase.ts"
import { colorAt } from "./colors.ts"
import { dataTable } from "./dataTable.ts"
import { formatValue } from "./format.ts"
import { legend } from "./legend.ts"
import { continuousScale, type Scale, unplottable } from "./scales.ts"
import { axisTicks, leftMarginFor } from "./ticks.ts"
import type { BarGroup, ScaleKind } from "./types.ts"
import { validateBars } from "./validate.ts"

export const BAR_CHART_TAG = "cc-bar-chart"

const MAX_LABEL = 18
const shorten = (s: string): string => (s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s)

interface Hover {
  readonly group: number
  readonly category: number
}

export class BarChart extends ChartBase {
  static override properties: PropertyDeclarations = {
    categories: { attribute: false },
    groups: { attribute: false },
    xLabel: { type: String, attribute: "x-label" },
    yLabel: { type: String, attribute: "y-label" },
    yScale: { type: String, attribute: "y-scale" },
    hover: { state: true }
  }

  declare categories: ReadonlyArray<string>
  declare groups: ReadonlyArray<BarGroup>
  declare xLabel: string
  declare yLabel: string
  declare yScale: ScaleKind
  /** The bar under the pointer, else null. */
  declare hover: Hover | null

  #error: string | null = null
  /** The value scale for valid data; its range is set when drawing. */
  #y: Scale | undefined

  constructor() {
    super()
    this.categories = []
    this.groups = []
    this.xLabel = ""
    this.yLabel = ""
    this.yScale = "linear"
    this.hover = null
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.size === 1 && changed.has("hover")) return
    this.#error = validateBars(this.categories, this.groups, this.yScale)
    this.#y = undefined
    if (this.#error === null) {
      const values = this.groups.flatMap((g) => g.values)
      const y = continuousScale(this.yScale, values, [1, 0], true)
      if (y === null) this.#error = unplottable("bar", values)
      else this.#y = y
    }
    if (this.#error !== null || changed.has("categories") || changed.has("groups")) this.hover = null
  }

  protected override validationError(): string | null {
    return this.#error
  }

  protected override renderChart(): TemplateResult {
    if (this.#y === undefined) return html``
    const height = this.plotHeight
    const y = this.#y.copy()
    const yTicks = axisTicks(y, this.yScale, Math.max(2, Math.round(height / 50)))
    const longest = this.categories.reduce((m, c) => Math.max(m, shorten(c).length), 0)
    const left = leftMarginFor(yTicks)
    const roughInner = Math.max(40, this.width - left - 16)
    // Category labels turn diagonal when they would not fit side by side.
    const rotate = longest * 7 > (roughInner / this.categories.length) * 0.9
    const bottom = rotate ? Math.min(130, 34 + longest * 5.5) : 46
    const margin = { top: 12, right: 16, bottom, left }
    const innerWidth = roughInner
    const innerHeight = Math.max(40, height - margin.top - margin.bottom)
    y.range([innerHeight, 0])
    const x0 = scaleBand<string>().domain(this.categories).range([0, innerWidth]).paddingInner(0.2).paddingOuter(0.1)
    const x1 = scaleBand<number>()
      .domain(this.groups.map((_, i) => i))
      .range([0, x0.bandwidth()])
      .padding(0.06)
    const label = `${this.heading ? `${this.heading}: ` : ""}bar chart of ${this.yLabel || "value"} by ${
      this.xLabel || "category"
    } for ${this.groups.map((g) => g.name).join(", ")}`
    const baseline = innerHeight
    return html`<div class="plot">
        <svg role="img" aria-label=${label} viewBox="0 0 ${this.width} ${height}" width=${this.width} height=${height}>
          <g transform="translate(${margin.left},${margin.top})">
            ${leftAxis(yTicks, y, innerWidth, innerHeight, margin.left, this.yLabel)}
            ${this.groups.map((g, gi) =>
              this.categories.map((c, ci) => {
                const v = g.values[ci] ?? 0
                const top = Math.min(baseline, y(v))
                const active = this.hover?.group === gi && this.hover.category === ci
                return svg`<rect class="bar${active ? " active" : ""}" data-group=${g.name} data-category=${c}
                  x=${(x0(c) ?? 0) + (x1(gi) ?? 0)} y=${top} width=${x1.bandwidth()} height=${baseline - top}
                  fill=${colorAt(gi)}
                  @pointerenter=${() => this.#setHover(gi, ci)} @pointermove=${() => this.#setHover(gi, ci)}
                  @pointerleave=${this.#clearHover}></rect>`
              })
            )}
            <g class="axis x" transform="translate(0,${innerHeight})">
              <line class="domain" x1="0" x2=${innerWidth}></line>
              ${this.categories.map(
                (c) => svg`<g class="tick" transform="translate(${(x0(c) ?? 0) + x0.bandwidth() / 2},0)">
                  <title>${c}</title>
                  <line y2="6"></line>
                  <text class="category" y="9" dy="0.71em" text-anchor=${rotate ? "end" : "middle"}
                    transform=${rotate ? "rotate(-35)" : nothing}>${shorten(c)}</text>
                </g>`
              )}
              <text class="axis-label" x=${innerWidth / 2} y=${margin.bottom - 8} text-anchor="middle">${this.xLabel}</text>
            </g>
          </g>
        </svg>
        ${this.#renderTooltip(margin.left, margin.top, x0, x1, y)}
      </div>
      ${legend(this.groups.map((g, i) => ({ name: g.name, color: colorAt(i) })))}`
  }

  #setHover(group: number, category: number): void {
    if (this.hover?.group !== group || this.hover.category !== category) this.hover = { group, category }
  }

  #clearHover(): void {
    this.hover = null
  }

  #renderTooltip(
    offsetX: number,
    offsetY: number,
    x0: (c: string) => number | undefined,
    x1: { (i: number): number | undefined; bandwidth(): number },
    y: (v: number) => number
  ): TemplateResult | typeof nothing {
    const h = this.hover
    if (h === null) return nothing
    const group = this.groups[h.group]
    const category = this.categories[h.category]
    if (group === undefined || category === undefined) return nothing
    const value = group.values[h.category] ?? 0
    const cx = offsetX + (x0(category) ?? 0) + (x1(h.group) ?? 0) + x1.bandwidth() / 2
    const cy = offsetY + y(value)
    return html`<div class="tooltip"
      style="left:${(cx / this.width) * 100}%;top:${(cy / this.plotHeight) * 100}%;transform:translate(-50%, calc(-100% - 6px))">
      <div class="row">
        <span class="swatch" style="background:${colorAt(h.group)}" aria-hidden="true"></span>
        <strong>${group.name}</strong>
      </div>
      <div>${this.xLabel || "category"}: ${category}</div>
      <div>${this.yLabel || "value"}: ${formatValue(value)}</div>
    </div>`
  }

  protected override renderTable(): TemplateResult {
    const rows = this.categories.map((c, ci) => [c, ...this.groups.map((g) => formatValue(g.values[ci] ?? 0))])
    const unit = this.yLabel ? ` (values: ${this.yLabel})` : ""
    return dataTable(`${this.heading || "Bar chart"}: data${unit}`, [this.xLabel || "category", ...this.groups.map((g) => g.name)], rows)
  }
}

if (!customElements.get(BAR_CHART_TAG)) customElements.define(BAR_CHART_TAG, BarChart)

declare global {
  interface HTMLElementTagNameMap {
    [BAR_CHART_TAG]: BarChart
  }
}
