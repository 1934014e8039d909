// One run: its scenario, seed, code version and parameters, the policies x metrics table with the
// best value of each metric highlighted, and its charts, for the policies the reader ticks.
import { Effect, Either } from "effect"
import { html, LitElement, nothing } from "lit"
import { loadRun, type RunData } from "../data/runFiles.ts"
import { completionCdf, overTime, slowdownBars, waitCdf } from "./chartData.ts"
import { bestIndex, metrics } from "./metrics.ts"
import { pageStyles } from "./pageStyles.ts"

type State = { readonly kind: "loading" } | { readonly kind: "error"; readonly message: string } | { readonly kind: "ready"; readonly run: RunData }

export class RunPage extends LitElement {
  static override properties = {
    runName: { type: String, attribute: "run-name" },
    state: { state: true },
    shown: { state: true }
  }
  static override styles = pageStyles

  declare runName: string
  declare state: State
  declare shown: ReadonlyArray<string>

  constructor() {
    super()
    this.runName = ""
    this.state = { kind: "loading" }
    this.shown = []
  }

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has("runName") && this.runName) void this.load(this.runName)
  }

  private async load(name: string) {
    this.state = { kind: "loading" }
    const result = await Effect.runPromise(Effect.either(loadRun(name)))
    if (name !== this.runName) return
    if (Either.isLeft(result)) this.state = { kind: "error", message: result.left.message }
    else {
      this.state = { kind: "ready", run: result.right }
      this.shown = Object.keys(result.right.summary.policies)
    }
  }

  private toggle(policy: string, on: boolean) {
    const all = this.state.kind === "ready" ? Object.keys(this.state.run.summary.policies) : []
    this.shown = all.filter((p) => (p === policy ? on : this.shown.includes(p)))
  }

  override render() {
    if (this.state.kind === "loading") return html`<p class="loading">Loading run ${this.runName}…</p>`
    if (this.state.kind === "error") return html`<div class="error" role="alert"><strong>Run ${this.runName} cannot be shown.</strong> ${this.state.message}</div>`
    const run = this.state.run
    const s = run.summary
    const policies = Object.keys(s.policies)
    const shown = this.shown
    const bars = slowdownBars(run, shown)
    return html`
      <h2>${s.scenario}</h2>
      <dl class="meta">
        <div><dt>run</dt><dd>${run.name}</dd></div>
        <div><dt>seed</dt><dd>${s.seed}</dd></div>
        <div><dt>code version</dt><dd>${s.version}</dd></div>
        <div><dt>policies</dt><dd>${policies.length}</dd></div>
      </dl>
      ${s.parameters === undefined ? nothing : html`<details><summary>Parameters</summary><pre>${JSON.stringify(s.parameters, null, 2)}</pre></details>`}
      ${policies.length === 0 ? nothing : html`
      <fieldset class="policies">
        <legend>Policies shown</legend>
        ${policies.map(
          (p) => html`<label><input type="checkbox" name="policy" .value=${p} .checked=${shown.includes(p)} @change=${(e: Event) => this.toggle(p, (e.target as HTMLInputElement).checked)} /> ${p}</label>`
        )}
      </fieldset>
      <div class="table-wrap">
        <table class="summary">
          <caption class="visually-hidden">Policies by metric; the best value of each metric is highlighted</caption>
          <thead>
            <tr><th scope="col">policy</th>${metrics.map((m) => html`<th scope="col">${m.label}</th>`)}</tr>
          </thead>
          <tbody>
            ${shown.map((p) => {
              const summary = s.policies[p]!
              return html`<tr data-policy=${p}>
                <th scope="row">${p}</th>
                ${metrics.map((m) => {
                  const best = bestIndex(m, shown.map((q) => m.value(s.policies[q]!)))
                  return html`<td class=${best >= 0 && shown[best] === p ? "best" : ""}>${m.format(m.value(summary))}</td>`
                })}
              </tr>`
            })}
          </tbody>
        </table>
      </div>
      <div class="charts">
        <cc-line-chart id="completion-cdf" heading="Completion time (CDF)" .xLabel=${"completion time (s, log scale)"} .yLabel=${"fraction of jobs"} .xScale=${"log"} .step=${true} .series=${completionCdf(run, shown)}></cc-line-chart>
        <cc-bar-chart id="slowdown" heading="Bounded slowdown (τ = 10 s)" .xLabel=${"bounded slowdown"} .yLabel=${"fraction of jobs"} .categories=${bars.categories} .groups=${bars.groups}></cc-bar-chart>
        <cc-line-chart id="utilisation" heading="Utilisation over time" .xLabel=${"time (h)"} .yLabel=${"allocated / online vCPUs"} .series=${overTime(run, shown, (t) => t.utilisation)}></cc-line-chart>
        <cc-line-chart id="queue" heading="Queue length over time" .xLabel=${"time (h)"} .yLabel=${"queued jobs"} .series=${overTime(run, shown, (t) => t.queued)}></cc-line-chart>
        <cc-line-chart id="nodes" heading="Nodes online over time" .xLabel=${"time (h)"} .yLabel=${"nodes online"} .series=${overTime(run, shown, (t) => t.nodesOnline)}></cc-line-chart>
        <cc-line-chart id="wait-cdf" heading="Wait time (CDF)" .xLabel=${"wait (s)"} .yLabel=${"fraction of jobs"} .step=${true} .series=${waitCdf(run, shown)}></cc-line-chart>
      </div>
      `}
      ${s.storage === undefined ? nothing : this.storageCharts(s.storage)}
    `
  }

  /** Durability per redundancy configuration, drawn only for runs that simulated storage. */
  private storageCharts(storage: NonNullable<RunData["summary"]["storage"]>) {
    const configs = Object.keys(storage)
    const bars = (name: string, f: (v: (typeof storage)[string]) => number) => [{ name, values: configs.map((c) => f(storage[c]!)) }]
    return html`
      <h3>Storage durability</h3>
      <div class="charts">
        <cc-bar-chart id="storage-lost" heading="Objects lost" .xLabel=${"redundancy"} .yLabel=${"objects lost"} .categories=${configs} .groups=${bars("objects lost", (v) => v.objectsLost)}></cc-bar-chart>
        <cc-bar-chart id="storage-availability" heading="Read availability" .xLabel=${"redundancy"} .yLabel=${"fraction of reads served"} .categories=${configs} .groups=${bars("read availability", (v) => v.readAvailability)}></cc-bar-chart>
        <cc-bar-chart id="storage-repair" heading="Repair traffic" .xLabel=${"redundancy"} .yLabel=${"repair traffic (GiB)"} .categories=${configs} .groups=${bars("repair traffic", (v) => v.repairBytes / 2 ** 30)}></cc-bar-chart>
      </div>
    `
  }
}

if (!customElements.get("cc-run-page")) customElements.define("cc-run-page", RunPage)
