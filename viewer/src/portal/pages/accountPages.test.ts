// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest"
import { byId, definitions, errorOf, FakeApi, me, mount, type, until } from "../testing.ts"
import { BillingPage } from "./BillingPage.ts"
import { LenderPage } from "./LenderPage.ts"
import { SettingsPage } from "./SettingsPage.ts"
import { objectHealth, StoragePage } from "./StoragePage.ts"

afterEach(() => {
  document.body.innerHTML = ""
  vi.unstubAllGlobals()
})

const object = (key: string, healthyShards: number) => ({ bucket: "alice-outputs", key, sizeBytes: 2048, contentSha256: "ab".repeat(32), createdAtMs: 1, healthyShards, k: 2, n: 3 })

describe("cc-storage-page", () => {
  it("lists buckets and objects with their health, links downloads, uploads with PUT and deletes", async () => {
    vi.stubGlobal("confirm", () => true)
    let objects = [object("job-1/result.txt", 3), object("job-2/a b.txt", 2), object("lost.bin", 1)]
    const api = new FakeApi()
      .on("GET /api/buckets", { json: { buckets: [{ name: "alice-outputs", redundancy: "rs2+1", createdAtMs: 1 }] } })
      .on("GET /api/objects/alice-outputs", () => ({ json: { objects } }))
      .on("PUT /api/objects/alice-outputs/notes/today.txt", { status: 201, json: object("notes/today.txt", 3) })
      .on("DELETE /api/objects/alice-outputs/lost.bin", () => {
        objects = objects.filter((o) => o.key !== "lost.bin")
        return { json: { deleted: { bucket: "alice-outputs", key: "lost.bin" } } }
      })
    const page = await mount<StoragePage>("cc-storage-page", { client: api.client(), me })
    await until(page, () => page.querySelector("[data-testid=objects-table]") !== null)
    const row = (key: string) => page.querySelector(`[data-testid="object-row-${key}"]`)
    expect(row("job-1/result.txt")?.textContent).toMatch(/healthy[\s\S]*3\/3 healthy, 2 needed/)
    expect(row("job-2/a b.txt")?.querySelector(".health")?.textContent).toBe("degraded")
    expect(row("lost.bin")?.querySelector(".health")?.textContent).toBe("unreadable")
    expect(row("job-2/a b.txt")?.querySelector("a")?.getAttribute("href")).toBe("/api/objects/alice-outputs/job-2/a%20b.txt")
    expect(byId(page, "upload-bucket").value).toBe("alice-outputs")
    const file = new File(["hello"], "today.txt")
    const input = byId(page, "upload-file")
    Object.defineProperty(input, "files", { value: [file] })
    input.dispatchEvent(new Event("change"))
    type(byId(page, "upload-key"), "notes/today.txt")
    await page.upload(new Event("submit", { cancelable: true }))
    const put = api.to("PUT /api/objects/alice-outputs/notes/today.txt")[0]
    expect(put?.body).toBe(file)
    expect(put?.headers["x-csrf-token"]).toBe("csrf-1")
    expect(page.querySelector("[data-testid=storage-notice]")?.textContent).toBe("Uploaded alice-outputs/notes/today.txt (2.0 KiB).")
    const remove = [...page.querySelectorAll("button")].find((b) => b.getAttribute("aria-label") === "Delete lost.bin")
    remove?.click()
    await until(page, () => row("lost.bin") === null)
    expect(api.to("DELETE /api/objects/alice-outputs/lost.bin")).toHaveLength(1)
  })

  it("checks the upload form before sending", async () => {
    const api = new FakeApi().on("GET /api/buckets", { json: { buckets: [] } })
    const page = await mount<StoragePage>("cc-storage-page", { client: api.client(), me })
    type(byId(page, "upload-bucket"), "No_Caps")
    await page.upload(new Event("submit", { cancelable: true }))
    await page.updateComplete
    expect(errorOf(page, "upload-bucket")).toMatch(/lowercase letters/)
    expect(errorOf(page, "upload-file")).toBe("Choose a file to upload.")
    expect(api.requests.filter((r) => r.method === "PUT")).toHaveLength(0)
  })

  it("calls an object healthy, degraded or unreadable from its shards", () => {
    expect([3, 2, 1].map((h) => objectHealth(object("x", h)))).toEqual(["healthy", "degraded", "unreadable"])
  })
})

