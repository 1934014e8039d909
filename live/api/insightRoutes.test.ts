// The insight routes over real HTTP: the stub ClusterApi (with the real accounts store) signs users
// in; the InsightsApi is the real one over a coordinator in a temp dir (live/insights/testing.ts),
// and the traffic meter is its SQLite one. Checks the wiring: authentication, each refusal of what
// is not the caller's, 400s naming the field, the CSV download, top-up statuses.
import { HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as TestClock from "effect/TestClock"
import type { JobId } from "../../core/domain/ids.ts"
import { parseCsv } from "../insights/csv.testing.ts"
import { InsightsApi } from "../insights/InsightsApi.ts"
import { parseMicroCredits } from "../insights/invoiceCsv.ts"
import { openTestCluster } from "../insights/testing.ts"
import { TrafficMeter } from "./Principal.ts"
import { layerServeCluster } from "./serve.ts"
import { makeStubClusterApi } from "./stubClusterApi.ts"

const now = Date.UTC(2026, 2, 10, 12)

interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: any
}

interface Session {
  readonly cookie: string
  readonly csrfToken: string
  readonly me: { readonly user: string; readonly payer: string; readonly org: { readonly id: string } | null }
}

type As = null | { readonly token: string } | Session | { readonly session: Session; readonly csrf: false }

const world = Effect.gen(function* () {
  yield* TestClock.setTime(now)
  const c = yield* openTestCluster
  const stub = makeStubClusterApi({ users: [{ name: "bob", token: "bob-token" }], traffic: Layer.succeed(TrafficMeter, c.meter) })
  const served = yield* Layer.build(layerServeCluster({ port: 0 }).pipe(Layer.provide(stub.layer), Layer.provide(Layer.succeed(InsightsApi, c.insights))))
  const base = yield* HttpServer.addressWith((a) => (a._tag === "TcpAddress" ? Effect.succeed(`http://127.0.0.1:${a.port}`) : Effect.dieMessage("not TCP"))).pipe(Effect.provide(served))

  const call = (method: string, path: string, as: As, body?: unknown) =>
    Effect.promise(async (): Promise<Reply> => {
      const headers: Record<string, string> = {}
      if (as !== null && "token" in as) headers["authorization"] = `Bearer ${as.token}`
      if (as !== null && "session" in as) headers["cookie"] = as.session.cookie
      if (as !== null && "cookie" in as) {
        headers["cookie"] = as.cookie
        headers["x-csrf-token"] = as.csrfToken
      }
      if (body !== undefined) headers["content-type"] = "application/json"
      const response = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}) })
      const text = await response.text()
      const isJson = (response.headers.get("content-type") ?? "").includes("json")
      return { status: response.status, headers: response.headers, body: isJson && text !== "" ? JSON.parse(text) : text }
    })
  const signup = (body: Record<string, unknown>) =>
    Effect.map(call("POST", "/api/auth/signup", null, body), (r): Session => {
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      return { cookie: r.headers.getSetCookie().find((x) => x.startsWith("cc_session="))!.split(";")[0]!, csrfToken: r.body.csrfToken, me: r.body }
    })

  const boss = yield* signup({ kind: "company", name: "boss", email: "boss@acme.test", password: "boss-password", orgName: "Acme" })
  const code = (yield* call("POST", "/api/org/invitations", boss, { role: "member" })).body.code
  const worker = yield* signup({ kind: "company", name: "worker", email: "worker@acme.test", password: "worker-password", invitation: code })
  const rival = yield* signup({ kind: "company", name: "rival", email: "rival@globex.test", password: "rival-password", orgName: "Globex" })
  const alice = yield* signup({ kind: "personal", name: "alice", email: "alice@example.com", password: "alice-password" })
  const org = boss.me.payer

  // The coordinator's side of the same story: the grants, a node, and a job each that ran.
  for (const payer of [org, "alice", rival.me.payer]) yield* c.fund(payer)
  yield* c.addNode()
  const ran = (job: JobId) => Effect.zipRight(c.start(job), c.finish(job, "succeeded", 60_000))
  const jobs = {
    worker: yield* c.submit("worker", { payer: org }),
    boss: yield* c.submit("boss", { payer: org }),
    alice: yield* c.submit("alice")
  }
  for (const job of Object.values(jobs)) yield* ran(job)
  return { c, call, boss, worker, rival, alice, org, jobs }
})

