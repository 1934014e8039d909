// #/settings: API tokens for the CLI (made, listed, revoked; a new token is shown once) and the
// organisation: its members, and for admins the invitations to join it.
import { Either } from "effect"
import { html, nothing } from "lit"
import { run } from "../api/client.ts"
import type { ApiToken, Invitation, NewToken, Org } from "../api/schemas.ts"
import { formAlert, inputField, selectField } from "../fields.ts"
import { formatTime } from "../format.ts"
import { PortalPage } from "../PortalPage.ts"

export class SettingsPage extends PortalPage {
  static override properties = {
    ...PortalPage.properties,
    tokens: { attribute: false },
    newToken: { attribute: false },
    org: { attribute: false },
    invitations: { attribute: false },
    newInvitation: { attribute: false },
    label: { state: true },
    labelError: { state: true },
    tokenAlert: { state: true },
    inviteEmail: { state: true },
    inviteRole: { state: true },
    inviteErrors: { state: true },
    inviteAlert: { state: true },
    notice: { state: true }
  }

  declare tokens: ReadonlyArray<ApiToken>
  declare newToken: NewToken | null
  declare org: Org | null
  declare invitations: ReadonlyArray<Invitation>
  declare newInvitation: Invitation | null
  declare label: string
  declare labelError: string | undefined
  declare tokenAlert: string | null
  declare inviteEmail: string
  declare inviteRole: string
  declare inviteErrors: Readonly<Record<string, string>>
  declare inviteAlert: string | null
  declare notice: string

  constructor() {
    super()
    this.tokens = []
    this.newToken = null
    this.org = null
    this.invitations = []
    this.newInvitation = null
    this.label = ""
    this.labelError = undefined
    this.tokenAlert = null
    this.inviteEmail = ""
    this.inviteRole = "member"
    this.inviteErrors = {}
    this.inviteAlert = null
    this.notice = ""
  }

  override connectedCallback(): void {
    super.connectedCallback()
    void this.refresh()
  }

  async refresh(): Promise<void> {
    if (this.client === undefined) return
    const tokens = await run(this.client.tokens())
    if (Either.isRight(tokens)) this.tokens = tokens.right
    if (this.me?.org == null) return
    const org = await run(this.client.org())
    this.org = Either.isRight(org) ? org.right : null
    if (this.org?.role === "admin") {
      const invitations = await run(this.client.invitations())
      if (Either.isRight(invitations)) this.invitations = invitations.right
    }
  }

  async createToken(e: Event): Promise<void> {
    e.preventDefault()
    const label = this.label.trim()
    this.labelError = label === "" ? "Name the token, e.g. the machine it is for." : label.length > 64 ? "At most 64 characters." : undefined
    this.tokenAlert = this.labelError === undefined ? null : "Check the label."
    if (this.labelError !== undefined) return
    const result = await run(this.client.createToken(label))
    if (Either.isLeft(result)) {
      this.labelError = result.left.fields["label"]
      this.tokenAlert = result.left.message
      return
    }
    this.newToken = result.right
    this.label = ""
    await this.refresh()
  }

  async revoke(token: ApiToken): Promise<void> {
    if (!confirm(`Revoke the token "${token.label}"? Programs using it stop working.`)) return
    const result = await run(this.client.deleteToken(token.id))
    this.notice = Either.isRight(result) ? `Revoked "${token.label}".` : `Could not revoke: ${result.left.message}`
    await this.refresh()
  }

  async invite(e: Event): Promise<void> {
    e.preventDefault()
    const email = this.inviteEmail.trim()
    this.inviteErrors = email !== "" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? { email: "Enter an email address like name@example.com, or leave it empty." } : {}
    this.inviteAlert = Object.keys(this.inviteErrors).length > 0 ? "Check the highlighted fields." : null
    if (this.inviteAlert !== null) return
    const result = await run(this.client.createInvitation(email || undefined, this.inviteRole === "admin" ? "admin" : "member"))
    if (Either.isLeft(result)) {
      this.inviteErrors = result.left.fields
      this.inviteAlert = result.left.message
      return
    }
    this.newInvitation = result.right
    this.inviteEmail = ""
    await this.refresh()
  }

