// Two runs side by side for one policy: every metric of A and B with the change highlighted
// (green when B is better, red when worse), and their completion-time CDFs and utilisation overlaid.
import { Effect, Either } from "effect"
import { html, LitElement } from "lit"
import { loadRun, type RunData, type RunListing } from "../data/runFiles.ts"
import { completionCdf, overTime } from "./chartData.ts"
import { change, metrics } from "./metrics.ts"
import { pageStyles } from "./pageStyles.ts"

type Loaded = { readonly kind: "loading" } | { readonly kind: "error"; readonly message: string } | { readonly kind: "ready"; readonly a: RunData; readonly b: RunData }

export class ComparePage extends LitElement {
  static override properties = {
    runs: { attribute: false },
    runA: { type: String },
    runB: { type: String },
    policy: { state: true },
    loaded: { state: true }
  }
  static override styles = pageStyles

  declare runs: ReadonlyArray<RunListing>
  declare runA: string
  declare runB: string
  declare policy: string
  declare loaded: Loaded

  constructor() {
    super()
    this.runs = []
    this.runA = ""
    this.runB = ""
    this.policy = ""
    this.loaded = { kind: "loading" }
  }

  override willUpdate(changed: Map<string, unknown>) {
    if ((changed.has("runA") || changed.has("runB")) && this.runA && this.runB) void this.load(this.runA, this.runB)
  }

  private async load(a: string, b: string) {
    this.loaded = { kind: "loading" }
    const result = await Effect.runPromise(Effect.either(Effect.all([loadRun(a), loadRun(b)], { concurrency: 2 })))
    if (a !== this.runA || b !== this.runB) return
    if (Either.isLeft(result)) {
      this.loaded = { kind: "error", message: result.left.message }
      return
    }
    const [ra, rb] = result.right
    this.loaded = { kind: "ready", a: ra, b: rb }
    const common = Object.keys(ra.summary.policies).filter((p) => p in rb.summary.policies)
    if (!common.includes(this.policy)) this.policy = common[0] ?? ""
  }

  private go(a: string, b: string) {
    location.hash = `#/compare/${encodeURIComponent(a)}/${encodeURIComponent(b)}`
  }

  override render() {
    const names = this.runs.map((r) => r.name)
    const picker = html`<div class="controls">
      <label>Run A <select id="run-a" @change=${(e: Event) => this.go((e.target as HTMLSelectElement).value, this.runB)}>
        ${names.map((n) => html`<option .value=${n} ?selected=${n === this.runA}>${n}</option>`)}</select></label>
      <label>Run B <select id="run-b" @change=${(e: Event) => this.go(this.runA, (e.target as HTMLSelectElement).value)}>
        ${names.map((n) => html`<option .value=${n} ?selected=${n === this.runB}>${n}</option>`)}</select></label>
      ${this.loaded.kind === "ready" ? this.policyPicker(this.loaded.a, this.loaded.b) : ""}
    </div>`
    if (this.loaded.kind === "loading") return html`<h2>Compare runs</h2>${picker}<p class="loading">Loading…</p>`
    if (this.loaded.kind === "error") return html`<h2>Compare runs</h2>${picker}<div class="error" role="alert">${this.loaded.message}</div>`
    const { a, b } = this.loaded
    const sa = a.summary.policies[this.policy]
    const sb = b.summary.policies[this.policy]
    return html`
      <h2>Compare runs</h2>
      ${picker}
      ${sa === undefined || sb === undefined
        ? html`<div class="error" role="alert">The runs share no policy to compare.</div>`
        : html`
          <div class="table-wrap">
            <table class="compare">
              <thead><tr><th scope="col">metric (${this.policy})</th><th scope="col">A: ${a.name}</th><th scope="col">B: ${b.name}</th><th scope="col">change</th></tr></thead>
              <tbody>
                ${metrics.map((m) => {
                  const c = change(m, m.value(sa), m.value(sb))
                  const pct = Number.isFinite(c.percent) ? `${c.percent > 0 ? "+" : ""}${c.percent.toFixed(1)}%` : "new"
                  return html`<tr><th scope="row">${m.label}</th><td>${m.format(m.value(sa))}</td><td>${m.format(m.value(sb))}</td><td class=${c.verdict}>${c.verdict === "same" ? "=" : pct}</td></tr>`
                })}
              </tbody>
            </table>
          </div>
          <div class="charts">
            <cc-line-chart id="compare-cdf" heading=${`Completion time (CDF), ${this.policy}`} .xLabel=${"completion time (s, log scale)"} .yLabel=${"fraction of jobs"} .xScale=${"log"} .step=${true}
              .series=${[...completionCdf(a, [this.policy], `A ${a.name} · `), ...completionCdf(b, [this.policy], `B ${b.name} · `)]}></cc-line-chart>
            <cc-line-chart id="compare-utilisation" heading=${`Utilisation over time, ${this.policy}`} .xLabel=${"time (h)"} .yLabel=${"allocated / online vCPUs"}
              .series=${[...overTime(a, [this.policy], (t) => t.utilisation, `A ${a.name} · `), ...overTime(b, [this.policy], (t) => t.utilisation, `B ${b.name} · `)]}></cc-line-chart>
          </div>`}
    `
  }

  private policyPicker(a: RunData, b: RunData) {
    const common = Object.keys(a.summary.policies).filter((p) => p in b.summary.policies)
    return html`<label>Policy <select id="policy" @change=${(e: Event) => (this.policy = (e.target as HTMLSelectElement).value)}>
      ${common.map((p) => html`<option .value=${p} ?selected=${p === this.policy}>${p}</option>`)}</select></label>`
  }
}

if (!customElements.get("cc-compare-page")) customElements.define("cc-compare-page", ComparePage)