const routes: ReadonlyArray<readonly [string, string]> = [
  ["GET", "/api/dashboard"], ["GET", "/api/analytics"], ["GET", "/api/billing"], ["POST", "/api/billing/topup"],
  ["GET", "/api/billing/invoices"], ["GET", "/api/billing/invoices/2026-03.csv"], ["GET", "/api/billing/audit"],
  ["GET", "/api/lender"], ["POST", "/api/lender/join-token"]
]

describe("insight routes", () => {
  it.scoped("every route refuses an unauthenticated call, and a session's POST without its CSRF token", () =>
    Effect.gen(function* () {
      const { call, boss } = yield* world
      for (const [method, path] of routes) {
        const r = yield* call(method, path, null, method === "POST" ? { credits: 1 } : undefined)
        expect([path, r.status, r.body.error]).toEqual([path, 401, "Unauthenticated"])
        expect((yield* call(method, path, { token: "nope" })).status).toBe(401)
      }
      for (const [method, path] of routes.filter(([m]) => m === "POST")) {
        const r = yield* call(method, path, { session: boss, csrf: false }, { credits: 1 })
        expect([path, r.status, r.body.error]).toEqual([path, 403, "CsrfRejected"])
      }
    }))

  it.scoped("the dashboard and analytics show each caller their own jobs only; bad periods get a 400 naming the field", () =>
    Effect.gen(function* () {
      const { call, boss, worker, rival, alice } = yield* world
      const totals = []
      for (const who of [boss, worker, rival, alice]) totals.push((yield* call("GET", "/api/dashboard", who)).body.jobs.total)
      expect(totals).toEqual([2, 1, 0, 1])
      const d = (yield* call("GET", "/api/dashboard", alice)).body
      expect([d.fromMs, d.toMs]).toEqual([now + 1 - 30 * 86_400_000, now + 1])
      expect(d.traffic.requests).toBeGreaterThan(0)
      const bob = (yield* call("GET", `/api/dashboard?from=0&to=${now + 1}`, { token: "bob-token" })).body
      expect(bob.jobs.total).toBe(0)

      const a = (yield* call("GET", `/api/analytics?from=${now - 3600_000}&to=${now + 3600_000}&bucketMs=600000`, worker)).body
      expect(a.utilisation.length).toBe(12)
      expect(a.keyMetrics.jobs).toBe(1)
      expect(a.jobsByState).toEqual([{ label: "succeeded", value: 1 }])
      expect((yield* call("GET", "/api/analytics", worker)).body.utilisation.length).toBe(50)

      const fields = (path: string) => Effect.map(call("GET", path, alice), (r) => [r.status, r.body.fields])
      expect(yield* fields("/api/dashboard?from=yesterday")).toEqual([400, ["from"]])
      expect(yield* fields("/api/dashboard?from=10&to=5")).toEqual([400, ["to"]])
      expect(yield* fields("/api/dashboard?form=10")).toEqual([400, ["form"]])
      expect(yield* fields("/api/analytics?bucketMs=0")).toEqual([400, ["bucketMs"]])
      expect(yield* fields("/api/analytics?bucketMs=1000")).toEqual([400, ["bucketMs"]])
      expect(yield* fields("/api/billing?x=1")).toEqual([400, ["x"]])
    }))

  it.scoped("billing and top-up: a member sees the org's balance but cannot buy; a retried purchase counts once; a reused key is a 409", () =>
    Effect.gen(function* () {
      const { call, c, boss, worker, rival, alice, org, jobs } = yield* world
      const b = (yield* call("GET", "/api/billing", boss)).body
      expect([b.account, b.canTopUp]).toEqual([`user:${org}`, true])
      const w = (yield* call("GET", "/api/billing", worker)).body
      expect([w.account, w.canTopUp, w.balanceCredits]).toEqual([`user:${org}`, false, b.balanceCredits])
      expect(new Set(w.entries.map((e: { job: number }) => e.job))).toEqual(new Set([jobs.worker]))
      expect((yield* call("GET", "/api/billing", rival)).body.entries.every((e: { job: number | null }) => e.job === null)).toBe(true)

      const refused = yield* call("POST", "/api/billing/topup", worker, { credits: 10 })
      expect([refused.status, refused.body.error]).toEqual([403, "OrgAdminOnly"])
      const first = yield* call("POST", "/api/billing/topup", boss, { credits: 25, key: "order-1" })
      const again = yield* call("POST", "/api/billing/topup", boss, { credits: 25, key: "order-1" })
      expect([first.status, again.status]).toEqual([200, 200])
      expect(first.body.balanceCredits).toBeCloseTo(b.balanceCredits + 25, 6)
      expect(again.body.balanceCredits).toBe(first.body.balanceCredits)
      const conflict = yield* call("POST", "/api/billing/topup", boss, { credits: 30, key: "order-1" })
      expect([conflict.status, conflict.body.error, conflict.body.key]).toEqual([409, "TopUpConflict", "order-1"])
      // Alice's own "order-1" is her purchase, not acme's.
      expect((yield* call("POST", "/api/billing/topup", alice, { credits: 5, key: "order-1" })).status).toBe(200)
      expect(c.machine.book.balance("user:alice")).toBe(Math.round((yield* call("GET", "/api/billing", alice)).body.balanceCredits * 1e6))

      for (const [body, field] of [[{ credits: "ten" }, "credits"], [{ credits: 0 }, "credits"], [{ credits: 1_000_001 }, "credits"], [{}, "credits"], [{ credits: 1, key: "" }, "key"], [{ credits: 1, tip: 2 }, "tip"]] as const) {
        const r = yield* call("POST", "/api/billing/topup", boss, body)
        expect([JSON.stringify(body), r.status, r.body.fields]).toEqual([JSON.stringify(body), 400, [field]])
      }
      expect((yield* call("POST", "/api/billing/topup", boss, "{credits")).body.error).toBe("MalformedBody")
    }))

  it.scoped("invoices: the list, and a month's CSV as an attachment that parses back to its total; another's month is unknown", () =>
    Effect.gen(function* () {
      const { call, boss, worker, rival, org } = yield* world
      const list = (yield* call("GET", "/api/billing/invoices", boss)).body.invoices
      expect(list.map((i: { month: string }) => i.month)).toEqual(["2026-03"])
      const r = yield* call("GET", "/api/billing/invoices/2026-03.csv", boss)
      expect(r.status).toBe(200)
      expect(r.headers.get("content-type")).toMatch(/^text\/csv/)
      expect(r.headers.get("content-disposition")).toBe(`attachment; filename="crowdcloud-invoice-${org}-2026-03.csv"`)
      const rows = parseCsv(r.body)
      expect(rows[0]).toEqual(["date", "seq", "kind", "job", "memo", "amountCredits"])
      const total = rows.at(-1)!
      expect(parseMicroCredits(total[5]!)).toBe(rows.slice(1, -1).reduce((s, row) => s + parseMicroCredits(row[5]!), 0))
      expect(parseMicroCredits(total[5]!)).toBe(Math.round(list[0].totalCredits * 1e6))
      // The member's invoice holds their own job's lines only.
      const mine = parseCsv((yield* call("GET", "/api/billing/invoices/2026-03.csv", worker)).body).slice(1, -1)
      expect(mine.length).toBeGreaterThan(0)
      expect(mine.length).toBeLessThan(rows.length - 2)

      const unknown = yield* call("GET", "/api/billing/invoices/2026-02.csv", boss)
      expect([unknown.status, unknown.body.error]).toEqual([404, "UnknownInvoice"])
      const bad = yield* call("GET", "/api/billing/invoices/2026-13.csv", boss)
      expect([bad.status, bad.body.fields]).toEqual([400, ["file"]])
      expect((yield* call("GET", "/api/billing/invoices/2026-03.csv", { token: "bob-token" })).status).toBe(404)
      expect((yield* call("GET", "/api/billing/invoices", rival)).body.invoices.length).toBe(1) // the grant only
    }))

  it.scoped("the audit reports the chain; a lender's join token makes the node theirs and no one else's", () =>
    Effect.gen(function* () {
      const { call, c, alice, boss } = yield* world
      const audit = (yield* call("GET", "/api/billing/audit", alice)).body
      expect(audit).toEqual({ ok: true, entries: c.machine.book.head.seq, headSeq: c.machine.book.head.seq, headHash: c.machine.book.head.hash, problem: null })
      const token = yield* call("POST", "/api/lender/join-token", alice)
      expect(token.status).toBe(201)
      expect(token.body.command).toContain(`--token ${token.body.token}`)
      expect((yield* call("GET", "/api/lender", alice)).body.nodes.map((n: { id: number }) => n.id)).toEqual([token.body.nodeId])
      expect((yield* call("GET", "/api/lender", boss)).body.nodes).toEqual([])
      expect((yield* call("GET", "/api/lender", { token: "bob-token" })).body.totals.nodes).toBe(0)
    }))
})
