// <cc-pie-chart>: shares of a whole, one slice per positive value, with a legend giving
// percentages, hover tooltip, table view and an error state for invalid data.
import { arc, pie, type PieArcDatum } from "d3"
import { html, nothing, svg, type PropertyDeclarations, type PropertyValues, type TemplateResult } from "lit"
import { ChartBase } from "./ChartBase.ts"
import { colorAt } from "./colors.ts"
import { dataTable } from "./dataTable.ts"
import { formatPercent, formatValue } from "./format.ts"
import { legend } from "./legend.ts"
import type { Slice } from "./types.ts"
import { validateSlices } from "./validate.ts"

export const PIE_CHART_TAG = "cc-pie-chart"

/** A slice with its position in `slices`, so colours and legend stay tied to the input order. */
interface Indexed {
  readonly slice: Slice
  readonly index: number
}

const layoutPie = pie<Indexed>()
  .value((d) => d.slice.value)
  .sort(null)

export class PieChart extends ChartBase {
  static override properties: PropertyDeclarations = {
    slices: { attribute: false },
    hover: { state: true }
  }

  declare slices: ReadonlyArray<Slice>
  /** The index (in `slices`) of the slice under the pointer, else null. */
  declare hover: number | null

  #error: string | null = null

  constructor() {
    super()
    this.slices = []
    this.hover = null
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.size === 1 && changed.has("hover")) return
    this.#error = validateSlices(this.slices)
    if (this.#error !== null || changed.has("slices")) this.hover = null
  }

  protected override validationError(): string | null {
    return this.#error
  }

  #total(): number {
    return this.slices.reduce((sum, s) => sum + s.value, 0)
  }

  protected override renderChart(): TemplateResult {
    const height = this.plotHeight
    const total = this.#total()
    const radius = Math.max(20, Math.min(this.width, height) / 2 - 8)
    const cx = this.width / 2
    const cy = height / 2
    const positive = this.slices.map((slice, index) => ({ slice, index })).filter((d) => d.slice.value > 0)
    const arcs = layoutPie(positive)
    const shape = arc<PieArcDatum<Indexed>>().innerRadius(0).outerRadius(radius)
    const label = `${this.heading ? `${this.heading}: ` : ""}pie chart: ${this.slices
      .map((s) => `${s.name} ${formatPercent(s.value / total)}`)
      .join(", ")}`
    const hovered = arcs.find((a) => a.data.index === this.hover)
    return html`<div class="plot">
        <svg role="img" aria-label=${label} viewBox="0 0 ${this.width} ${height}" width=${this.width} height=${height}>
          <g transform="translate(${cx},${cy})">
            ${arcs.map(
              (a) => svg`<path class="slice${a.data.index === this.hover ? " active" : ""}"
                data-slice=${a.data.slice.name} d=${shape(a) ?? ""} fill=${colorAt(a.data.index)}
                @pointerenter=${() => this.#setHover(a.data.index)} @pointermove=${() => this.#setHover(a.data.index)}
                @pointerleave=${this.#clearHover}></path>`
            )}
          </g>
        </svg>
        ${hovered === undefined ? nothing : this.#renderTooltip(hovered, shape.centroid(hovered), cx, cy, total)}
      </div>
      ${legend(
        this.slices.map((s, i) => ({ name: `${s.name} (${formatPercent(s.value / total)})`, color: colorAt(i) }))
      )}`
  }

  #setHover(index: number): void {
    if (this.hover !== index) this.hover = index
  }

  #clearHover(): void {
    this.hover = null
  }

  #renderTooltip(
    a: PieArcDatum<Indexed>,
    [dx, dy]: [number, number],
    cx: number,
    cy: number,
    total: number
  ): TemplateResult {
    const left = ((cx + dx) / this.width) * 100
    const top = ((cy + dy) / this.plotHeight) * 100
    return html`<div class="tooltip" style="left:${left}%;top:${top}%;transform:translate(-50%, calc(-100% - 6px))">
      <div class="row">
        <span class="swatch" style="background:${colorAt(a.data.index)}" aria-hidden="true"></span>
        <strong>${a.data.slice.name}</strong>
      </div>
      <div>${formatValue(a.data.slice.value)} (${formatPercent(a.data.slice.value / total)})</div>
    </div>`
  }

  protected override renderTable(): TemplateResult {
    const total = this.#total()
    const rows = this.slices.map((s) => [s.name, formatValue(s.value), formatPercent(s.value / total)])
    return dataTable(`${this.heading || "Pie chart"}: data`, ["slice", "value", "share"], rows)
  }
}

if (!customElements.get(PIE_CHART_TAG)) customElements.define(PIE_CHART_TAG, PieChart)

declare global {
  interface HTMLElementTagNameMap {
    [PIE_CHART_TAG]: PieChart
  }
}
