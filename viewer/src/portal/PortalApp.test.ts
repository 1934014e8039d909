// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest"
import { PortalClient } from "./api/client.ts"
import { PortalApp } from "./PortalApp.ts"
import type { LoginPage } from "./pages/LoginPage.ts"
import { FakeApi, me, until } from "./testing.ts"

afterEach(() => {
  document.body.innerHTML = ""
  location.hash = ""
})

const mountApp = async (api: FakeApi, hash: string) => {
  location.hash = hash
  const app = document.createElement("cc-portal") as PortalApp
  // The shell makes its own client; the test swaps in one over the fake API before it connects.
  app.client = new PortalClient({ fetch: api.fetch })
  document.body.append(app)
  await app.updateComplete
  return app
}

describe("cc-portal", () => {
  it("sends a signed-out visitor to the login page", async () => {
    const api = new FakeApi().on("GET /api/auth/me", { status: 401, json: { error: "Unauthenticated", message: "no session" } })
    const app = await mountApp(api, "#/jobs")
    await until(app, () => app.querySelector("cc-login-page") !== null)
    expect(location.hash).toBe("#/login")
    expect(app.querySelector("nav")).toBeNull()
    expect(app.querySelector("h1")?.textContent).toBe("Log in")
  })

  it("shows the signed-in user's navigation and the page of the route, and logs out", async () => {
    const api = new FakeApi()
      .on("GET /api/auth/me", { json: me })
      .on("GET /api/jobs", { json: { jobs: [] } })
      .on("POST /api/auth/logout", { status: 204 })
    const app = await mountApp(api, "#/jobs")
    await until(app, () => app.querySelector("cc-jobs-page") !== null)
    const links = [...app.querySelectorAll("nav a")].map((a) => [a.textContent, a.getAttribute("href"), a.getAttribute("aria-current")])
    expect(links).toContainEqual(["Jobs", "#/jobs", "page"])
    expect(links.map((l) => l[0])).toEqual(["Dashboard", "Analytics", "Jobs", "Storage", "Billing", "Lender", "Settings"])
    expect(app.querySelector("[data-testid=signed-in-as]")?.textContent).toBe("alice · Acme (admin)")
    location.hash = "#/jobs/new"
    await until(app, () => app.querySelector("cc-create-job-page") !== null)
    expect(app.querySelector("nav a[aria-current=page]")?.textContent).toBe("Jobs")
    await app.logout()
    await until(app, () => app.querySelector("cc-login-page") !== null)
    expect(api.to("POST /api/auth/logout")[0]?.headers["x-csrf-token"]).toBe(me.csrfToken)
    expect(location.hash).toBe("#/login")
  })

  it("sends the user to the login page when the session ends under a page (a 401)", async () => {
    let sessionEnded = false
    const api = new FakeApi()
      .on("GET /api/auth/me", { json: me })
      .on("GET /api/jobs", () => sessionEnded ? { status: 401, json: { error: "Unauthenticated", message: "session expired" } } : { json: { jobs: [] } })
    const app = await mountApp(api, "#/jobs")
    await until(app, () => app.querySelector("cc-jobs-page") !== null)
    sessionEnded = true
    await until(app, () => app.querySelector("cc-login-page") !== null, 3000)
    expect(location.hash).toBe("#/login")
    expect(app.querySelector("nav")).toBeNull()
  })

  it("shows the dashboard after signing in from the login page", async () => {
    const api = new FakeApi()
      .on("GET /api/auth/me", { status: 401, json: { error: "Unauthenticated", message: "no session" } })
      .on("POST /api/auth/login", { json: me })
      .on("GET /api/dashboard", { json: { fromMs: 0, toMs: 1, jobs: { total: 0, byState: {}, failureRate: 0 }, traffic: { requests: 0, bytesIn: 0, bytesOut: 0 }, expensesCredits: 0, balanceCredits: 5, escrowCredits: 0 } })
    const app = await mountApp(api, "#/login")
    await until(app, () => app.querySelector("cc-login-page") !== null)
    const login = app.querySelector("cc-login-page") as LoginPage
    login.login = "alice"
    login.password = "secret-pw"
    await login.submit(new Event("submit", { cancelable: true }))
    await until(app, () => app.querySelector("cc-dashboard-page") !== null)
    expect(location.hash).toBe("#/dashboard")
  })
})
