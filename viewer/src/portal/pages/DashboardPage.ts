// #/dashboard: for the chosen period, the job summary and failure rate, API traffic, expenses and the
// credit balance; re-read every 5 seconds while visible.
import { Either } from "effect"
import { html, nothing } from "lit"
import { run } from "../api/client.ts"
import type { Dashboard } from "../api/schemas.ts"
import { stateSlices } from "../chartData.ts"
import { formatBytes, formatCount, formatCredits, formatPercent, formatTime } from "../format.ts"
import { defaultPeriod, periodById, periodRange } from "../period.ts"
import { Poller } from "../poller.ts"
import { PortalPage } from "../PortalPage.ts"
import "../../charts/PieChart.ts"
import { periodSelect } from "./periodSelect.ts"

export class DashboardPage extends PortalPage {
  static override properties = {
    ...PortalPage.properties,
    period: { state: true },
    data: { attribute: false },
    error: { state: true }
  }

  declare period: string
  declare data: Dashboard | null
  declare error: string | null

  readonly poller = new Poller(this, () => this.refresh(), 5000)

  constructor() {
    super()
    this.period = defaultPeriod.id
    this.data = null
    this.error = null
  }

  async refresh(): Promise<void> {
    if (this.client === undefined) return
    const period = this.period
    const { fromMs, toMs } = periodRange(periodById(period), Date.now())
    const result = await run(this.client.dashboard(fromMs, toMs))
    if (period !== this.period) return
    if (Either.isRight(result)) {
      this.data = result.right
      this.error = null
    } else this.error = result.left.message
  }

  override render() {
    const d = this.data
    return html`<section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title" tabindex="-1">Dashboard</h1>
      ${periodSelect("dashboard-period", this.period, (id) => { this.period = id; void this.poller.now() })}
      ${this.error !== null ? html`<div class="error" role="alert">Could not load the dashboard: ${this.error}</div>` : nothing}
      ${d === null ? (this.error === null ? html`<p class="loading">Loading…</p>` : nothing) : this.#body(d)}
    </section>`
  }

  #body(d: Dashboard) {
    const slices = stateSlices(d.jobs.byState)
    return html`
      <p class="status-line">From ${formatTime(d.fromMs)} to ${formatTime(d.toMs)}.</p>
      <h2>Jobs</h2>
      <dl class="cards" data-testid="dashboard-jobs">
        <div><dt>Jobs</dt><dd data-testid="dashboard-jobs-total">${formatCount(d.jobs.total)}</dd></div>
        ${Object.entries(d.jobs.byState).map(([state, n]) => html`<div><dt>${state.charAt(0).toUpperCase()}${state.slice(1)}</dt><dd data-testid="dashboard-jobs-${state}">${formatCount(n)}</dd></div>`)}
        <div><dt>Failure rate</dt><dd data-testid="dashboard-failure-rate">${formatPercent(d.jobs.failureRate)}</dd></div>
      </dl>
      <h2>Traffic</h2>
      <dl class="cards" data-testid="dashboard-traffic">
        <div><dt>Requests</dt><dd>${formatCount(d.traffic.requests)}</dd></div>
        <div><dt>Bytes in</dt><dd>${formatBytes(d.traffic.bytesIn)}</dd></div>
        <div><dt>Bytes out</dt><dd>${formatBytes(d.traffic.bytesOut)}</dd></div>
      </dl>
      <h2>Credits</h2>
      <dl class="cards" data-testid="dashboard-credits">
        <div><dt>Expenses</dt><dd data-testid="dashboard-expenses">${formatCredits(d.expensesCredits)}</dd></div>
        <div><dt>Balance</dt><dd data-testid="dashboard-balance">${formatCredits(d.balanceCredits)}</dd></div>
        <div><dt>Held in escrow</dt><dd>${formatCredits(d.escrowCredits)}</dd></div>
      </dl>
      ${slices === null ? nothing : html`<div class="charts"><cc-pie-chart id="dashboard-states" heading="Jobs by state" .slices=${slices}></cc-pie-chart></div>`}`
  }
}

if (!customElements.get("cc-dashboard-page")) customElements.define("cc-dashboard-page", DashboardPage)
