// The legend shared by all charts: a wrapping list of colour swatches and names.
import { html, type TemplateResult } from "lit"

export interface LegendEntry {
  readonly name: string
  readonly color: string
}

export function legend(entries: ReadonlyArray<LegendEntry>): TemplateResult {
  return html`<ul class="legend">
    ${entries.map(
      (e) => html`<li><span class="swatch" style="background:${e.color}" aria-hidden="true"></span>${e.name}</li>`
    )}
  </ul>`
}