  override render() {
    return html`<section aria-labelledby="settings-title">
      <h1 id="settings-title" tabindex="-1">Settings</h1>
      <p role="status">${this.notice}</p>
      <h2 id="tokens-title">API tokens</h2>
      <p>A token lets the <code>crowdcloud</code> CLI act as you: <code>export CROWDCLOUD_API=${location.origin} CROWDCLOUD_TOKEN=…</code></p>
      <form novalidate class="inline-form" @submit=${this.createToken} data-testid="token-form">
        ${inputField({ id: "token-label", name: "label", label: "Token label", value: this.label, error: this.labelError, onInput: (v) => (this.label = v) })}
        ${formAlert("token-alert", this.tokenAlert)}
        <button type="submit" class="primary">Create token</button>
      </form>
      ${this.newToken === null ? nothing : html`<div class="secret" role="status" data-testid="new-token">
        <p>Token "${this.newToken.label}" (copy it now; it is not shown again):</p><code>${this.newToken.token}</code></div>`}
      ${this.tokens.length === 0 ? html`<p class="empty">No API tokens.</p>` : html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="tokens-title"><table aria-labelledby="tokens-title" data-testid="tokens-table">
        <thead><tr><th scope="col">Label</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${this.tokens.map((t) => html`<tr><th scope="row">${t.label}</th><td>${formatTime(t.createdAtMs)}</td><td>${formatTime(t.lastUsedAtMs)}</td>
          <td><button type="button" class="danger" aria-label="Revoke token ${t.label}" @click=${() => this.revoke(t)}>Revoke</button></td></tr>`)}</tbody>
      </table></div>`}
      ${this.#orgSection()}
    </section>`
  }

  #orgSection() {
    if (this.me?.org == null) return html`<h2>Organisation</h2><p class="empty">You are a personal user: your jobs are paid from your own credits.</p>`
    const o = this.org
    if (o === null) return html`<h2>Organisation</h2><p class="loading">Loading…</p>`
    return html`<h2 id="org-title">Organisation ${o.name}</h2>
      <p>You are ${o.role === "admin" ? "an admin" : "a member"} of ${o.name} (${o.id}).</p>
      <div class="table-wrap" role="region" tabindex="0" aria-labelledby="org-title"><table aria-labelledby="org-title" data-testid="members-table">
        <thead><tr><th scope="col">Member</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Joined</th></tr></thead>
        <tbody>${o.members.map((m) => html`<tr><th scope="row">${m.user}</th><td>${m.email ?? "—"}</td><td>${m.role}</td><td>${formatTime(m.joinedAtMs)}</td></tr>`)}</tbody>
      </table></div>
      ${o.role !== "admin" ? nothing : html`<h3>Invite someone</h3>
        <form novalidate class="inline-form" @submit=${this.invite} data-testid="invite-form">
          ${inputField({ id: "invite-email", name: "email", label: "Email (optional)", type: "email", value: this.inviteEmail, error: this.inviteErrors["email"], onInput: (v) => (this.inviteEmail = v) })}
          ${selectField({ id: "invite-role", label: "Role", value: this.inviteRole, error: this.inviteErrors["role"], options: [{ value: "member", label: "member" }, { value: "admin", label: "admin" }], onChange: (v) => (this.inviteRole = v) })}
          ${formAlert("invite-alert", this.inviteAlert)}
          <button type="submit" class="primary">Create invitation</button>
        </form>
        ${this.newInvitation === null ? nothing : html`<div class="secret" role="status" data-testid="new-invitation">
          <p>Invitation code (valid until ${formatTime(this.newInvitation.expiresAtMs)}): give it to the person joining.</p><code>${this.newInvitation.code}</code></div>`}
        ${this.invitations.length === 0 ? nothing : html`<h3 id="invitations-title">Open invitations</h3><div class="table-wrap" role="region" tabindex="0" aria-labelledby="invitations-title"><table aria-labelledby="invitations-title">
          <thead><tr><th scope="col">Code</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Expires</th></tr></thead>
          <tbody>${this.invitations.map((i) => html`<tr><th scope="row"><code>${i.code}</code></th><td>${i.email ?? "anyone"}</td><td>${i.role ?? "member"}</td><td>${formatTime(i.expiresAtMs)}</td></tr>`)}</tbody>
        </table></div>`}`}`
  }
}

if (!customElements.get("cc-settings-page")) customElements.define("cc-settings-page", SettingsPage)