describe("cc-billing-page", () => {
  const billing = (balanceCredits: number, canTopUp = true) => ({
    json: { account: "user:org.acme", balanceCredits, escrowCredits: 0.5, canTopUp, entries: [{ seq: 4, atMs: 1, kind: "settle", amountCredits: -0.25, memo: "job 1", job: 1 }, { seq: 1, atMs: 0, kind: "fund", amountCredits: 100, memo: "sign-up grant", job: null }] }
  })

  it("shows balance, ledger and invoices, tops up once per key, and runs the audit", async () => {
    let balance = 99.75
    const api = new FakeApi()
      .on("GET /api/billing", () => billing(balance))
      .on("GET /api/billing/invoices", { json: { invoices: [{ month: "2026-11", totalCredits: 99.75, jobs: 1, entries: 2 }] } })
      .on("POST /api/billing/topup", (r) => {
        balance += (r.body as { credits: number }).credits
        return { json: { balanceCredits: balance, key: (r.body as { key?: string }).key ?? "generated" } }
      })
      .on("GET /api/billing/audit", { json: { ok: false, entries: 2, headSeq: 4, headHash: "f".repeat(64), problem: { seq: 4, kind: "HashMismatch", message: "entry 4's hash does not match" } } })
    const page = await mount<BillingPage>("cc-billing-page", { client: api.client(), me })
    await until(page, () => page.querySelector("[data-testid=ledger-table]") !== null)
    expect(definitions(page, "[data-testid=billing-balance]")).toEqual({ Account: "Acme (organisation)", Balance: "99.75 cr", "Held in escrow": "0.50 cr" })
    expect(page.querySelectorAll("[data-testid=ledger-table] tbody tr")).toHaveLength(2)
    // Each entry says what it was for: its job (a link to it) and its memo.
    const forCells = [...page.querySelectorAll("[data-testid=ledger-table] tbody tr td:last-child")]
    expect(forCells.map((c) => c.textContent?.replace(/\s+/g, " ").trim())).toEqual(["Job 1 job 1", "sign-up grant"])
    expect(forCells[0]?.querySelector("a")?.getAttribute("href")).toBe("#/jobs/1")
    expect(page.querySelector("[data-testid=invoices-table] a")?.getAttribute("href")).toBe("/api/billing/invoices/2026-11.csv")
    type(byId(page, "topup-credits"), "-5")
    await page.topUp(new Event("submit", { cancelable: true }))
    await page.updateComplete
    expect(errorOf(page, "topup-credits")).toBe("Enter a positive number of credits.")
    type(byId(page, "topup-credits"), "50")
    await page.topUp(new Event("submit", { cancelable: true }))
    type(byId(page, "topup-credits"), "25")
    await page.topUp(new Event("submit", { cancelable: true }))
    await page.updateComplete
    const keys = api.to("POST /api/billing/topup").map((r) => (r.body as { key: string }).key)
    expect(keys).toHaveLength(2)
    expect(new Set(keys).size).toBe(2)
    expect(page.querySelector("[data-testid=billing-notice]")?.textContent).toBe("Added 25.00 cr; the balance is now 174.75 cr.")
    expect(definitions(page, "[data-testid=billing-balance]")["Balance"]).toBe("174.75 cr")
    await page.runAudit()
    await page.updateComplete
    expect(page.querySelector("[data-testid=audit-result]")?.textContent?.trim()).toBe("The chain is broken: entry 4 (HashMismatch): entry 4's hash does not match.")
  })

  it("tells a member that only admins top up, without a form", async () => {
    const api = new FakeApi().on("GET /api/billing", billing(10, false)).on("GET /api/billing/invoices", { json: { invoices: [] } })
    const page = await mount<BillingPage>("cc-billing-page", { client: api.client(), me })
    await until(page, () => page.querySelector("[data-testid=billing-balance]") !== null)
    expect(page.querySelector("[data-testid=topup-form]")).toBeNull()
    expect(page.textContent).toContain("Only your organisation's admins can top up its credits.")
  })
})

