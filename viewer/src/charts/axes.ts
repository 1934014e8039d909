// Axis drawing as Lit svg templates (d3 supplies the ticks; nothing here touches the DOM directly).
import { nothing, svg, type SVGTemplateResult } from "lit"
import type { Tick } from "./ticks.ts"

const TICK = 6

/** A bottom axis at y = innerHeight: domain line, tick marks, labels, and the axis title. */
export function bottomAxis(
  ticks: ReadonlyArray<Tick>,
  position: (v: number) => number,
  innerWidth: number,
  innerHeight: number,
  title: string
): SVGTemplateResult {
  return svg`<g class="axis x" transform="translate(0,${innerHeight})">
    <line class="domain" x1="0" x2=${innerWidth}></line>
    ${ticks.map(
      (t) => svg`<g class="tick" transform="translate(${position(t.value)},0)">
        <line y2=${t.label ? TICK : TICK / 2}></line>
        ${t.label ? svg`<text y=${TICK + 3} dy="0.71em" text-anchor="middle">${t.label}</text>` : nothing}
      </g>`
    )}
    <text class="axis-label" x=${innerWidth / 2} y="38" text-anchor="middle">${title}</text>
  </g>`
}

/** A left axis at x = 0 with faint grid lines across the plot and a rotated axis title. */
export function leftAxis(
  ticks: ReadonlyArray<Tick>,
  position: (v: number) => number,
  innerWidth: number,
  innerHeight: number,
  marginLeft: number,
  title: string
): SVGTemplateResult {
  return svg`<g class="axis y">
    <line class="domain" y1="0" y2=${innerHeight}></line>
    ${ticks.map(
      (t) => svg`<g class="tick" transform="translate(0,${position(t.value)})">
        ${t.label ? svg`<line class="grid" x2=${innerWidth}></line>` : nothing}
        <line x2=${-(t.label ? TICK : TICK / 2)}></line>
        ${t.label ? svg`<text x=${-(TICK + 3)} dy="0.32em" text-anchor="end">${t.label}</text>` : nothing}
      </g>`
    )}
    <text class="axis-label" transform="rotate(-90)" x=${-innerHeight / 2} y=${-marginLeft + 14}
      text-anchor="middle">${title}</text>
  </g>`
}
