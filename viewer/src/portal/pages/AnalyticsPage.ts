// #/analytics: key metrics, and as charts the request and job breakdowns (bar, pie), resource
// utilisation over time (line), monthly cost (bar) and the job status distribution (pie).
import { Either } from "effect"
import { html, nothing, type TemplateResult } from "lit"
import { run } from "../api/client.ts"
import type { Analytics } from "../api/schemas.ts"
import { barsOf, monthlyCostBars, slicesOf, utilisationSeries } from "../chartData.ts"
import { formatCount, formatCredits, formatDuration } from "../format.ts"
import { defaultPeriod, periodById, periodRange } from "../period.ts"
import { PortalPage } from "../PortalPage.ts"
import "../../charts/BarChart.ts"
import "../../charts/LineChart.ts"
import "../../charts/PieChart.ts"
import { periodSelect } from "./periodSelect.ts"

const noData = (heading: string): TemplateResult => html`<div class="no-data"><h3>${heading}</h3><p>No data in this period.</p></div>`

export class AnalyticsPage extends PortalPage {
  static override properties = {
    ...PortalPage.properties,
    period: { state: true },
    data: { attribute: false },
    fromMs: { state: true },
    error: { state: true }
  }

  declare period: string
  declare data: Analytics | null
  declare fromMs: number
  declare error: string | null

  constructor() {
    super()
    this.period = defaultPeriod.id
    this.data = null
    this.fromMs = 0
    this.error = null
  }

  override connectedCallback(): void {
    super.connectedCallback()
    void this.refresh()
  }

  async refresh(): Promise<void> {
    if (this.client === undefined) return
    const period = this.period
    const { fromMs, toMs, bucketMs } = periodRange(periodById(period), Date.now())
    const result = await run(this.client.analytics(fromMs, toMs, bucketMs))
    if (period !== this.period) return
    if (Either.isRight(result)) {
      this.data = result.right
      this.fromMs = fromMs
      this.error = null
    } else this.error = result.left.message
  }

  override render() {
    return html`<section aria-labelledby="analytics-title">
      <div class="title-row">
        <h1 id="analytics-title" tabindex="-1">Analytics</h1>
        <button type="button" @click=${() => this.refresh()}>Refresh</button>
      </div>
      ${periodSelect("analytics-period", this.period, (id) => { this.period = id; void this.refresh() })}
      ${this.error !== null ? html`<div class="error" role="alert">Could not load analytics: ${this.error}</div>` : nothing}
      ${this.data === null ? (this.error === null ? html`<p class="loading">Loading…</p>` : nothing) : this.#body(this.data)}
    </section>`
  }

  #body(a: Analytics) {
    const k = a.keyMetrics
    const requests = barsOf("requests", a.requestsByRoute)
    const states = slicesOf(a.jobsByState)
    const byImage = slicesOf(a.jobsByImage)
    const utilisation = utilisationSeries(a.utilisation, this.fromMs)
    const cost = monthlyCostBars(a.monthlyCost)
    return html`
      <h2>Key metrics</h2>
      <dl class="cards" data-testid="analytics-key-metrics">
        <div><dt>Jobs</dt><dd data-testid="analytics-jobs">${formatCount(k.jobs)}</dd></div>
        <div><dt>Succeeded</dt><dd data-testid="analytics-succeeded">${formatCount(k.succeeded)}</dd></div>
        <div><dt>Failed</dt><dd>${formatCount(k.failed)}</dd></div>
        <div><dt>Mean run time</dt><dd>${k.meanRunS === null ? "—" : formatDuration(k.meanRunS * 1000)}</dd></div>
        <div><dt>Mean wait</dt><dd>${k.meanWaitS === null ? "—" : formatDuration(k.meanWaitS * 1000)}</dd></div>
        <div><dt>Cost</dt><dd>${formatCredits(k.costCredits)}</dd></div>
      </dl>
      <h2>Breakdown</h2>
      <div class="charts">
        ${states === null ? noData("Job status distribution") : html`<cc-pie-chart id="analytics-states" heading="Job status distribution" .slices=${states}></cc-pie-chart>`}
        ${byImage === null ? noData("Jobs by image") : html`<cc-pie-chart id="analytics-images" heading="Jobs by image" .slices=${byImage}></cc-pie-chart>`}
        ${requests === null ? noData("Requests by route") : html`<cc-bar-chart id="analytics-requests" heading="Requests by route" .xLabel=${"route"} .yLabel=${"requests"} .categories=${requests.categories} .groups=${requests.groups}></cc-bar-chart>`}
      </div>
      <h2>Utilisation and cost</h2>
      <div class="charts">
        ${utilisation === null ? noData("Resources in use over time") : html`
          <cc-line-chart id="analytics-cpu" heading="Resources in use over time" .xLabel=${"hours since the period's start"} .yLabel=${"count"} .series=${utilisation.cpu}></cc-line-chart>
          <cc-line-chart id="analytics-memory" heading="Memory in use over time" .xLabel=${"hours since the period's start"} .yLabel=${"MiB"} .series=${utilisation.memory}></cc-line-chart>`}
        ${cost === null ? noData("Monthly cost") : html`<cc-bar-chart id="analytics-monthly-cost" heading="Monthly cost" .xLabel=${"month"} .yLabel=${"credits"} .categories=${cost.categories} .groups=${cost.groups}></cc-bar-chart>`}
      </div>`
  }
}

if (!customElements.get("cc-analytics-page")) customElements.define("cc-analytics-page", AnalyticsPage)