describe("cc-settings-page", () => {
  it("creates a token (shown once), lists and revokes tokens, and lets an admin invite", async () => {
    vi.stubGlobal("confirm", () => true)
    let tokens = [{ id: "t1", label: "laptop", createdAtMs: 1, lastUsedAtMs: null }]
    const api = new FakeApi()
      .on("GET /api/tokens", () => ({ json: { tokens } }))
      .on("POST /api/tokens", (r) => {
        tokens = [...tokens, { id: "t2", label: (r.body as { label: string }).label, createdAtMs: 2, lastUsedAtMs: null }]
        return { status: 201, json: { id: "t2", label: "ci", token: "cc_secret_123" } }
      })
      .on("DELETE /api/tokens/t1", () => {
        tokens = tokens.filter((t) => t.id !== "t1")
        return { status: 204 }
      })
      .on("GET /api/org", { json: { id: "org.acme", name: "Acme", role: "admin", members: [{ user: "alice", email: "alice@example.com", role: "admin", joinedAtMs: 1 }] } })
      .on("GET /api/org/invitations", { json: { invitations: [] } })
      .on("POST /api/org/invitations", { status: 201, json: { code: "inv-xyz", expiresAtMs: 10 } })
    const page = await mount<SettingsPage>("cc-settings-page", { client: api.client(), me })
    await until(page, () => page.querySelector("[data-testid=members-table]") !== null)
    type(byId(page, "token-label"), "ci")
    await page.createToken(new Event("submit", { cancelable: true }))
    await page.updateComplete
    expect(page.querySelector("[data-testid=new-token] code")?.textContent).toBe("cc_secret_123")
    expect(page.querySelectorAll("[data-testid=tokens-table] tbody tr")).toHaveLength(2)
    const revoke = [...page.querySelectorAll("button")].find((b) => b.getAttribute("aria-label") === "Revoke token laptop")
    revoke?.click()
    await until(page, () => page.querySelectorAll("[data-testid=tokens-table] tbody tr").length === 1)
    type(byId(page, "invite-email"), "bob@example.com")
    type(byId(page, "invite-role"), "member")
    await page.invite(new Event("submit", { cancelable: true }))
    await page.updateComplete
    expect(api.to("POST /api/org/invitations")[0]?.body).toEqual({ email: "bob@example.com", role: "member" })
    expect(page.querySelector("[data-testid=new-invitation] code")?.textContent).toBe("inv-xyz")
  })

  it("shows a personal user no organisation section to manage", async () => {
    const api = new FakeApi().on("GET /api/tokens", { json: { tokens: [] } })
    const page = await mount<SettingsPage>("cc-settings-page", { client: api.client(), me: { ...me, kind: "personal", org: null, payer: "alice" } })
    await until(page, () => api.requests.length === 1)
    expect(page.querySelector("[data-testid=invite-form]")).toBeNull()
    expect(api.to("GET /api/org")).toHaveLength(0)
  })
})

describe("cc-lender-page", () => {
  it("lists the user's nodes and makes a join token with its command", async () => {
    const api = new FakeApi()
      .on("GET /api/lender", { json: { nodes: [{ id: 3, enrolled: true, online: true, region: "eu", vcpus: 4, memoryMiB: 8192, uptimeFraction: 0.995, jobsServed: 12, earningsCredits: 3.5, reputation: 0.9, lastSeenMs: null, joinedAtMs: 1 }], totals: { nodes: 1, online: 1, vcpus: 4, memoryMiB: 8192, jobsServed: 12, earningsCredits: 3.5 } } })
      .on("POST /api/lender/join-token", { status: 201, json: { nodeId: 4, token: "join-abc", command: "crowdcloud agent --join 127.0.0.1:7001 --token join-abc" } })
    const page = await mount<LenderPage>("cc-lender-page", { client: api.client(), me })
    await until(page, () => page.querySelector("[data-testid=node-row-3]") !== null)
    const cells = [...page.querySelectorAll("[data-testid=node-row-3] > *")].map((c) => c.textContent?.trim())
    expect(cells).toEqual(["Node 3", "online", "eu", "4", "8192 MiB", "99.5%", "12", "3.50 cr", "0.90", "—"])
    expect(definitions(page, "[data-testid=lender-totals]")["Earnings"]).toBe("3.50 cr")
    await page.newJoinToken()
    await page.updateComplete
    expect(definitions(page, "[data-testid=join-token]")).toEqual({ Node: "4", Token: "join-abc", Command: "crowdcloud agent --join 127.0.0.1:7001 --token join-abc" })
  })
})
