// What every chart shares: the figure and heading, the "Show table" / "Show chart" toggle, the
// error state for invalid data, and tracking the host's width (ResizeObserver, 640 px fallback).
import { html, LitElement, nothing, type PropertyDeclarations, type TemplateResult } from "lit"
import { chartStyles } from "./chartStyles.ts"

export const FALLBACK_WIDTH = 640
export const DEFAULT_HEIGHT = 280

export abstract class ChartBase extends LitElement {
  static override styles = chartStyles

  static override properties: PropertyDeclarations = {
    heading: { type: String },
    height: { type: Number },
    showTable: { state: true },
    width: { state: true }
  }

  declare heading: string
  declare height: number
  /** Whether the table view replaces the chart. */
  declare showTable: boolean
  /** The host's measured width in px (the svg's viewBox width). */
  declare width: number

  #observer: ResizeObserver | undefined

  constructor() {
    super()
    this.heading = ""
    this.height = DEFAULT_HEIGHT
    this.showTable = false
    this.width = FALLBACK_WIDTH
  }

  override connectedCallback(): void {
    super.connectedCallback()
    if (typeof ResizeObserver === "undefined") return
    this.#observer = new ResizeObserver((entries) => {
      const measured = Math.round(entries[entries.length - 1]?.contentRect.width ?? 0)
      const next = measured > 0 ? measured : FALLBACK_WIDTH
      if (next !== this.width) this.width = next
    })
    this.#observer.observe(this)
  }

  override disconnectedCallback(): void {
    this.#observer?.disconnect()
    this.#observer = undefined
    super.disconnectedCallback()
  }

  /** The drawing height in px: the `height` property, or the default when it is unusable. */
  protected get plotHeight(): number {
    return Number.isFinite(this.height) && this.height >= 80 ? this.height : DEFAULT_HEIGHT
  }

  /** A message naming what is wrong with the data, or null when it can be drawn. */
  protected abstract validationError(): string | null
  /** The svg plot (inside a positioned wrapper, for the tooltip) and the legend. */
  protected abstract renderChart(): TemplateResult
  protected abstract renderTable(): TemplateResult

  #toggle(): void {
    this.showTable = !this.showTable
  }

  protected override render(): TemplateResult {
    const error = this.validationError()
    return html`<figure>
      <div class="header">
        <figcaption>${this.heading}</figcaption>
        ${error === null
          ? html`<button type="button" class="toggle-table" @click=${this.#toggle}>
              ${this.showTable ? "Show chart" : "Show table"}
            </button>`
          : nothing}
      </div>
      ${error !== null
        ? html`<div class="error" role="alert">Cannot draw this chart: ${error}</div>`
        : this.showTable
          ? this.renderTable()
          : this.renderChart()}
    </figure>`
  }
}
