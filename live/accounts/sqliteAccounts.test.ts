// The accounts store on a real SQLite file: sign-up (personal, company with a new or an invited
// organisation), login and its rate limit, sessions and their expiry, API tokens, invitations.
import { join } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Layer, TestClock } from "effect"
import * as fc from "fast-check"
import type { UserId } from "../../core/domain/ids.ts"
import type { Principal } from "../api/Principal.ts"
import { scopedTempDir } from "../testing/tempDir.ts"
import type { AccountsShape, SignupInput } from "./Accounts.ts"
import { type AccountsOptions, makeSqliteAccounts, orgIdOf } from "./sqliteAccounts.ts"

const cheap = { N: 1024, r: 8, p: 1 }

/** A fresh store on its own database file; `funded` collects the payers the sign-up hook saw. */
const withStore = <A, E>(f: (accounts: AccountsShape, funded: Array<string>, sql: SqlClient.SqlClient) => Effect.Effect<A, E>, options: AccountsOptions = {}) =>
  Effect.scoped(Effect.gen(function* () {
    const dir = yield* scopedTempDir("accounts")
    const context = yield* Layer.build(Layer.orDie(SqliteClient.layer({ filename: join(dir, "accounts.sqlite") })))
    const funded: Array<string> = []
    const accounts = yield* makeSqliteAccounts({
      scryptCost: cheap,
      onSignedUp: (_user, payer) => Effect.sync(() => void funded.push(payer)),
      ...options
    }).pipe(Effect.provide(context))
    return yield* f(accounts, funded, Context.get(context, SqlClient.SqlClient))
  }))

const personal = (name: string, extra: Partial<SignupInput> = {}): SignupInput =>
  ({ kind: "personal", name, email: `${name}@example.com`, password: `${name}-password`, ...extra })

const left = <A, E>(effect: Effect.Effect<A, E>) => Effect.map(Effect.either(effect), (r) => (Either.isLeft(r) ? r.left : undefined))

const bearer = (token: string) => ({ _tag: "Bearer", token }) as const
const session = (sessionId: string) => ({ _tag: "Session", sessionId }) as const

