// The period picker shared by the dashboard and analytics.
import { html } from "lit"
import { periods } from "../period.ts"

export const periodSelect = (id: string, value: string, onChange: (id: string) => void) => html`<div class="controls">
  <label for=${id}>Period</label>
  <select id=${id} @change=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}>
    ${periods.map((p) => html`<option value=${p.id} ?selected=${p.id === value}>${p.label}</option>`)}
  </select>
</div>`
