// #/jobs/:id: one job followed live — its state, allocation, node, attempts, usage and cost, its
// output objects (download links), and its logs, re-read every second until it has ended.
import { Either } from "effect"
import { html, nothing } from "lit"
import { jobOutputPath, run } from "../api/client.ts"
import type { Job, JobLogs } from "../api/schemas.ts"
import { formatBytes, formatCredits, formatDuration, formatTime } from "../format.ts"
import { isActive } from "../jobStats.ts"
import { Poller } from "../poller.ts"
import { PortalPage } from "../PortalPage.ts"
import { jobsPollMs } from "./JobsPage.ts"

export class JobDetailPage extends PortalPage {
  static override properties = {
    ...PortalPage.properties,
    jobId: { type: Number, attribute: "job-id" },
    job: { attribute: false },
    logs: { attribute: false },
    error: { state: true },
    notice: { state: true }
  }

  declare jobId: number
  declare job: Job | null
  declare logs: JobLogs | null
  declare error: string | null
  declare notice: string | null

  /** Logs are read once more after the job is seen to end, then polling stops. */
  #finalLogsRead = false
  readonly poller = new Poller(this, () => this.refresh(), jobsPollMs)

  constructor() {
    super()
    this.jobId = -1
    this.job = null
    this.logs = null
    this.error = null
    this.notice = null
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("jobId") && changed.get("jobId") !== undefined) {
      this.job = null
      this.logs = null
      this.#finalLogsRead = false
      void this.poller.now()
    }
  }

  async refresh(): Promise<void> {
    if (this.client === undefined || this.jobId < 0) return
    if (this.job !== null && !isActive(this.job) && this.#finalLogsRead) return
    const id = this.jobId
    const [job, logs] = await Promise.all([run(this.client.job(id)), run(this.client.jobLogs(id))])
    if (id !== this.jobId) return
    if (Either.isLeft(job)) {
      this.error = job.left.status === 404 ? `There is no job ${id} that you can see.` : job.left.message
      return
    }
    this.error = null
    this.job = job.right
    if (Either.isRight(logs)) this.logs = logs.right
    if (!isActive(job.right)) this.#finalLogsRead = true
  }

  async cancel(): Promise<void> {
    const result = await run(this.client.cancelJob(this.jobId))
    if (Either.isRight(result)) {
      this.job = result.right
      this.notice = `Job ${this.jobId} is ${result.right.state}.`
    } else this.notice = `Could not cancel: ${result.left.message}`
  }

  override render() {
    const j = this.job
    return html`<section aria-labelledby="job-title">
      <p><a href="#/jobs">← Jobs</a></p>
      <h1 id="job-title" tabindex="-1">Job ${this.jobId}</h1>
      ${this.error !== null ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      ${j === null ? (this.error === null ? html`<p class="loading">Loading job…</p>` : nothing) : this.#details(j)}
    </section>`
  }

  #details(j: Job) {
    const u = j.usage
    return html`
      <p class="status-line" role="status" aria-live="polite">State: <span class="state state-${j.state}" data-testid="job-state">${j.state}</span>${isActive(j) ? " (updating every second)" : ""}</p>
      <p role="status">${this.notice ?? ""}</p>
      ${isActive(j) ? html`<button type="button" class="danger" @click=${this.cancel}>Cancel job</button>` : nothing}
      <dl class="facts" data-testid="job-facts">
        <div><dt>Image</dt><dd>${j.image}</dd></div>
        <div><dt>Command</dt><dd><code>${j.command.join(" ")}</code></dd></div>
        <div><dt>Allocation</dt><dd>${j.vcpus} vCPU, ${j.memoryMiB} MiB RAM, ${j.diskMiB} MiB disk, ${j.timeoutS} s limit</dd></div>
        ${j.replicas !== undefined ? html`<div><dt>Verification replicas</dt><dd>${j.replicas}</dd></div>` : nothing}
        <div><dt>Node</dt><dd data-testid="job-node">${j.node ?? "—"}</dd></div>
        <div><dt>Attempts</dt><dd>${j.attempts} (${Math.max(0, j.attempts - 1)} retries)</dd></div>
        <div><dt>Submitted</dt><dd>${formatTime(j.submittedAtMs)}${j.submittedBy !== undefined ? ` by ${j.submittedBy}` : ""}</dd></div>
        <div><dt>Started</dt><dd>${formatTime(j.startedAtMs)}</dd></div>
        <div><dt>Ended</dt><dd>${formatTime(j.endedAtMs)}</dd></div>
        <div><dt>Exit code</dt><dd>${j.exitCode ?? "—"}</dd></div>
        ${j.reason !== null ? html`<div><dt>Reason</dt><dd>${j.reason}</dd></div>` : nothing}
        <div><dt>Cost</dt><dd data-testid="job-cost">${formatCredits(j.costCredits)}</dd></div>
        ${j.payer !== undefined ? html`<div><dt>Paid by</dt><dd>${j.payer}</dd></div>` : nothing}
      </dl>
      <h2>Usage</h2>
      ${u === null ? html`<p class="empty">No usage reported yet.</p>` : html`<dl class="facts" data-testid="job-usage">
        <div><dt>CPU time</dt><dd>${formatDuration(u.cpuMs)}</dd></div>
        <div><dt>Wall time</dt><dd>${formatDuration(u.wallMs)}</dd></div>
        <div><dt>Peak memory</dt><dd>${u.memoryPeakMiB} MiB</dd></div>
        <div><dt>Bytes in</dt><dd>${formatBytes(u.bytesIn)}</dd></div>
        <div><dt>Bytes out</dt><dd>${formatBytes(u.bytesOut)}</dd></div>
      </dl>`}
      <h2>Outputs</h2>
      ${j.outputs.length === 0 ? html`<p class="empty">${isActive(j) ? "Outputs appear when the job ends." : "This job wrote no output objects."}</p>` : html`<ul data-testid="job-outputs">
        ${j.outputs.map((o) => html`<li><a href=${jobOutputPath(j.id, o)} download=${o.split("/").pop() ?? o}>Download ${o}</a></li>`)}
      </ul>`}
      <h2>Logs</h2>
      <h3 id="stdout-title">Standard output</h3>
      <pre class="logs" aria-labelledby="stdout-title" tabindex="0" data-testid="job-stdout">${this.logs?.stdout || "(empty)"}</pre>
      <h3 id="stderr-title">Standard error</h3>
      <pre class="logs" aria-labelledby="stderr-title" tabindex="0" data-testid="job-stderr">${this.logs?.stderr || "(empty)"}</pre>`
  }
}

if (!customElements.get("cc-job-detail-page")) customElements.define("cc-job-detail-page", JobDetailPage)
