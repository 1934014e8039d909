// The explorer's shell: the list of runs and hash routes (#/run/NAME, #/compare/A/B), so every
// view has an address a researcher can share or reload.
import { Effect, Either } from "effect"
import { css, html, LitElement } from "lit"
import { loadRunList, type RunListing } from "../data/runFiles.ts"
import "./ComparePage.ts"
import { pageStyles } from "./pageStyles.ts"
import "./RunPage.ts"

type Route = { readonly page: "run"; readonly run: string } | { readonly page: "compare"; readonly a: string; readonly b: string } | { readonly page: "home" }

export const parseRoute = (hash: string): Route => {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent)
  if (parts[0] === "run" && parts[1]) return { page: "run", run: parts[1] }
  if (parts[0] === "compare" && parts[1] && parts[2]) return { page: "compare", a: parts[1], b: parts[2] }
  return { page: "home" }
}

export class Explorer extends LitElement {
  static override properties = { runs: { state: true }, route: { state: true }, error: { state: true } }
  static override styles = [pageStyles, css`
    :host {
      display: block;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0.4rem 1.5rem;
      padding: 0.7rem 1rem;
      background: #24292f;
      color: #fff;
    }
    header h1 {
      font-size: 1.05rem;
      margin: 0;
    }
    nav {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3rem 0.9rem;
    }
    nav a {
      color: #d0d7de;
    }
    nav a[aria-current="page"] {
      color: #fff;
      font-weight: 600;
    }
    main {
      padding: 1rem;
      max-width: 1400px;
      margin: 0 auto;
    }
  `]

  declare runs: ReadonlyArray<RunListing>
  declare route: Route
  declare error: string

  constructor() {
    super()
    this.runs = []
    this.route = parseRoute(location.hash)
    this.error = ""
  }

  private readonly onHash = () => (this.route = parseRoute(location.hash))

  override connectedCallback() {
    super.connectedCallback()
    addEventListener("hashchange", this.onHash)
    void Effect.runPromise(Effect.either(loadRunList())).then((r) => {
      if (Either.isLeft(r)) this.error = r.left.message
      else this.runs = r.right
    })
  }

  override disconnectedCallback() {
    removeEventListener("hashchange", this.onHash)
    super.disconnectedCallback()
  }

  override render() {
    const r = this.route
    const first = this.runs[0]?.name ?? ""
    const second = this.runs[1]?.name ?? first
    const current = r.page === "run" ? r.run : r.page === "home" ? first : ""
    return html`
      <header>
        <h1>CrowdCloud results explorer</h1>
        <nav aria-label="runs">
          ${this.runs.map((run) => html`<a href=${`#/run/${encodeURIComponent(run.name)}`} aria-current=${run.name === current ? "page" : "false"}>${run.name}</a>`)}
          ${this.runs.length > 1 ? html`<a href=${`#/compare/${encodeURIComponent(first)}/${encodeURIComponent(second)}`} aria-current=${r.page === "compare" ? "page" : "false"}>compare</a>` : ""}
        </nav>
      </header>
      <main>
        ${this.error
          ? html`<div class="error" role="alert">${this.error}</div>`
          : r.page === "compare"
            ? html`<cc-compare-page .runs=${this.runs} runA=${r.a} runB=${r.b}></cc-compare-page>`
            : current
              ? html`<cc-run-page run-name=${current}></cc-run-page>`
              : html`<p>No runs here yet: run a scenario with <code>npm run sim -- &lt;scenario&gt;</code>.</p>`}
      </main>
    `
  }
}

if (!customElements.get("cc-explorer")) customElements.define("cc-explorer", Explorer)