describe("sqlite accounts", () => {
  it.effect("signs up a personal user: a session, Me, the grant for themself, nothing stored in the clear", () =>
    withStore((accounts, funded, sql) =>
      Effect.gen(function* () {
        const started = yield* accounts.signup(personal("alice"))
        expect(started.me).toMatchObject({ user: "alice", email: "alice@example.com", kind: "personal", org: null, payer: "alice", operator: false })
        expect(started.maxAgeS).toBe(604_800)
        expect(funded).toEqual(["alice"])
        const auth = yield* accounts.authenticate(session(started.sessionId))
        expect(auth.principal).toMatchObject({ user: "alice", payer: "alice", via: "session" })
        expect(auth.csrfToken).toBe(started.me.csrfToken)

        const dump = JSON.stringify(yield* Effect.orDie(sql`SELECT * FROM sessions`)) + JSON.stringify(yield* Effect.orDie(sql`SELECT * FROM accounts`))
        expect(dump).not.toContain(started.sessionId)
        expect(dump).not.toContain("alice-password")
      })))

  it.effect("a company user creates an organisation (admin, the org pays) or joins one by invitation, once", () =>
    withStore((accounts, funded) =>
      Effect.gen(function* () {
        const boss = yield* accounts.signup({ kind: "company", name: "boss", email: "boss@acme.test", password: "boss-password", orgName: "Acme Corp." })
        expect(boss.me.org).toEqual({ id: "org.acme-corp", name: "Acme Corp.", role: "admin" })
        expect(boss.me.payer).toBe("org.acme-corp")
        const principal = (yield* accounts.authenticate(session(boss.sessionId))).principal
        const invite = yield* accounts.createInvitation(principal, { role: "member" })
        const worker = yield* accounts.signup({ kind: "company", name: "worker", email: "w@acme.test", password: "worker-password", invitation: invite.code })
        expect(worker.me.org).toEqual({ id: "org.acme-corp", name: "Acme Corp.", role: "member" })
        expect(funded).toEqual(["org.acme-corp", "org.acme-corp"])

        const again = yield* left(accounts.signup({ kind: "company", name: "other", email: "o@acme.test", password: "other-password", invitation: invite.code }))
        expect(again).toMatchObject({ _tag: "InvalidInvitation", field: "invitation", reason: "it has been used already" })
        const unknown = yield* left(accounts.signup({ kind: "company", name: "other", email: "o@acme.test", password: "other-password", invitation: "nope" }))
        expect(unknown).toMatchObject({ _tag: "InvalidInvitation", reason: "no such invitation code" })

        const org = yield* accounts.org(principal)
        expect(org.members.map((m) => [m.user, m.role, m.email])).toEqual([["boss", "admin", "boss@acme.test"], ["worker", "member", "w@acme.test"]])
        const listed = yield* accounts.invitations(principal)
        expect(listed).toHaveLength(1)
        expect(listed[0]).toMatchObject({ role: "member", createdBy: "boss", usedBy: "worker" })
        expect(JSON.stringify(listed)).not.toContain(invite.code)

        const member = (yield* accounts.authenticate(session(worker.sessionId))).principal
        expect(yield* left(accounts.createInvitation(member, { role: "admin" }))).toMatchObject({ _tag: "NotOrgAdmin", org: "Acme Corp." })
        expect(yield* left(accounts.invitations(member))).toMatchObject({ _tag: "NotOrgAdmin" })
        const loner = (yield* accounts.authenticate(session((yield* accounts.signup(personal("loner"))).sessionId))).principal
        expect(yield* left(accounts.org(loner))).toMatchObject({ _tag: "NoOrganisation", user: "loner" })
        expect(yield* left(accounts.invitations(loner))).toMatchObject({ _tag: "NoOrganisation" })
      })))

  it.effect("an invitation made out to an email, or past its time, is refused", () =>
    withStore((accounts) =>
      Effect.gen(function* () {
        const boss = yield* accounts.signup({ kind: "company", name: "boss", email: "boss@acme.test", password: "boss-password", orgName: "Acme" })
        const principal = (yield* accounts.authenticate(session(boss.sessionId))).principal
        const forCarol = yield* accounts.createInvitation(principal, { email: "Carol@Acme.test", role: "admin" })
        const wrong = yield* left(accounts.signup({ kind: "company", name: "mallory", email: "m@evil.test", password: "mallory-password", invitation: forCarol.code }))
        expect(wrong).toMatchObject({ _tag: "InvalidInvitation", reason: "it was made out to another email address" })
        const carol = yield* accounts.signup({ kind: "company", name: "carol", email: "carol@acme.test", password: "carol-password", invitation: forCarol.code })
        expect(carol.me.org?.role).toBe("admin")

        const late = yield* accounts.createInvitation(principal, { role: "member" })
        expect(late.expiresAtMs).toBe(7 * 24 * 3600_000)
        yield* TestClock.adjust(7 * 24 * 3600_000)
        expect(yield* left(accounts.signup({ kind: "company", name: "dave", email: "d@acme.test", password: "dave-password", invitation: late.code })))
          .toMatchObject({ reason: "it has expired" })
      })))

  it.effect("refuses a taken name, email (in any case) or organisation name, and one taken outside the store", () =>
    withStore((accounts, funded) =>
      Effect.gen(function* () {
        yield* accounts.signup(personal("alice"))
        yield* accounts.signup({ kind: "company", name: "boss", email: "boss@acme.test", password: "boss-password", orgName: "Acme" })
        expect(yield* left(accounts.signup(personal("alice", { email: "new@example.com" })))).toMatchObject({ _tag: "NameTaken", field: "name" })
        expect(yield* left(accounts.signup(personal("alicia", { email: "ALICE@Example.COM" })))).toMatchObject({ _tag: "EmailTaken", field: "email" })
        expect(yield* left(accounts.signup({ kind: "company", name: "boss2", email: "b2@acme.test", password: "boss-password", orgName: "ACME" })))
          .toMatchObject({ _tag: "OrgNameTaken", field: "orgName" })
        // Another name with the same slug would take the same ledger account.
        expect(yield* left(accounts.signup({ kind: "company", name: "boss2", email: "b2@acme.test", password: "boss-password", orgName: "acme!" })))
          .toMatchObject({ _tag: "OrgNameTaken" })
        expect(yield* left(accounts.signup(personal("admin")))).toMatchObject({ _tag: "NameTaken", name: "admin" })
        expect(funded).toEqual(["alice", "org.acme"])
      }), { nameInUse: (name) => Effect.succeed(name === "admin") }))

  it.effect("logs in by name or email; an unknown login and a wrong password get the same refusal", () =>
    withStore((accounts) =>
      Effect.gen(function* () {
        yield* accounts.signup(personal("alice"))
        const byName = yield* accounts.login("alice", "alice-password", "10.0.0.1")
        const byEmail = yield* accounts.login("ALICE@example.com", "alice-password", "10.0.0.1")
        expect([byName.me.user, byEmail.me.user]).toEqual(["alice", "alice"])
        expect(byName.sessionId).not.toBe(byEmail.sessionId)
        const wrong = yield* left(accounts.login("alice", "nope-nope", "10.0.0.1"))
        const unknown = yield* left(accounts.login("nobody", "nope-nope", "10.0.0.1"))
        expect(wrong?._tag).toBe("LoginRefused")
        expect(unknown?.message).toBe(wrong?.message)
      })))

  it.effect("rate-limits failed logins per name, even with the right password, until the window has passed", () =>
    withStore((accounts) =>
      Effect.gen(function* () {
        yield* accounts.signup(personal("alice"))
        for (let i = 0; i < 3; i++) expect((yield* left(accounts.login("alice", `guess-${i}`, `10.0.0.${i}`)))?._tag).toBe("LoginRefused")
        const blocked = yield* left(accounts.login("alice", "alice-password", "10.0.0.9"))
        expect(blocked).toMatchObject({ _tag: "TooManyLoginAttempts", by: "login", retryAfterS: 60 })
        yield* TestClock.adjust(60_000)
        expect((yield* accounts.login("alice", "alice-password", "10.0.0.9")).me.user).toBe("alice")
      }), { loginLimits: { windowMs: 60_000, failuresPerLogin: 3, failuresPerAddress: 10 } }))

  it.effect("a session expires after its lifetime; logout ends it; a bearer logout leaves the sessions", () =>
    withStore((accounts) =>
      Effect.gen(function* () {
        const a = yield* accounts.signup(personal("alice"))
        yield* TestClock.adjust(1000)
        const b = yield* accounts.login("alice", "alice-password", "::1")
        yield* TestClock.adjust(3_598_999)
        expect((yield* accounts.authenticate(session(a.sessionId))).principal.user).toBe("alice")
        yield* TestClock.adjust(1)
        expect(yield* left(accounts.authenticate(session(a.sessionId)))).toMatchObject({ _tag: "Unauthenticated" })
        expect((yield* accounts.authenticate(session(b.sessionId))).principal.user).toBe("alice")
        yield* accounts.logout(bearer(b.sessionId))
        expect((yield* accounts.authenticate(session(b.sessionId))).principal.user).toBe("alice")
        yield* accounts.logout(session(b.sessionId))
        expect(yield* left(accounts.authenticate(session(b.sessionId)))).toMatchObject({ _tag: "Unauthenticated" })
      }), { sessionTtlMs: 3_600_000 }))

  it("a session id never authenticates after its logout, whatever other sessions come and go", () =>
    Effect.runPromise(withStore((accounts) =>
      Effect.zipRight(accounts.signup(personal("alice")), Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), fc.nat(20)), { minLength: 1, maxLength: 12 }), async (ops) => {
            const ids: Array<string> = []
            const out = new Set<string>()
            for (const [login, pick] of ops) {
              if (login || ids.length === 0) {
                ids.push((await Effect.runPromise(accounts.login("alice", "alice-password", "::1"))).sessionId)
              } else {
                const id = ids[pick % ids.length]!
                await Effect.runPromise(accounts.logout(session(id)))
                out.add(id)
              }
            }
            for (const id of ids) {
              const result = await Effect.runPromise(Effect.either(accounts.authenticate(session(id))))
              expect(Either.isRight(result), id).toBe(!out.has(id))
            }
          }),
          { numRuns: 30 }
        )))
    )))

  it.effect("API tokens: made once in the clear, listed without it, used, and deleted only by their owner", () =>
    withStore((accounts) =>
      Effect.gen(function* () {
        const alice = (yield* accounts.authenticate(session((yield* accounts.signup(personal("alice"))).sessionId))).principal
        const bob = (yield* accounts.authenticate(session((yield* accounts.signup(personal("bob"))).sessionId))).principal
        const made = yield* accounts.createApiToken(alice, "laptop")
        expect(made.token).toMatch(/^[0-9a-f]{48}$/)
        yield* TestClock.adjust(5000)
        const auth = yield* accounts.authenticate(bearer(made.token))
        expect(auth).toEqual({ principal: { user: "alice", operator: false, org: null, payer: "alice", via: "token" }, csrfToken: null })
        expect(yield* accounts.apiTokens(alice)).toEqual([{ id: made.id, label: "laptop", createdAtMs: 0, lastUsedAtMs: 5000 }])
        expect(yield* accounts.apiTokens(bob)).toEqual([])
        expect(yield* left(accounts.deleteApiToken(bob, made.id))).toMatchObject({ _tag: "UnknownApiToken", id: made.id })
        expect((yield* accounts.authenticate(bearer(made.token))).principal.user).toBe("alice")
        yield* accounts.deleteApiToken(alice, made.id)
        expect(yield* left(accounts.authenticate(bearer(made.token)))).toMatchObject({ _tag: "Unauthenticated", reason: "the API token is not known" })
        expect(yield* left(accounts.deleteApiToken(alice, made.id))).toMatchObject({ _tag: "UnknownApiToken" })
      })))

  it.effect("Me says the operator and, over a session, the CSRF token", () =>
    withStore((accounts) =>
      Effect.gen(function* () {
        const started = yield* accounts.signup(personal("root-ish"))
        const principal: Principal = (yield* accounts.authenticate(session(started.sessionId))).principal
        expect(principal.operator).toBe(true)
        expect((yield* accounts.me(principal, session(started.sessionId))).csrfToken).toBe(started.me.csrfToken)
        expect((yield* accounts.me({ ...principal, via: "token" }, bearer("whatever"))).csrfToken).toBeNull()
        const cliUser = yield* accounts.me({ user: "cli-user" as UserId, operator: false, org: null, payer: "cli-user" as UserId, via: "token" }, bearer("x"))
        expect(cliUser).toMatchObject({ email: null, kind: "personal" })
      }), { isOperator: (user) => Effect.succeed(user === "root-ish") }))

  it("slugs organisation names into ids that cannot be user names", () => {
    expect(orgIdOf("Acme Corp.")).toBe("org.acme-corp")
    expect(orgIdOf("  Über  Tech  ")).toBe("org.ber-tech")
    expect(orgIdOf("!!!")).toBeNull()
    fc.assert(fc.property(fc.string(), (name) => {
      const id = orgIdOf(name)
      expect(id === null || (/^org\.[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(id) && id.length <= 44)).toBe(true)
    }))
  })
})
