// The accessible table view every chart can switch to: caption, column headers, one row per datum.
import { html, type TemplateResult } from "lit"

/** At most `max` evenly spaced indices of 0..n-1 (every k-th, starting at 0). */
export function thinnedIndices(n: number, max = 500): { readonly indices: number[]; readonly every: number } {
  const every = Math.max(1, Math.ceil(n / max))
  const indices: number[] = []
  for (let i = 0; i < n; i += every) indices.push(i)
  return { indices, every }
}

/** A table whose first column holds row headers. */
export function dataTable(
  caption: string,
  columns: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>
): TemplateResult {
  return html`<div class="table-wrap">
    <table>
      <caption>${caption}</caption>
      <thead>
        <tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) => html`<tr>${r.map((cell, i) => (i === 0 ? html`<th scope="row">${cell}</th>` : html`<td>${cell}</td>`))}</tr>`
        )}
      </tbody>
    </table>
  </div>`
}
