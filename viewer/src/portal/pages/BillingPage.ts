// #/billing: balance and escrow, a simulated top-up (admins and personal users), every ledger entry of
// the paying account, monthly invoices as CSV, and the audit of the ledger's hash chain.
import { Either } from "effect"
import { html, nothing } from "lit"
import { invoiceCsvPath, run } from "../api/client.ts"
import type { Audit, Billing, Invoices } from "../api/schemas.ts"
import { formAlert, inputField } from "../fields.ts"
import { formatCredits, formatTime } from "../format.ts"
import { PortalPage } from "../PortalPage.ts"

export const topUpCreditsMax = 1_000_000

const describeProblem = (problem: Audit["problem"]): string =>
  problem === null ? "no problem named" : `entry ${problem.seq} (${problem.kind}): ${problem.message}`

/** A fresh idempotency key per top-up attempt, so a retried request is credited once. */
const newKey = (): string => globalThis.crypto?.randomUUID?.() ?? `topup-${Date.now()}-${Math.random().toString(16).slice(2)}`

export class BillingPage extends PortalPage {
  static override properties = {
    ...PortalPage.properties,
    billing: { attribute: false },
    invoices: { attribute: false },
    audit: { attribute: false },
    error: { state: true },
    amount: { state: true },
    topUpError: { state: true },
    topUpAlert: { state: true },
    notice: { state: true },
    busy: { state: true }
  }

  declare billing: Billing | null
  declare invoices: Invoices["invoices"]
  declare audit: Audit | null
  declare error: string | null
  declare amount: string
  declare topUpError: string | undefined
  declare topUpAlert: string | null
  declare notice: string
  declare busy: boolean

  #key = newKey()

  constructor() {
    super()
    this.billing = null
    this.invoices = []
    this.audit = null
    this.error = null
    this.amount = "100"
    this.topUpError = undefined
    this.topUpAlert = null
    this.notice = ""
    this.busy = false
  }

  override connectedCallback(): void {
    super.connectedCallback()
    void this.refresh()
  }

  async refresh(): Promise<void> {
    if (this.client === undefined) return
    const [billing, invoices] = await Promise.all([run(this.client.billing()), run(this.client.invoices())])
    if (Either.isRight(billing)) this.billing = billing.right
    if (Either.isRight(invoices)) this.invoices = invoices.right
    this.error = Either.isLeft(billing) ? billing.left.message : Either.isLeft(invoices) ? invoices.left.message : null
  }

  async topUp(e: Event): Promise<void> {
    e.preventDefault()
    const t = this.amount.trim()
    const credits = Number(t)
    this.topUpError = t === "" || !Number.isFinite(credits) || credits <= 0
      ? "Enter a positive number of credits."
      : credits > topUpCreditsMax ? `At most ${topUpCreditsMax} credits at a time.` : undefined
    this.topUpAlert = this.topUpError === undefined ? null : "Check the amount."
    if (this.topUpError !== undefined) return
    this.busy = true
    const result = await run(this.client.topUp(credits, this.#key))
    this.busy = false
    if (Either.isLeft(result)) {
      this.topUpError = result.left.fields["credits"]
      this.topUpAlert = `Top-up refused: ${result.left.message}`
      return
    }
    this.#key = newKey()
    this.notice = `Added ${formatCredits(credits)}; the balance is now ${formatCredits(result.right.balanceCredits)}.`
    await this.refresh()
  }

  async runAudit(): Promise<void> {
    const result = await run(this.client.audit())
    if (Either.isRight(result)) this.audit = result.right
    else this.notice = `The audit could not run: ${result.left.message}`
  }

  override render() {
    const b = this.billing
    return html`<section aria-labelledby="billing-title">
      <h1 id="billing-title" tabindex="-1">Billing</h1>
      ${this.error !== null ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      <p role="status" data-testid="billing-notice">${this.notice}</p>
      ${b === null ? (this.error === null ? html`<p class="loading">Loading…</p>` : nothing) : html`
        <dl class="cards" data-testid="billing-balance">
          <div><dt>Account</dt><dd title=${b.account}>${this.me?.org != null ? `${this.me.org.name} (organisation)` : this.me?.user ?? b.account}</dd></div>
          <div><dt>Balance</dt><dd data-testid="billing-balance-credits">${formatCredits(b.balanceCredits)}</dd></div>
          <div><dt>Held in escrow</dt><dd>${formatCredits(b.escrowCredits)}</dd></div>
        </dl>
        ${b.canTopUp ? html`<h2>Top up</h2>
          <form novalidate class="inline-form" @submit=${this.topUp} data-testid="topup-form">
            ${inputField({ id: "topup-credits", inputmode: "numeric", name: "credits", label: "Credits to buy", value: this.amount, error: this.topUpError, hint: "A simulated purchase: no payment is taken.", onInput: (v) => (this.amount = v) })}
            ${formAlert("topup-alert", this.topUpAlert)}
            <button type="submit" class="primary" ?disabled=${this.busy}>Top up</button>
          </form>` : html`<p class="muted">Only your organisation's admins can top up its credits.</p>`}
        <h2>Ledger audit</h2>
        <button type="button" @click=${this.runAudit}>Check the ledger chain</button>
        ${this.audit === null ? nothing : html`<p role="status" data-testid="audit-result" class=${this.audit.ok ? "ok" : "warn"}>
          ${this.audit.ok ? `The chain of ${this.audit.entries} entries is intact (head ${this.audit.headHash.slice(0, 16)}…).` : `The chain is broken: ${describeProblem(this.audit.problem)}.`}</p>`}
        <h2 id="invoices-title">Monthly invoices</h2>
        ${this.invoices.length === 0 ? html`<p class="empty">No invoices yet.</p>` : html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="invoices-title"><table aria-labelledby="invoices-title" data-testid="invoices-table">
          <thead><tr><th scope="col">Month</th><th scope="col">Jobs</th><th scope="col">Total</th><th scope="col">CSV</th></tr></thead>
          <tbody>${this.invoices.map((i) => html`<tr><th scope="row">${i.month}</th><td class="num">${i.jobs}</td><td class="num">${formatCredits(i.totalCredits)}</td>
            <td><a href=${invoiceCsvPath(i.month)} download="invoice-${i.month}.csv">Invoice ${i.month} (CSV)</a></td></tr>`)}</tbody>
        </table></div>`}
        <h2 id="ledger-title">Ledger entries</h2>
        ${b.entries.length === 0 ? html`<p class="empty">No entries.</p>` : html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="ledger-title"><table aria-labelledby="ledger-title" data-testid="ledger-table">
          <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Amount</th><th scope="col">For</th></tr></thead>
          <tbody>${b.entries.map((e) => html`<tr><th scope="row">${e.seq}</th><td>${formatTime(e.atMs)}</td><td>${e.kind}</td>
            <td class="num ${e.amountCredits < 0 ? "debit" : "credit"}">${formatCredits(e.amountCredits)}</td>
            <td>${e.job !== null ? html`<a href="#/jobs/${e.job}">Job ${e.job}</a>` : nothing}${e.memo !== "" ? html` ${e.memo}` : e.job === null ? "—" : nothing}</td></tr>`)}</tbody>
        </table></div>`}`}
    </section>`
  }
}

if (!customElements.get("cc-billing-page")) customElements.define("cc-billing-page", BillingPage)
