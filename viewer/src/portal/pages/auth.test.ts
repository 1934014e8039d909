// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest"
import type { Me } from "../api/schemas.ts"
import { type Answer, byId, errorOf, FakeApi, me, mount, type } from "../testing.ts"
import { LoginPage } from "./LoginPage.ts"
import { SignupPage } from "./SignupPage.ts"

afterEach(() => {
  document.body.innerHTML = ""
})

const choose = (page: HTMLElement, name: string, value: string) => {
  const radio = page.querySelector<HTMLInputElement>(`input[name=${name}][value=${value}]`)
  if (radio === null) throw new Error(`no ${name}=${value}`)
  radio.checked = true
  radio.dispatchEvent(new Event("change", { bubbles: true }))
}

const signedInFrom = (page: HTMLElement) => {
  const seen: Array<Me> = []
  page.addEventListener("cc-signed-in", (e) => seen.push((e as CustomEvent<Me>).detail))
  return seen
}

describe("cc-signup-page", () => {
  it("signs up a company user who creates an organisation", async () => {
    const api = new FakeApi().on("POST /api/auth/signup", { status: 201, json: { ...me, csrfToken: "fresh" } })
    const page = await mount<SignupPage>("cc-signup-page", { client: api.client() })
    const seen = signedInFrom(page)
    expect(page.querySelector("#signup-org-name")).toBeNull()
    choose(page, "kind", "company")
    await page.updateComplete
    type(byId(page, "signup-name"), "alice")
    type(byId(page, "signup-email"), "alice@example.com")
    type(byId(page, "signup-password"), "correct horse")
    type(byId(page, "signup-org-name"), "Acme")
    await page.submit(new Event("submit", { cancelable: true }))
    expect(api.to("POST /api/auth/signup")[0]?.body).toEqual({ kind: "company", name: "alice", email: "alice@example.com", password: "correct horse", orgName: "Acme" })
    expect(seen.map((m) => m.user)).toEqual(["alice"])
    expect(page.client.csrfToken).toBe("fresh")
  })

  it("joins with an invitation code, and checks the fields before sending", async () => {
    const api = new FakeApi().on("POST /api/auth/signup", { status: 201, json: me })
    const page = await mount<SignupPage>("cc-signup-page", { client: api.client() })
    choose(page, "kind", "company")
    await page.updateComplete
    choose(page, "orgMode", "join")
    await page.updateComplete
    type(byId(page, "signup-name"), "Bob!")
    await page.submit(new Event("submit", { cancelable: true }))
    await page.updateComplete
    expect(api.requests).toHaveLength(0)
    expect(errorOf(page, "signup-name")).toMatch(/lowercase letters, digits and hyphens/)
    expect(errorOf(page, "signup-email")).toMatch(/email address/)
    expect(errorOf(page, "signup-password")).toMatch(/at least 8 characters/)
    expect(errorOf(page, "signup-invitation")).toMatch(/invitation code/)
    expect(byId(page, "signup-name").getAttribute("aria-invalid")).toBe("true")
    expect(page.querySelector("#signup-alert")?.textContent).toBe("Check the highlighted fields.")
    type(byId(page, "signup-name"), "bob")
    type(byId(page, "signup-email"), "bob@example.com")
    type(byId(page, "signup-password"), "12345678")
    type(byId(page, "signup-invitation"), "inv-123")
    await page.updateComplete
    expect(errorOf(page, "signup-name")).toBe("")
    await page.submit(new Event("submit", { cancelable: true }))
    expect(api.to("POST /api/auth/signup")[0]?.body).toMatchObject({ kind: "company", name: "bob", invitation: "inv-123" })
  })

  it("shows the API's refusal beside the field it names (a taken name)", async () => {
    const api = new FakeApi().on("POST /api/auth/signup", { status: 409, json: { error: "NameTaken", message: "the user name alice is taken", fields: [{ field: "name", message: "This name is taken." }] } })
    const page = await mount<SignupPage>("cc-signup-page", { client: api.client() })
    type(byId(page, "signup-name"), "alice")
    type(byId(page, "signup-email"), "alice@example.com")
    type(byId(page, "signup-password"), "12345678")
    await page.submit(new Event("submit", { cancelable: true }))
    await page.updateComplete
    expect(errorOf(page, "signup-name")).toBe("This name is taken.")
    expect(page.querySelector("#signup-alert")?.textContent).toBe("the user name alice is taken")
  })
})

describe("cc-login-page", () => {
  it("logs in, and says plainly when the pair is wrong or attempts are too many", async () => {
    let status = 401
    const api = new FakeApi().on("POST /api/auth/login", (): Answer => {
      if (status === 200) return { json: me }
      const headers: Record<string, string> = status === 429 ? { "retry-after": "60" } : {}
      return { status, json: { error: "x", message: "x" }, headers }
    })
    const page = await mount<LoginPage>("cc-login-page", { client: api.client() })
    const seen = signedInFrom(page)
    await page.submit(new Event("submit", { cancelable: true }))
    await page.updateComplete
    expect(errorOf(page, "login-name")).toBe("Enter your user name or email.")
    expect(api.requests).toHaveLength(0)
    type(byId(page, "login-name"), "alice@example.com")
    type(byId(page, "login-password"), "wrong")
    await page.submit(new Event("submit", { cancelable: true }))
    await page.updateComplete
    expect(page.querySelector("#login-alert")?.textContent).toBe("That user name or email and password do not match.")
    status = 429
    await page.submit(new Event("submit", { cancelable: true }))
    await page.updateComplete
    expect(page.querySelector("#login-alert")?.textContent).toBe("Too many failed attempts. Try again in 60 seconds.")
    status = 200
    await page.submit(new Event("submit", { cancelable: true }))
    expect(seen).toHaveLength(1)
    expect(byId(page, "login-password").value).toBe("")
  })
})
