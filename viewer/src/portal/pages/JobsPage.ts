// #/jobs: the overview (counts per state, what runs now, cost) and the list of active and completed
// jobs with their CPU and RAM, re-read every second while the page is visible.
import { Either } from "effect"
import { html, nothing } from "lit"
import { run } from "../api/client.ts"
import type { Job } from "../api/schemas.ts"
import { formatCredits, formatPercent, formatTime } from "../format.ts"
import { isActive, jobStats } from "../jobStats.ts"
import { Poller } from "../poller.ts"
import { PortalPage } from "../PortalPage.ts"
import "../../charts/PieChart.ts"

export const jobsPollMs = 1000

export class JobsPage extends PortalPage {
  static override properties = {
    ...PortalPage.properties,
    jobs: { attribute: false },
    scope: { state: true },
    error: { state: true },
    loaded: { state: true }
  }

  declare jobs: ReadonlyArray<Job>
  declare scope: "mine" | "all"
  declare error: string | null
  declare loaded: boolean

  readonly poller = new Poller(this, () => this.refresh(), jobsPollMs)

  constructor() {
    super()
    this.jobs = []
    this.scope = "mine"
    this.error = null
    this.loaded = false
  }

  async refresh(): Promise<void> {
    if (this.client === undefined) return
    const scope = this.scope
    const result = await run(this.client.jobs(scope))
    if (scope !== this.scope) return
    if (Either.isRight(result)) {
      this.jobs = result.right
      this.error = null
    } else this.error = result.left.message
    this.loaded = true
  }

  #canSeeAll(): boolean {
    return this.me?.org?.role === "admin" || this.me?.operator === true
  }

  override render() {
    const stats = jobStats(this.jobs)
    const active = this.jobs.filter(isActive)
    const ended = this.jobs.filter((j) => !isActive(j))
    return html`<section aria-labelledby="jobs-title">
      <div class="title-row">
        <h1 id="jobs-title" tabindex="-1">Jobs</h1>
        <a class="button primary" href="#/jobs/new" data-testid="new-job-link">Create job</a>
      </div>
      ${this.#canSeeAll() ? html`<div class="controls">
        <label for="jobs-scope">Show</label>
        <select id="jobs-scope" @change=${(e: Event) => { this.scope = (e.target as HTMLSelectElement).value as "mine" | "all"; void this.poller.now() }}>
          <option value="mine" ?selected=${this.scope === "mine"}>My jobs</option>
          <option value="all" ?selected=${this.scope === "all"}>All jobs of ${this.me?.org?.name ?? "the cluster"}</option>
        </select>
      </div>` : nothing}
      <p class="status-line" role="status">${this.error !== null ? html`<span class="warn">Could not refresh: ${this.error}</span>` : this.loaded ? `${stats.total} ${stats.total === 1 ? "job" : "jobs"}, ${stats.active} active; updated every second.` : "Loading jobs…"}</p>
      <h2>Overview</h2>
      <dl class="cards" data-testid="jobs-overview">
        <div><dt>Jobs</dt><dd>${stats.total}</dd></div>
        <div><dt>Active</dt><dd>${stats.active}</dd></div>
        <div><dt>Succeeded</dt><dd>${stats.byState.find((s) => s.name === "succeeded")?.value ?? 0}</dd></div>
        <div><dt>Failure rate</dt><dd>${stats.failureRate === null ? "—" : formatPercent(stats.failureRate)}</dd></div>
        <div><dt>vCPUs in use</dt><dd>${stats.vcpusInUse}</dd></div>
        <div><dt>RAM in use</dt><dd>${stats.memoryMiBInUse} MiB</dd></div>
        <div><dt>Cost</dt><dd>${formatCredits(stats.costCredits)}</dd></div>
      </dl>
      ${stats.total > 0 ? html`<div class="charts"><cc-pie-chart id="jobs-by-state" heading="Jobs by state" .slices=${stats.byState}></cc-pie-chart></div>` : nothing}
      <h2 id="active-jobs">Active jobs</h2>
      ${this.#table(active, "active-jobs", "No job is queued or running.")}
      <h2 id="completed-jobs">Completed jobs</h2>
      ${this.#table(ended, "completed-jobs", "No job has ended yet.")}
    </section>`
  }

  #table(jobs: ReadonlyArray<Job>, labelledBy: string, empty: string) {
    if (jobs.length === 0) return html`<p class="empty">${empty}</p>`
    const showWho = this.scope === "all"
    return html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby=${labelledBy}><table aria-labelledby=${labelledBy} data-testid="${labelledBy}-table">
      <thead><tr>
        <th scope="col">Job</th><th scope="col">State</th><th scope="col">vCPUs</th><th scope="col">RAM</th>
        <th scope="col">Image</th><th scope="col">Command</th>${showWho ? html`<th scope="col">Submitted by</th>` : nothing}
        <th scope="col">Submitted</th><th scope="col">Cost</th>
      </tr></thead>
      <tbody>${jobs.map((j) => html`<tr data-testid="job-row-${j.id}" data-state=${j.state}>
        <th scope="row"><a href="#/jobs/${j.id}">Job ${j.id}</a></th>
        <td><span class="state state-${j.state}" data-testid="job-state-${j.id}">${j.state}</span></td>
        <td class="num">${j.vcpus}</td>
        <td class="num">${j.memoryMiB} MiB</td>
        <td>${j.image}</td>
        <td class="command"><code>${j.command.join(" ")}</code></td>
        ${showWho ? html`<td>${j.submittedBy ?? j.owner}</td>` : nothing}
        <td>${formatTime(j.submittedAtMs)}</td>
        <td class="num">${formatCredits(j.costCredits)}</td>
      </tr>`)}</tbody>
    </table></div>`
  }
}

if (!customElements.get("cc-jobs-page")) customElements.define("cc-jobs-page", JobsPage)
