// #/lender: the nodes the user runs (uptime, jobs served, earnings, reputation) and a join token to
// add one more.
import { Either } from "effect"
import { html, nothing } from "lit"
import { run } from "../api/client.ts"
import type { JoinToken, Lender } from "../api/schemas.ts"
import { formatCredits, formatPercent, formatTime } from "../format.ts"
import { Poller } from "../poller.ts"
import { PortalPage } from "../PortalPage.ts"

export class LenderPage extends PortalPage {
  static override properties = {
    ...PortalPage.properties,
    data: { attribute: false },
    joinToken: { attribute: false },
    error: { state: true },
    notice: { state: true }
  }

  declare data: Lender | null
  declare joinToken: JoinToken | null
  declare error: string | null
  declare notice: string

  readonly poller = new Poller(this, () => this.refresh(), 5000)

  constructor() {
    super()
    this.data = null
    this.joinToken = null
    this.error = null
    this.notice = ""
  }

  async refresh(): Promise<void> {
    if (this.client === undefined) return
    const result = await run(this.client.lender())
    if (Either.isRight(result)) {
      this.data = result.right
      this.error = null
    } else this.error = result.left.message
  }

  async newJoinToken(): Promise<void> {
    const result = await run(this.client.lenderJoinToken())
    if (Either.isRight(result)) {
      this.joinToken = result.right
      this.notice = `Node ${result.right.nodeId} may now join with the token below (shown once).`
    } else this.notice = `No join token: ${result.left.message}`
  }

  override render() {
    const d = this.data
    return html`<section aria-labelledby="lender-title">
      <h1 id="lender-title" tabindex="-1">Lender</h1>
      ${this.error !== null ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      <h2>Add a node</h2>
      <p>Lend a machine's CPU, RAM and disk: create a one-time join token and run the command on that machine.</p>
      <button type="button" @click=${this.newJoinToken}>Create a join token</button>
      <p role="status">${this.notice}</p>
      ${this.joinToken === null ? nothing : html`<dl class="facts" data-testid="join-token">
        <div><dt>Node</dt><dd>${this.joinToken.nodeId}</dd></div>
        <div><dt>Token</dt><dd><code>${this.joinToken.token}</code></dd></div>
        ${this.joinToken.command ? html`<div><dt>Command</dt><dd><code>${this.joinToken.command}</code></dd></div>` : nothing}
      </dl>`}
      <h2 id="nodes-title">Your nodes</h2>
      ${d === null ? (this.error === null ? html`<p class="loading">Loading…</p>` : nothing) : d.nodes.length === 0
        ? html`<p class="empty">You run no nodes yet.</p>`
        : html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="nodes-title"><table aria-labelledby="nodes-title" data-testid="lender-nodes">
          <thead><tr><th scope="col">Node</th><th scope="col">Status</th><th scope="col">Region</th><th scope="col">vCPUs</th><th scope="col">RAM</th>
            <th scope="col">Uptime</th><th scope="col">Jobs served</th><th scope="col">Earnings</th><th scope="col">Reputation</th><th scope="col">Last seen</th></tr></thead>
          <tbody>${d.nodes.map((n) => html`<tr data-testid="node-row-${n.id}">
            <th scope="row">Node ${n.id}</th><td>${!n.enrolled ? "not joined yet" : n.online ? "online" : "offline"}</td><td>${n.region ?? "—"}</td>
            <td class="num">${n.vcpus}</td><td class="num">${n.memoryMiB} MiB</td><td class="num">${formatPercent(n.uptimeFraction)}</td>
            <td class="num">${n.jobsServed}</td><td class="num">${formatCredits(n.earningsCredits)}</td><td class="num">${n.reputation.toFixed(2)}</td>
            <td>${formatTime(n.lastSeenMs)}</td></tr>`)}</tbody>
        </table></div>`}
      ${d !== null ? html`<h2>Totals</h2><dl class="cards" data-testid="lender-totals">
        <div><dt>Nodes</dt><dd>${d.totals.nodes}</dd></div>
        <div><dt>Online</dt><dd>${d.totals.online}</dd></div>
        <div><dt>vCPUs</dt><dd>${d.totals.vcpus}</dd></div>
        <div><dt>RAM</dt><dd>${d.totals.memoryMiB} MiB</dd></div>
        <div><dt>Jobs served</dt><dd>${d.totals.jobsServed}</dd></div>
        <div><dt>Earnings</dt><dd data-testid="lender-earnings">${formatCredits(d.totals.earningsCredits)}</dd></div>
      </dl>` : nothing}
    </section>`
  }
}

if (!customElements.get("cc-lender-page")) customElements.define("cc-lender-page", LenderPage)
