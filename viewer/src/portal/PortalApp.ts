// <cc-portal>: the borrower portal's shell. It asks who is signed in (/api/auth/me), keeps the hash
// route, shows the navigation and the page for the route, sends signed-out visitors to #/login (and
// any 401 there too), and moves focus to each new page's heading so screen readers follow.
import { Either } from "effect"
import { html, LitElement, nothing, type TemplateResult } from "lit"
import { PortalClient, run } from "./api/client.ts"
import type { Me } from "./api/schemas.ts"
import "./pages/AnalyticsPage.ts"
import "./pages/BillingPage.ts"
import "./pages/CreateJobPage.ts"
import "./pages/DashboardPage.ts"
import "./pages/JobDetailPage.ts"
import "./pages/JobsPage.ts"
import "./pages/LenderPage.ts"
import "./pages/LoginPage.ts"
import "./pages/SettingsPage.ts"
import "./pages/SignupPage.ts"
import "./pages/StoragePage.ts"
import { parseRoute, publicPages, type Route } from "./router.ts"

type Session = { readonly kind: "checking" } | { readonly kind: "signed-out" } | { readonly kind: "signed-in"; readonly me: Me }

const navItems: ReadonlyArray<{ readonly page: Route["page"]; readonly href: string; readonly label: string }> = [
  { page: "dashboard", href: "#/dashboard", label: "Dashboard" },
  { page: "analytics", href: "#/analytics", label: "Analytics" },
  { page: "jobs", href: "#/jobs", label: "Jobs" },
  { page: "storage", href: "#/storage", label: "Storage" },
  { page: "billing", href: "#/billing", label: "Billing" },
  { page: "lender", href: "#/lender", label: "Lender" },
  { page: "settings", href: "#/settings", label: "Settings" }
]

export class PortalApp extends LitElement {
  static override properties = {
    client: { attribute: false },
    session: { state: true },
    route: { state: true }
  }

  declare client: PortalClient
  declare session: Session
  declare route: Route

  constructor() {
    super()
    this.client = new PortalClient()
    this.session = { kind: "checking" }
    this.route = parseRoute(location.hash)
  }

  protected override createRenderRoot(): HTMLElement {
    return this
  }

  readonly #onHash = () => {
    this.route = parseRoute(location.hash)
    this.#guard()
  }

  readonly #onSignedIn = (e: Event) => {
    this.session = { kind: "signed-in", me: (e as CustomEvent<Me>).detail }
    location.hash = "#/dashboard"
  }

  override connectedCallback(): void {
    super.connectedCallback()
    this.client.onUnauthenticated = () => this.#signedOut()
    addEventListener("hashchange", this.#onHash)
    this.addEventListener("cc-signed-in", this.#onSignedIn)
    void this.checkSession()
  }

  override disconnectedCallback(): void {
    removeEventListener("hashchange", this.#onHash)
    this.removeEventListener("cc-signed-in", this.#onSignedIn)
    super.disconnectedCallback()
  }

  async checkSession(): Promise<void> {
    const me = await run(this.client.me())
    this.session = Either.isRight(me) ? { kind: "signed-in", me: me.right } : { kind: "signed-out" }
    this.#guard()
  }

  #signedOut(): void {
    this.session = { kind: "signed-out" }
    this.client.csrfToken = null
    this.#guard()
  }

  /** Signed out on a private page: to #/login. Signed in on login/signup: to the dashboard. */
  #guard(): void {
    const isPublic = publicPages.includes(this.route.page)
    if (this.session.kind === "signed-out" && !isPublic) location.hash = "#/login"
    else if (this.session.kind === "signed-in" && isPublic) location.hash = "#/dashboard"
  }

  async logout(): Promise<void> {
    await run(this.client.logout())
    this.#signedOut()
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has("route") && changed.get("route") !== undefined) {
      const heading = this.querySelector<HTMLElement>("main h1")
      heading?.focus()
      document.title = `${heading?.textContent?.trim() ?? "CrowdCloud"} · CrowdCloud portal`
    }
  }

  override render(): TemplateResult {
    const s = this.session
    const me = s.kind === "signed-in" ? s.me : null
    const current = this.route.page === "new-job" || this.route.page === "job" ? "jobs" : this.route.page
    return html`<a class="skip-link" href="#main" @click=${(e: Event) => { e.preventDefault(); this.querySelector<HTMLElement>("main h1")?.focus() }}>Skip to content</a>
      <header class="portal-header">
        <span class="brand">CrowdCloud</span>
        ${me === null ? nothing : html`<nav aria-label="Portal">
          <ul>${navItems.map((item) => html`<li><a href=${item.href} aria-current=${item.page === current ? "page" : nothing}>${item.label}</a></li>`)}</ul>
        </nav>
        <div class="account">
          <span data-testid="signed-in-as">${me.user}${me.org !== null ? html` · ${me.org.name} (${me.org.role})` : nothing}</span>
          <button type="button" @click=${this.logout}>Log out</button>
        </div>`}
      </header>
      <main id="main">${s.kind === "checking" ? html`<p class="loading">Loading…</p>` : this.#page(me)}</main>`
  }

  #page(me: Me | null): TemplateResult {
    const r = this.route
    const c = this.client
    if (me === null) {
      return r.page === "signup" ? html`<cc-signup-page .client=${c}></cc-signup-page>` : html`<cc-login-page .client=${c}></cc-login-page>`
    }
    switch (r.page) {
      case "dashboard":
        return html`<cc-dashboard-page .client=${c} .me=${me}></cc-dashboard-page>`
      case "analytics":
        return html`<cc-analytics-page .client=${c} .me=${me}></cc-analytics-page>`
      case "jobs":
        return html`<cc-jobs-page .client=${c} .me=${me}></cc-jobs-page>`
      case "new-job":
        return html`<cc-create-job-page .client=${c} .me=${me}></cc-create-job-page>`
      case "job":
        return html`<cc-job-detail-page .client=${c} .me=${me} .jobId=${r.id}></cc-job-detail-page>`
      case "storage":
        return html`<cc-storage-page .client=${c} .me=${me}></cc-storage-page>`
      case "billing":
        return html`<cc-billing-page .client=${c} .me=${me}></cc-billing-page>`
      case "lender":
        return html`<cc-lender-page .client=${c} .me=${me}></cc-lender-page>`
      case "settings":
        return html`<cc-settings-page .client=${c} .me=${me}></cc-settings-page>`
      case "login":
      case "signup":
        return html`<p class="loading">Signed in as ${me.user}.</p>`
      case "not-found":
        return html`<section aria-labelledby="nf-title"><h1 id="nf-title" tabindex="-1">Page not found</h1><p>There is no page at ${r.hash}. <a href="#/dashboard">Go to the dashboard</a>.</p></section>`
    }
  }
}

if (!customElements.get("cc-portal")) customElements.define("cc-portal", PortalApp)
