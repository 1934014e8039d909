// Styles shared by every chart: readable at phone width (svg scales to 100%, legend wraps),
// visible keyboard focus, an absolutely positioned tooltip and a clear error box.
import { css } from "lit"

export const chartStyles = css`
  :host {
    display: block;
    font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
    color: var(--cc-chart-fg, #1f2328);
    --cc-chart-muted: #d0d7de;
  }
  figure {
    margin: 0;
    min-width: 0;
  }
  .header {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    justify-content: space-between;
    gap: 0.25rem 1rem;
    margin-bottom: 0.25rem;
  }
  figcaption {
    font-weight: 600;
  }
  button.toggle-table {
    font: inherit;
    font-size: 0.85em;
    padding: 0.2rem 0.6rem;
    border: 1px solid #8c959f;
    border-radius: 4px;
    background: #f6f8fa;
    color: inherit;
    cursor: pointer;
  }
  button.toggle-table:hover {
    background: #eaeef2;
  }
  button:focus-visible {
    outline: 3px solid #0969da;
    outline-offset: 2px;
  }
  .plot {
    position: relative;
  }
  svg {
    display: block;
    width: 100%;
    height: auto;
    overflow: visible;
    touch-action: pan-y;
  }
  .axis line {
    stroke: currentColor;
  }
  .axis line.grid {
    stroke: var(--cc-chart-muted);
    stroke-dasharray: 2 3;
  }
  .axis text {
    fill: currentColor;
    font-size: 11px;
  }
  .axis text.axis-label {
    font-size: 12px;
    font-weight: 500;
  }
  path.series {
    fill: none;
    stroke-width: 2;
    stroke-linejoin: round;
    stroke-linecap: round;
  }
  line.hover-rule {
    stroke: #8c959f;
    stroke-dasharray: 3 3;
    pointer-events: none;
  }
  circle.focus {
    stroke: #fff;
    stroke-width: 1.5;
    pointer-events: none;
  }
  rect.overlay {
    fill: transparent;
    pointer-events: all;
  }
  rect.bar:hover,
  rect.bar.active,
  path.slice.active {
    opacity: 0.8;
  }
  path.slice {
    stroke: #fff;
    stroke-width: 1;
  }
  .legend {
    list-style: none;
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 1rem;
    padding: 0;
    margin: 0.5rem 0 0;
    font-size: 0.9em;
  }
  .legend li {
    display: flex;
    align-items: center;
    gap: 0.35rem;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .swatch {
    display: inline-block;
    flex: none;
    width: 0.8rem;
    height: 0.8rem;
    border-radius: 2px;
  }
  .tooltip {
    position: absolute;
    z-index: 1;
    pointer-events: none;
    max-width: min(22rem, 80vw);
    padding: 0.3rem 0.5rem;
    background: rgba(255, 255, 255, 0.96);
    border: 1px solid #8c959f;
    border-radius: 4px;
    box-shadow: 0 2px 6px rgba(0, 0, 0, 0.15);
    font-size: 12px;
    line-height: 1.35;
  }
  .tooltip .row {
    display: flex;
    align-items: center;
    gap: 0.35rem;
    white-space: nowrap;
  }
  .error {
    padding: 0.75rem 1rem;
    border: 1px solid #cf222e;
    border-left-width: 4px;
    border-radius: 4px;
    background: #ffebe9;
    color: #82071e;
    overflow-wrap: anywhere;
  }
  .table-wrap {
    overflow: auto;
    max-height: 28rem;
  }
  table {
    border-collapse: collapse;
    font-size: 13px;
    font-variant-numeric: tabular-nums;
  }
  caption {
    text-align: left;
    padding-bottom: 0.25rem;
    color: #59636e;
  }
  th,
  td {
    padding: 0.2rem 0.6rem;
    border-bottom: 1px solid var(--cc-chart-muted);
    text-align: right;
  }
  th[scope="row"],
  thead th:first-child {
    text-align: left;
  }
  thead th {
    position: sticky;
    top: 0;
    background: #fff;
  }
`
