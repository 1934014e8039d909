// The API as a signed-up user sees it, over real HTTP: the in-memory stub for jobs and objects, the
// real accounts store (in-memory SQLite) for sign-up, sessions, tokens and organisations. Every
// endpoint: unauthenticated calls are refused, a session's writes need the CSRF header, what belongs
// to another user or organisation is answered as unknown, a malformed body gets a 400 naming the field.
import { HttpServer } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { layerServeCluster } from "./serve.ts"
import { makeStubClusterApi } from "./stubClusterApi.ts"
import { makeRecordingTrafficMeter } from "./trafficMeter.ts"

const traffic = makeRecordingTrafficMeter()
const stub = makeStubClusterApi({
  users: [{ name: "operator", token: "op-token", operator: true }, { name: "bob", token: "bob-token" }],
  accounts: { loginLimits: { windowMs: 60_000, failuresPerLogin: 3, failuresPerAddress: 50 } },
  traffic: traffic.layer
})
const server = layerServeCluster({ port: 0 }).pipe(Layer.provide(stub.layer))

interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: any
}

/** Who calls: nobody, a bearer token, or a browser session (cookie, and the CSRF token unless left out). */
type As = null | { readonly token: string } | { readonly session: Session; readonly csrf?: string | false }

interface Session {
  readonly user: string
  readonly cookie: string
  readonly csrfToken: string
}

const baseUrl = HttpServer.addressWith((address) =>
  address._tag === "TcpAddress" ? Effect.succeed(`http://127.0.0.1:${address.port}`) : Effect.dieMessage("expected a TCP address"))

const call = (method: string, path: string, as: As, body?: unknown) =>
  Effect.flatMap(baseUrl, (base) =>
    Effect.promise(async (): Promise<Reply> => {
      const headers: Record<string, string> = {}
      if (as !== null && "token" in as) headers["authorization"] = `Bearer ${as.token}`
      if (as !== null && "session" in as) {
        headers["cookie"] = as.session.cookie
        if (as.csrf !== false) headers["x-csrf-token"] = as.csrf ?? as.session.csrfToken
      }
      if (body !== undefined) headers["content-type"] = "application/json"
      const response = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}) })
      const text = await response.text()
      const isJson = (response.headers.get("content-type") ?? "").includes("json")
      return { status: response.status, headers: response.headers, body: isJson && text !== "" ? JSON.parse(text) : text }
    }))

const sessionOf = (reply: Reply): Session => {
  expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300)
  const cookie = reply.headers.getSetCookie().find((c) => c.startsWith("cc_session="))!
  return { user: reply.body.user, cookie: cookie.split(";")[0]!, csrfToken: reply.body.csrfToken }
}

const signup = (body: Record<string, unknown>) => Effect.map(call("POST", "/api/auth/signup", null, body), sessionOf)

const personal = (name: string) => ({ kind: "personal", name, email: `${name}@example.com`, password: `${name}-password` })
const job = { image: "python", command: ["python3", "-c", "print(1)"], vcpus: 1, memoryMiB: 256, timeoutS: 60 }

