// The accounts port: sign-up, login and sessions, API tokens, organisations and their invitations.
// The account routes (live/api/accountRoutes.ts) talk to it; `makeSqliteAccounts` implements it.
import { Context, type Effect } from "effect"
import type { UserId } from "../../core/domain/ids.ts"
import type { Authenticated, Credential, Unauthenticated } from "../api/ClusterApi.ts"
import type { OrgRole, Principal } from "../api/Principal.ts"
import type { InvalidInvitation, LoginRefused, NoOrganisation, NotOrgAdmin, SignupRefused, TooManyLoginAttempts, UnknownApiToken } from "./errors.ts"

export type AccountKind = "personal" | "company"

/** A sign-up as checked by the route: a company user brings exactly one of `orgName` (a new org) and `invitation`. */
export interface SignupInput {
  readonly kind: AccountKind
  readonly name: string
  readonly email: string
  readonly password: string
  readonly orgName?: string | undefined
  readonly invitation?: string | undefined
}

/** `GET /api/auth/me`: who the caller is, and the CSRF token their session's writes must carry (null for a bearer token). */
export interface Me {
  readonly user: UserId
  readonly email: string | null
  readonly kind: AccountKind
  readonly operator: boolean
  readonly org: Principal["org"]
  readonly payer: UserId
  readonly csrfToken: string | null
}

/** A new session: its id goes in the `cc_session` cookie and nowhere else. */
export interface StartedSession {
  readonly sessionId: string
  readonly maxAgeS: number
  readonly me: Me
}

export interface ApiTokenView {
  readonly id: number
  readonly label: string
  readonly createdAtMs: number
  readonly lastUsedAtMs: number | null
}

export interface OrgMemberView {
  readonly user: UserId
  readonly email: string | null
  readonly role: OrgRole
  readonly joinedAtMs: number
}

export interface OrgView {
  readonly id: UserId
  readonly name: string
  readonly role: OrgRole
  readonly members: ReadonlyArray<OrgMemberView>
}

export interface InvitationView {
  readonly id: number
  /** Only this email may use it, when set. */
  readonly email: string | null
  readonly role: OrgRole
  readonly createdBy: UserId
  readonly createdAtMs: number
  readonly expiresAtMs: number
  readonly usedBy: UserId | null
  readonly usedAtMs: number | null
}

export interface AccountsShape {
  /** Stores the account (and the organisation it creates or joins) and opens a session. */
  readonly signup: (input: SignupInput) => Effect.Effect<StartedSession, SignupRefused | InvalidInvitation>
  /** `login` is a user name or an email; rate-limited per login and per client address. */
  readonly login: (login: string, password: string, clientAddress: string) => Effect.Effect<StartedSession, LoginRefused | TooManyLoginAttempts>
  /** Ends the credential's session, if it is one (a bearer token stays valid: delete it instead). */
  readonly logout: (credential: Credential) => Effect.Effect<void>
  /** A session cookie or an API token made here; the coordinator's own user tokens are not this port's. */
  readonly authenticate: (credential: Credential) => Effect.Effect<Authenticated, Unauthenticated>
  readonly me: (principal: Principal, credential: Credential) => Effect.Effect<Me>
  readonly apiTokens: (principal: Principal) => Effect.Effect<ReadonlyArray<ApiTokenView>>
  /** The token is returned once, here; only its digest is kept. */
  readonly createApiToken: (principal: Principal, label: string) => Effect.Effect<{ readonly id: number; readonly label: string; readonly token: string }>
  readonly deleteApiToken: (principal: Principal, id: number) => Effect.Effect<void, UnknownApiToken>
  readonly org: (principal: Principal) => Effect.Effect<OrgView, NoOrganisation>
  /** Admins only; the code is returned once, here. */
  readonly createInvitation: (principal: Principal, invite: { readonly email?: string | undefined; readonly role: OrgRole }) =>
    Effect.Effect<{ readonly code: string; readonly expiresAtMs: number }, NoOrganisation | NotOrgAdmin>
  readonly invitations: (principal: Principal) => Effect.Effect<ReadonlyArray<InvitationView>, NoOrganisation | NotOrgAdmin>
}

export class Accounts extends Context.Tag("crowdcloud/live/Accounts")<Accounts, AccountsShape>() {}
