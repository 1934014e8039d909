// The accounts port over SQLite. Reads the caller's organisation and role on every authentication,
// so a change of role takes effect at once. Every failure of SQLite is a defect here: the tables
// are ours and local.
import * as SqlClient from "@effect/sql/SqlClient"
import { Clock, Effect, Layer } from "effect"
import type { UserId } from "../../core/domain/ids.ts"
import { type Authenticated, Unauthenticated } from "../api/ClusterApi.ts"
import type { OrgRole, Principal } from "../api/Principal.ts"
import { type AccountKind, Accounts, type AccountsShape, type Me, type StartedSession } from "./Accounts.ts"
import { EmailTaken, InvalidInvitation, LoginRefused, NameTaken, NoOrganisation, NotOrgAdmin, OrgNameTaken, UnknownApiToken } from "./errors.ts"
import { defaultLoginLimits, type LoginLimits, LoginRateLimiter } from "./loginRateLimiter.ts"
import { migrateAccounts } from "./migrations.ts"
import { defaultScryptCost, hashPassword, type ScryptCost, verifyPassword } from "./password.ts"
import { newSecret, secretDigest } from "./secrets.ts"

export interface AccountsOptions {
  readonly scryptCost?: ScryptCost
  readonly loginLimits?: LoginLimits
  /** Default 7 days (the cookie's Max-Age). */
  readonly sessionTtlMs?: number
  /** Default 7 days. */
  readonly invitationTtlMs?: number
  /** Names taken outside these tables (the coordinator's `users`: the operator, users made with the CLI). */
  readonly nameInUse?: (name: string) => Effect.Effect<boolean>
  readonly isOperator?: (user: UserId) => Effect.Effect<boolean>
  /** Runs once a sign-up is stored: the coordinator records the user and steps the payer's sign-up grant. */
  readonly onSignedUp?: (user: UserId, payer: UserId) => Effect.Effect<void>
}

const dayMs = 24 * 3600_000

/** `Acme Corp.` -> `org.acme-corp`; a dot never occurs in a user name, so the two never collide. */
export const orgIdOf = (orgName: string): UserId | null => {
  const slug = orgName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "")
  return slug === "" ? null : `org.${slug}` as UserId
}

interface MemberRow {
  readonly org_id: string
  readonly name: string
  readonly role: OrgRole
}