describe("account routes and what a signed-up user may see", () => {
  layer(server)((it) => {
    // One world for the whole suite: two companies, a personal user, a CLI user (bob, bearer).
    const world = Effect.gen(function* () {
      const boss = yield* signup({ kind: "company", name: "boss", email: "boss@acme.test", password: "boss-password", orgName: "Acme" })
      const invite = yield* call("POST", "/api/org/invitations", { session: boss }, { role: "member" })
      const worker = yield* signup({ kind: "company", name: "worker", email: "worker@acme.test", password: "worker-password", invitation: invite.body.code })
      const invite2 = yield* call("POST", "/api/org/invitations", { session: boss }, { email: "peer@acme.test" })
      const peer = yield* signup({ kind: "company", name: "peer", email: "peer@acme.test", password: "peer-password", invitation: invite2.body.code })
      const rival = yield* signup({ kind: "company", name: "rival", email: "rival@globex.test", password: "rival-password", orgName: "Globex" })
      const alice = yield* signup(personal("alice"))
      const workerJob = (yield* call("POST", "/api/jobs", { session: worker }, job)).body
      const aliceJob = (yield* call("POST", "/api/jobs", { session: alice }, job)).body
      yield* call("PUT", "/api/objects/worker-data/notes.txt", { session: worker }, "secret")
      const aliceToken = (yield* call("POST", "/api/tokens", { session: alice }, { label: "laptop" })).body
      return { boss, worker, peer, rival, alice, workerJob, aliceJob, aliceToken }
    })
    // Made by the first test that needs it, shared by the rest.
    let shared: Effect.Effect<Effect.Effect.Success<typeof world>, never, HttpServer.HttpServer> | undefined
    const W = Effect.suspend(() => (shared ??= Effect.runSync(Effect.cached(world))))

    it.effect("sign-up answers 201 with Me and an HttpOnly, SameSite=Strict session cookie; the payer is funded", () =>
      Effect.gen(function* () {
        const reply = yield* call("POST", "/api/auth/signup", null, personal("carol"))
        expect(reply.status).toBe(201)
        expect(reply.body).toMatchObject({ user: "carol", email: "carol@example.com", kind: "personal", operator: false, org: null, payer: "carol" })
        expect(typeof reply.body.csrfToken).toBe("string")
        const cookie = reply.headers.getSetCookie().find((c) => c.startsWith("cc_session="))!
        expect(cookie).toMatch(/; Max-Age=604800/)
        expect(cookie).toMatch(/; Path=\//)
        expect(cookie).toMatch(/; HttpOnly/)
        expect(cookie).toMatch(/; SameSite=Strict/)
        expect(stub.control.funded()).toContain("carol")
        const me = yield* call("GET", "/api/auth/me", { session: sessionOf(reply) })
        expect([me.status, me.body.user, me.body.csrfToken]).toEqual([200, "carol", reply.body.csrfToken])
      }))

    it.effect("a company admin sees a member's job and pays for it; another member, another org and a personal user see neither", () =>
      Effect.gen(function* () {
        const w = yield* W
        expect(w.workerJob).toMatchObject({ owner: "worker", submittedBy: "worker", payer: "org.acme", replicas: 1 })
        expect(stub.control.funded()).toEqual(expect.arrayContaining(["org.acme", "org.globex", "alice"]))
        const id = w.workerJob.id
        const boss = { session: w.boss }
        expect((yield* call("GET", `/api/jobs/${id}`, boss)).status).toBe(200)
        expect((yield* call("GET", `/api/jobs/${id}/logs`, boss)).status).toBe(200)
        expect((yield* call("GET", "/api/jobs?scope=all", boss)).body.jobs.map((j: any) => j.id)).toContain(id)
        expect((yield* call("GET", "/api/jobs?scope=mine", boss)).body.jobs.map((j: any) => j.id)).not.toContain(id)
        expect((yield* call("GET", "/api/jobs", boss)).body.jobs.map((j: any) => j.id)).not.toContain(id)
        const credits = yield* call("GET", "/api/credits", boss)
        expect([credits.body.user, credits.body.balanceCredits]).toEqual(["org.acme", 100 - w.workerJob.costCredits])

        for (const other of [w.peer, w.rival, w.alice]) {
          for (const [method, path] of [["GET", `/api/jobs/${id}`], ["GET", `/api/jobs/${id}/logs`], ["POST", `/api/jobs/${id}/cancel`]] as const) {
            const reply = yield* call(method, path, { session: other })
            expect(reply.status, `${other.user} ${method} ${path}`).toBe(404)
            expect(reply.body).toMatchObject({ error: "UnknownJob", jobId: id })
          }
          for (const scope of ["mine", "all"]) {
            expect((yield* call("GET", `/api/jobs?scope=${scope}`, { session: other })).body.jobs.map((j: any) => j.id)).not.toContain(id)
          }
        }
        // The member's own job is theirs to see; the personal user's is no admin's.
        expect((yield* call("GET", `/api/jobs/${id}`, { session: w.worker })).status).toBe(200)
        expect((yield* call("GET", `/api/jobs/${w.aliceJob.id}`, boss)).status).toBe(404)
        expect((yield* call("GET", `/api/jobs/${w.aliceJob.id}`, { token: "bob-token" })).status).toBe(404)
      }))

    it.effect("objects stay their maker's: an org admin, another member and other users get unknown", () =>
      Effect.gen(function* () {
        const w = yield* W
        for (const other of [w.boss, w.peer, w.rival, w.alice]) {
          for (const [method, path, body] of [
            ["GET", "/api/objects/worker-data/notes.txt"], ["HEAD", "/api/objects/worker-data/notes.txt"], ["GET", "/api/objects/worker-data"],
            ["DELETE", "/api/objects/worker-data/notes.txt"], ["PUT", "/api/objects/worker-data/x", "x"]
          ] as const) {
            const reply = yield* call(method, path, { session: other }, body)
            expect(reply.status, `${other.user} ${method} ${path}`).toBe(404)
          }
          expect((yield* call("GET", "/api/buckets", { session: other })).body.buckets.map((b: any) => b.name)).not.toContain("worker-data")
        }
        expect((yield* call("GET", "/api/objects/worker-data/notes.txt", { session: w.worker })).body).toBe("secret")
      }))

    it.effect("a job's output objects are read through the job: its submitter and their org admin may, nobody else, and only what it listed", () =>
      Effect.gen(function* () {
        const w = yield* W
        const id = w.workerJob.id
        stub.control.setJob(id, { outputs: ["worker-data/notes.txt"] })
        const output = `/api/jobs/${id}/outputs/worker-data/notes.txt`
        for (const reader of [w.worker, w.boss]) {
          const reply = yield* call("GET", output, { session: reader })
          expect([reply.status, reply.body], reader.user).toEqual([200, "secret"])
        }
        for (const other of [w.peer, w.rival, w.alice]) {
          expect((yield* call("GET", output, { session: other })).status, other.user).toBe(404)
        }
        // Only what the job listed: not another object of the bucket, not through another job.
        expect((yield* call("PUT", "/api/objects/worker-data/other.txt", { session: w.worker }, "other")).status).toBe(201)
        expect((yield* call("GET", `/api/jobs/${id}/outputs/worker-data/other.txt`, { session: w.boss })).body).toMatchObject({ error: "UnknownObject" })
        expect((yield* call("GET", `/api/jobs/${w.aliceJob.id}/outputs/worker-data/notes.txt`, { session: w.alice })).status).toBe(404)
        expect((yield* call("GET", output, null)).status).toBe(401)
      }))

    it.effect("API tokens: shown once, work as bearer tokens, and are nobody else's to list or delete", () =>
      Effect.gen(function* () {
        const w = yield* W
        const token = w.aliceToken
        expect(token).toMatchObject({ label: "laptop" })
        const me = yield* call("GET", "/api/auth/me", { token: token.token })
        expect(me.body).toMatchObject({ user: "alice", csrfToken: null })
        const listed = (yield* call("GET", "/api/tokens", { session: w.alice })).body.tokens
        expect(listed.map((t: any) => t.id)).toContain(token.id)
        expect(JSON.stringify(listed)).not.toContain(token.token)
        for (const other of [{ session: w.boss }, { session: w.rival }, { token: "bob-token" }]) {
          expect((yield* call("GET", "/api/tokens", other)).body.tokens.map((t: any) => t.id)).not.toContain(token.id)
          const reply = yield* call("DELETE", `/api/tokens/${token.id}`, other)
          expect([reply.status, reply.body.error]).toEqual([404, "UnknownApiToken"])
        }
        // A bearer token is exempt from CSRF: it is not sent by a browser on its own.
        const made = yield* call("POST", "/api/tokens", { token: token.token }, { label: "ci" })
        expect(made.status).toBe(201)
        expect((yield* call("DELETE", `/api/tokens/${made.body.id}`, { session: w.alice })).status).toBe(204)
        expect((yield* call("GET", "/api/auth/me", { token: made.body.token })).status).toBe(401)
      }))

    it.effect("the organisation and its invitations are its own: members listed to members, invitations to admins only", () =>
      Effect.gen(function* () {
        const w = yield* W
        const org = yield* call("GET", "/api/org", { session: w.worker })
        expect(org.body).toMatchObject({ id: "org.acme", name: "Acme", role: "member" })
        expect(org.body.members.map((m: any) => m.user).sort()).toEqual(["boss", "peer", "worker"])
        const rivals = yield* call("GET", "/api/org", { session: w.rival })
        expect(rivals.body.members.map((m: any) => m.user)).toEqual(["rival"])
        const none = yield* call("GET", "/api/org", { session: w.alice })
        expect([none.status, none.body.error]).toEqual([404, "NoOrganisation"])

        const invitations = yield* call("GET", "/api/org/invitations", { session: w.boss })
        expect(invitations.body.invitations.map((i: any) => [i.usedBy, i.email])).toEqual([["peer", "peer@acme.test"], ["worker", null]])
        expect((yield* call("GET", "/api/org/invitations", { session: w.rival })).body.invitations).toEqual([])
        for (const [method, body] of [["GET", undefined], ["POST", {}]] as const) {
          const member = yield* call(method, "/api/org/invitations", { session: w.worker }, body)
          expect([member.status, member.body.error]).toEqual([403, "NotOrgAdmin"])
          const loner = yield* call(method, "/api/org/invitations", { session: w.alice }, body)
          expect([loner.status, loner.body.error]).toEqual([404, "NoOrganisation"])
        }
      }))

    it.effect("estimates a job against the payer's credits, and a submission the payer cannot cover is a 402", () =>
      Effect.gen(function* () {
        const w = yield* W
        const big = { ...job, vcpus: 4, timeoutS: 86_400, replicas: 3 }
        const estimate = yield* call("POST", "/api/jobs/estimate", { session: w.peer }, big)
        expect(estimate.status).toBe(200)
        expect(estimate.body.affordable).toBe(false)
        expect(estimate.body.maxCredits).toBeCloseTo(4 * 86_400 * 3 * 0.001)
        const before = stub.control.jobCount()
        const refused = yield* call("POST", "/api/jobs", { session: w.peer }, big)
        expect(refused.status).toBe(402)
        expect(refused.body).toMatchObject({ error: "InsufficientCredits", account: "user:org.acme" })
        expect(refused.body.amountCredits).toBeCloseTo(estimate.body.maxCredits)
        expect(stub.control.jobCount()).toBe(before)
        const small = yield* call("POST", "/api/jobs/estimate", { session: w.peer }, { ...job, replicas: 2 })
        expect(small.body).toMatchObject({ affordable: true })
        expect(small.body.balanceCredits).toBeGreaterThan(small.body.maxCredits)
        const tooLarge = yield* call("POST", "/api/jobs/estimate", { session: w.peer }, { ...job, vcpus: 64 })
        expect([tooLarge.status, tooLarge.body.error]).toEqual([422, "JobUnsatisfiable"])
      }))

    // Every route that needs a caller, with a body it would accept (ids and names as in the world above).
    const routes: ReadonlyArray<readonly [string, string, unknown?]> = [
      ["GET", "/api/auth/me"], ["POST", "/api/auth/logout"],
      ["GET", "/api/tokens"], ["POST", "/api/tokens", { label: "x" }], ["DELETE", "/api/tokens/1"],
      ["GET", "/api/org"], ["GET", "/api/org/invitations"], ["POST", "/api/org/invitations", {}],
      ["GET", "/api/jobs"], ["POST", "/api/jobs", job], ["POST", "/api/jobs/estimate", job], ["GET", "/api/jobs/0"],
      ["POST", "/api/jobs/0/cancel"], ["GET", "/api/jobs/0/logs"],
      ["PUT", "/api/objects/data/x", "x"], ["GET", "/api/objects/data/x"], ["HEAD", "/api/objects/data/x"], ["DELETE", "/api/objects/data/x"],
      ["GET", "/api/objects/data"], ["GET", "/api/buckets"], ["GET", "/api/nodes"], ["GET", "/api/credits"],
      ["POST", "/api/nodes/join-token"], ["POST", "/api/users", { name: "zed" }]
    ]

    it.effect("refuses every route with 401 without a credential, with an unknown session and with an unknown token", () =>
      Effect.gen(function* () {
        const before = stub.control.jobCount()
        const forged = { user: "x", cookie: "cc_session=0123456789abcdef", csrfToken: "x" }
        for (const [method, path, body] of routes) {
          for (const as of [null, { session: forged }, { token: "forged" }] as const) {
            const reply = yield* call(method, path, as, body)
            expect(reply.status, `${method} ${path} as ${JSON.stringify(as)}`).toBe(401)
            if (method !== "HEAD") expect(reply.body.error).toBe("Unauthenticated")
          }
        }
        expect(stub.control.jobCount()).toBe(before)
      }))

    it.effect("refuses every state-changing call over a session without its CSRF token (403), and changes nothing", () =>
      Effect.gen(function* () {
        const w = yield* W
        const me = yield* signup(personal("csrf-victim"))
        const before = stub.control.jobCount()
        for (const [method, path, body] of routes.filter(([m]) => m !== "GET" && m !== "HEAD")) {
          for (const csrf of [false, "0".repeat(48), w.alice.csrfToken] as const) {
            const reply = yield* call(method, path, { session: me, csrf }, body)
            expect(reply.status, `${method} ${path} csrf=${csrf}`).toBe(403)
            expect(reply.body.error).toBe("CsrfRejected")
          }
        }
        expect(stub.control.jobCount()).toBe(before)
        expect((yield* call("GET", "/api/tokens", { session: me })).body.tokens).toEqual([])
        // Still signed in (logout was refused), and with the token the same calls go through.
        expect((yield* call("GET", "/api/auth/me", { session: me, csrf: false })).status).toBe(200)
        expect((yield* call("POST", "/api/tokens", { session: me }, { label: "ok" })).status).toBe(201)
      }))

    const invalid: ReadonlyArray<readonly [string, string, unknown, ReadonlyArray<string>]> = [
      ["POST", "/api/auth/signup", { ...personal("dora"), name: "Dora!" }, ["name"]],
      ["POST", "/api/auth/signup", { ...personal("dora"), email: "dora-at-example" }, ["email"]],
      ["POST", "/api/auth/signup", { ...personal("dora"), password: "short" }, ["password"]],
      ["POST", "/api/auth/signup", { ...personal("dora"), kind: "robot" }, ["kind"]],
      ["POST", "/api/auth/signup", { ...personal("dora"), orgName: "Dora Inc" }, ["orgName"]],
      ["POST", "/api/auth/signup", { ...personal("dora"), kind: "company" }, ["orgName"]],
      ["POST", "/api/auth/signup", { ...personal("dora"), kind: "company", orgName: "D", invitation: "x" }, ["orgName"]],
      ["POST", "/api/auth/signup", { ...personal("dora"), kind: "company", orgName: "Dora Inc", invitation: "x" }, ["invitation"]],
      ["POST", "/api/auth/signup", { ...personal("dora"), admin: true }, ["admin"]],
      ["POST", "/api/auth/login", { login: "", password: "x" }, ["login"]],
      ["POST", "/api/auth/login", { user: "alice", password: "x" }, ["login", "user"]],
      ["POST", "/api/tokens", { label: "  " }, ["label"]],
      ["POST", "/api/org/invitations", { role: "owner", email: "nope" }, ["role", "email"]],
      ["POST", "/api/jobs", { ...job, replicas: 4 }, ["replicas"]],
      ["POST", "/api/jobs/estimate", { ...job, vcpus: 0 }, ["vcpus"]],
      ["GET", "/api/jobs?scope=everyone", undefined, ["scope"]],
      ["DELETE", "/api/tokens/abc", undefined, ["id"]]
    ]
    for (const [method, path, body, fields] of invalid) {
      it.effect(`answers 400 naming ${fields.join(", ")} for ${method} ${path} ${JSON.stringify(body) ?? ""}`, () =>
        Effect.gen(function* () {
          const w = yield* W
          const reply = yield* call(method, path, path.startsWith("/api/auth/") ? null : { session: w.boss }, body)
          expect(reply.status).toBe(400)
          expect(reply.body.error).toBe("InvalidRequest")
          expect([...reply.body.fields].sort()).toEqual([...fields].sort())
          for (const field of fields) expect(reply.body.message).toContain(field)
        }))
    }

    it.effect("answers 400 for a body that is not JSON, and 409 naming a taken name, email or organisation", () =>
      Effect.gen(function* () {
        yield* W
        const notJson = yield* call("POST", "/api/auth/signup", null, "{ kind: personal")
        expect([notJson.status, notJson.body.error]).toEqual([400, "MalformedBody"])
        for (const [body, error, field] of [
          [{ ...personal("alice"), email: "other@example.com" }, "NameTaken", "name"],
          [{ ...personal("alicia"), email: "ALICE@example.com" }, "EmailTaken", "email"],
          [{ kind: "company", name: "acme2", email: "a2@acme.test", password: "acme2-password", orgName: "acme" }, "OrgNameTaken", "orgName"],
          [personal("bob"), "NameTaken", "name"]
        ] as const) {
          const reply = yield* call("POST", "/api/auth/signup", null, body)
          expect([reply.status, reply.body.error, reply.body.fields]).toEqual([409, error, [field]])
        }
        const used = yield* call("POST", "/api/auth/signup", null, { kind: "company", name: "late", email: "late@acme.test", password: "late-password", invitation: "0".repeat(48) })
        expect([used.status, used.body.error, used.body.fields]).toEqual([422, "InvalidInvitation", ["invitation"]])
      }))

    it.effect("logs in by name or email, refuses a wrong pair with 401, and answers 429 with Retry-After after repeated failures", () =>
      Effect.gen(function* () {
        yield* signup(personal("erin"))
        const byEmail = yield* call("POST", "/api/auth/login", null, { login: "ERIN@example.com", password: "erin-password" })
        expect([byEmail.status, byEmail.body.user]).toEqual([200, "erin"])
        expect(byEmail.headers.getSetCookie().some((c) => c.startsWith("cc_session="))).toBe(true)
        const unknown = yield* call("POST", "/api/auth/login", null, { login: "nobody", password: "erin-password" })
        for (let i = 0; i < 3; i++) {
          const wrong = yield* call("POST", "/api/auth/login", null, { login: "erin", password: `guess-${i}` })
          expect([wrong.status, wrong.body.error, wrong.body.message]).toEqual([401, "LoginRefused", unknown.body.message])
        }
        const limited = yield* call("POST", "/api/auth/login", null, { login: "erin", password: "erin-password" })
        expect(limited.status).toBe(429)
        expect(limited.body).toMatchObject({ error: "TooManyLoginAttempts", by: "login" })
        expect(Number(limited.headers.get("retry-after"))).toBe(limited.body.retryAfterS)
        expect(limited.body.retryAfterS).toBeGreaterThan(0)
      }))

    it.effect("logout ends the session and clears the cookie; the session no longer authenticates", () =>
      Effect.gen(function* () {
        const me = yield* signup(personal("frank"))
        const out = yield* call("POST", "/api/auth/logout", { session: me })
        expect(out.status).toBe(204)
        expect(out.headers.getSetCookie().find((c) => c.startsWith("cc_session="))).toMatch(/^cc_session=; Max-Age=0/)
        const after = yield* call("GET", "/api/auth/me", { session: me })
        expect([after.status, after.body.error]).toEqual([401, "Unauthenticated"])
      }))

    it.effect("records every authenticated call with its route pattern and sizes, and no unauthenticated one", () =>
      Effect.gen(function* () {
        const me = yield* signup(personal("gina"))
        const from = traffic.calls.length
        const body = JSON.stringify(job)
        const submitted = yield* call("POST", "/api/jobs", { session: me }, job)
        const shown = yield* call("GET", `/api/jobs/${submitted.body.id}`, { session: me })
        yield* call("GET", "/api/jobs/99999", { session: me })
        yield* call("GET", "/api/jobs", null)
        const mine = traffic.calls.slice(from)
        expect(mine.map((c) => [c.user, c.route])).toEqual([["gina", "POST /api/jobs"], ["gina", "GET /api/jobs/:id"], ["gina", "GET /api/jobs/:id"]])
        expect(mine[0]!.bytesIn).toBe(new TextEncoder().encode(body).length)
        expect(mine[1]!.bytesOut).toBe(new TextEncoder().encode(JSON.stringify(shown.body)).length)
        expect(mine[2]!.bytesOut).toBeGreaterThan(0)
      }))
  })
})