export const makeSqliteAccounts = (options: AccountsOptions = {}): Effect.Effect<AccountsShape, never, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* Effect.orDie(migrateAccounts)
    const cost = options.scryptCost ?? defaultScryptCost
    const limiter = new LoginRateLimiter(options.loginLimits ?? defaultLoginLimits)
    const sessionTtlMs = options.sessionTtlMs ?? 7 * dayMs
    const invitationTtlMs = options.invitationTtlMs ?? 7 * dayMs
    const nameInUse = options.nameInUse ?? (() => Effect.succeed(false))
    const isOperator = options.isOperator ?? (() => Effect.succeed(false))
    const onSignedUp = options.onSignedUp ?? (() => Effect.void)
    // An unknown login is checked against this, so it takes as long as a wrong password.
    const decoyHash = yield* hashPassword(newSecret(), cost)
    const q = <A>(effect: Effect.Effect<A, unknown>) => Effect.orDie(effect)

    const membership = (user: string) =>
      Effect.map(q(sql<MemberRow>`SELECT m.org_id, o.name, m.role FROM org_members m JOIN orgs o ON o.id = m.org_id WHERE m.user = ${user}`), (rows) => rows[0])

    const principalOf = (user: UserId, via: Principal["via"]) =>
      Effect.gen(function* () {
        const member = yield* membership(user)
        const org = member === undefined ? null : { id: member.org_id as UserId, name: member.name, role: member.role }
        return { user, operator: yield* isOperator(user), org, payer: org?.id ?? user, via } satisfies Principal
      })

    const meOf = (principal: Principal, csrfToken: string | null) =>
      Effect.gen(function* () {
        const [row] = yield* q(sql<{ email: string; kind: AccountKind }>`SELECT email, kind FROM accounts WHERE user = ${principal.user}`)
        return {
          user: principal.user,
          email: row?.email ?? null,
          kind: row?.kind ?? (principal.org === null ? "personal" : "company"),
          operator: principal.operator,
          org: principal.org,
          payer: principal.payer,
          csrfToken
        } satisfies Me
      })

    const startSession = (user: UserId) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const sessionId = newSecret()
        const csrfToken = newSecret()
        yield* q(sql`DELETE FROM sessions WHERE expires_at_ms <= ${now}`)
        yield* q(sql`INSERT INTO sessions (id_sha256, user, csrf_token, created_at_ms, expires_at_ms) VALUES (${secretDigest(sessionId)}, ${user}, ${csrfToken}, ${now}, ${now + sessionTtlMs})`)
        const me = yield* meOf(yield* principalOf(user, "session"), csrfToken)
        return { sessionId, maxAgeS: Math.floor(sessionTtlMs / 1000), me } satisfies StartedSession
      })

    const adminOrg = (principal: Principal, action: string) =>
      Effect.gen(function* () {
        const member = yield* membership(principal.user)
        if (member === undefined) return yield* new NoOrganisation({ user: principal.user })
        if (member.role !== "admin") return yield* new NotOrgAdmin({ org: member.name, action })
        return member
      })

    const accounts: AccountsShape = {
      signup: (input) =>
        Effect.gen(function* () {
          if (yield* nameInUse(input.name)) return yield* new NameTaken({ field: "name", name: input.name })
          const passwordHash = yield* hashPassword(input.password, cost)
          const now = yield* Clock.currentTimeMillis
          const payer = yield* sql.withTransaction(Effect.gen(function* () {
            const [byName] = yield* q(sql<{ n: number }>`SELECT count(*) AS n FROM accounts WHERE user = ${input.name}`)
            if ((byName?.n ?? 0) > 0) return yield* new NameTaken({ field: "name", name: input.name })
            const [byEmail] = yield* q(sql<{ n: number }>`SELECT count(*) AS n FROM accounts WHERE email = ${input.email}`)
            if ((byEmail?.n ?? 0) > 0) return yield* new EmailTaken({ field: "email", email: input.email })
            let payer = input.name as UserId
            if (input.kind === "company" && input.orgName !== undefined) {
              const id = orgIdOf(input.orgName)
              if (id === null) return yield* new OrgNameTaken({ field: "orgName", orgName: input.orgName })
              const [taken] = yield* q(sql<{ n: number }>`SELECT count(*) AS n FROM orgs WHERE id = ${id} OR name = ${input.orgName}`)
              if ((taken?.n ?? 0) > 0) return yield* new OrgNameTaken({ field: "orgName", orgName: input.orgName })
              yield* q(sql`INSERT INTO orgs (id, name, created_at_ms) VALUES (${id}, ${input.orgName}, ${now})`)
              yield* q(sql`INSERT INTO org_members (user, org_id, role, joined_at_ms) VALUES (${input.name}, ${id}, 'admin', ${now})`)
              payer = id
            } else if (input.kind === "company" && input.invitation !== undefined) {
              const refuse = (reason: string) => new InvalidInvitation({ field: "invitation", reason })
              const [inv] = yield* q(sql<{ id: number; org_id: string; email: string | null; role: OrgRole; expires_at_ms: number; used_by: string | null }>`
                SELECT id, org_id, email, role, expires_at_ms, used_by FROM invitations WHERE code_sha256 = ${secretDigest(input.invitation)}`)
              if (inv === undefined) return yield* refuse("no such invitation code")
              if (inv.used_by !== null) return yield* refuse("it has been used already")
              if (inv.expires_at_ms <= now) return yield* refuse("it has expired")
              if (inv.email !== null && inv.email.toLowerCase() !== input.email.toLowerCase()) return yield* refuse("it was made out to another email address")
              yield* q(sql`UPDATE invitations SET used_by = ${input.name}, used_at_ms = ${now} WHERE id = ${inv.id}`)
              yield* q(sql`INSERT INTO org_members (user, org_id, role, joined_at_ms) VALUES (${input.name}, ${inv.org_id}, ${inv.role}, ${now})`)
              payer = inv.org_id as UserId
            }
            yield* q(sql`INSERT INTO accounts (user, email, kind, password_hash, created_at_ms) VALUES (${input.name}, ${input.email}, ${input.kind}, ${passwordHash}, ${now})`)
            return payer
          })).pipe(Effect.catchTag("SqlError", Effect.die))
          yield* onSignedUp(input.name as UserId, payer)
          return yield* startSession(input.name as UserId)
        }),

      login: (login, password, clientAddress) =>
        Effect.gen(function* () {
          yield* limiter.check(login, clientAddress)
          const [row] = yield* q(login.includes("@")
            ? sql<{ user: string; password_hash: string }>`SELECT user, password_hash FROM accounts WHERE email = ${login}`
            : sql<{ user: string; password_hash: string }>`SELECT user, password_hash FROM accounts WHERE user = ${login}`)
          const good = yield* verifyPassword(password, row?.password_hash ?? decoyHash)
          if (row === undefined || !good) {
            yield* limiter.recordFailure(login, clientAddress)
            return yield* new LoginRefused()
          }
          yield* limiter.recordSuccess(login)
          return yield* startSession(row.user as UserId)
        }),

      logout: (credential) =>
        credential._tag === "Session" ? q(sql`DELETE FROM sessions WHERE id_sha256 = ${secretDigest(credential.sessionId)}`) : Effect.void,

      authenticate: (credential) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          if (credential._tag === "Session") {
            const [row] = yield* q(sql<{ user: string; csrf_token: string }>`SELECT user, csrf_token FROM sessions
              WHERE id_sha256 = ${secretDigest(credential.sessionId)} AND expires_at_ms > ${now}`)
            if (row === undefined) return yield* new Unauthenticated({ reason: "the session is not known or has expired; sign in again" })
            return { principal: yield* principalOf(row.user as UserId, "session"), csrfToken: row.csrf_token } satisfies Authenticated
          }
          const digest = secretDigest(credential.token)
          const [row] = yield* q(sql<{ id: number; user: string; last_used_at_ms: number | null }>`SELECT id, user, last_used_at_ms FROM api_tokens WHERE token_sha256 = ${digest}`)
          if (row === undefined) return yield* new Unauthenticated({ reason: "the API token is not known" })
          // Within a minute is recent enough: not every call needs a write.
          if (row.last_used_at_ms === null || now - row.last_used_at_ms >= 60_000) yield* q(sql`UPDATE api_tokens SET last_used_at_ms = ${now} WHERE id = ${row.id}`)
          return { principal: yield* principalOf(row.user as UserId, "token"), csrfToken: null } satisfies Authenticated
        }),

      me: (principal, credential) =>
        Effect.gen(function* () {
          if (credential._tag === "Bearer") return yield* meOf(principal, null)
          const [row] = yield* q(sql<{ csrf_token: string }>`SELECT csrf_token FROM sessions WHERE id_sha256 = ${secretDigest(credential.sessionId)}`)
          return yield* meOf(principal, row?.csrf_token ?? null)
        }),

      apiTokens: (principal) =>
        Effect.map(
          q(sql<{ id: number; label: string; created_at_ms: number; last_used_at_ms: number | null }>`SELECT id, label, created_at_ms, last_used_at_ms FROM api_tokens
            WHERE user = ${principal.user} ORDER BY id`),
          (rows) => rows.map((r) => ({ id: r.id, label: r.label, createdAtMs: r.created_at_ms, lastUsedAtMs: r.last_used_at_ms }))
        ),

      createApiToken: (principal, label) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const token = newSecret()
          const [row] = yield* q(sql<{ id: number }>`INSERT INTO api_tokens (user, label, token_sha256, created_at_ms) VALUES (${principal.user}, ${label}, ${secretDigest(token)}, ${now}) RETURNING id`)
          return { id: row!.id, label, token }
        }),

      deleteApiToken: (principal, id) =>
        Effect.gen(function* () {
          const deleted = yield* q(sql<{ id: number }>`DELETE FROM api_tokens WHERE id = ${id} AND user = ${principal.user} RETURNING id`)
          if (deleted.length === 0) return yield* new UnknownApiToken({ id })
        }),

      org: (principal) =>
        Effect.gen(function* () {
          const member = yield* membership(principal.user)
          if (member === undefined) return yield* new NoOrganisation({ user: principal.user })
          const rows = yield* q(sql<{ user: string; email: string | null; role: OrgRole; joined_at_ms: number }>`SELECT m.user, a.email, m.role, m.joined_at_ms
            FROM org_members m LEFT JOIN accounts a ON a.user = m.user WHERE m.org_id = ${member.org_id} ORDER BY m.joined_at_ms, m.user`)
          return {
            id: member.org_id as UserId,
            name: member.name,
            role: member.role,
            members: rows.map((r) => ({ user: r.user as UserId, email: r.email, role: r.role, joinedAtMs: r.joined_at_ms }))
          }
        }),

      createInvitation: (principal, invite) =>
        Effect.gen(function* () {
          const org = yield* adminOrg(principal, "invite members")
          const now = yield* Clock.currentTimeMillis
          const code = newSecret()
          const expiresAtMs = now + invitationTtlMs
          yield* q(sql`INSERT INTO invitations (code_sha256, org_id, email, role, created_by, created_at_ms, expires_at_ms)
            VALUES (${secretDigest(code)}, ${org.org_id}, ${invite.email ?? null}, ${invite.role}, ${principal.user}, ${now}, ${expiresAtMs})`)
          return { code, expiresAtMs }
        }),

      invitations: (principal) =>
        Effect.gen(function* () {
          const org = yield* adminOrg(principal, "see invitations")
          const rows = yield* q(sql<{
            id: number; email: string | null; role: OrgRole; created_by: string; created_at_ms: number; expires_at_ms: number; used_by: string | null; used_at_ms: number | null
          }>`SELECT id, email, role, created_by, created_at_ms, expires_at_ms, used_by, used_at_ms FROM invitations WHERE org_id = ${org.org_id} ORDER BY id DESC`)
          return rows.map((r) => ({
            id: r.id,
            email: r.email,
            role: r.role,
            createdBy: r.created_by as UserId,
            createdAtMs: r.created_at_ms,
            expiresAtMs: r.expires_at_ms,
            usedBy: r.used_by as UserId | null,
            usedAtMs: r.used_at_ms
          }))
        })
    }
    return accounts
  })

export const layerSqliteAccounts = (options: AccountsOptions = {}): Layer.Layer<Accounts, never, SqlClient.SqlClient> =>
  Layer.effect(Accounts, makeSqliteAccounts(options))
