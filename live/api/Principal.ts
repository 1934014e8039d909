// Who is calling: the user behind a session cookie or an API token, and the organisation (if any)
// whose credits pay for their jobs. Every API call is authorised against it.
import { Context, type Effect } from "effect"
import type { UserId } from "../../core/domain/ids.ts"

export type OrgRole = "admin" | "member"

export interface Principal {
  readonly user: UserId
  /** The cluster operator (the `admin` user made on the first start). */
  readonly operator: boolean
  /** A company user's organisation; `id` is also its ledger owner (`user:<id>`). */
  readonly org: { readonly id: UserId; readonly name: string; readonly role: OrgRole } | null
  /** Whose credits pay for this user's jobs: the organisation's for a company user, else their own. */
  readonly payer: UserId
  /** A session cookie (state-changing calls need the CSRF header) or an API token. */
  readonly via: "session" | "token"
}

/** The principal of a request whose user has no organisation (operator-made users, tests). */
export const personalPrincipal = (user: UserId, via: Principal["via"] = "token", operator = false): Principal =>
  ({ user, operator, org: null, payer: user, via })

/**
 * Counts a user's API traffic for the dashboard (requests, bytes in and out). The router records
 * every authenticated call; `noop` serves route tests that do not look at traffic.
 */
export interface TrafficMeterShape {
  readonly record: (user: UserId, route: string, bytesIn: number, bytesOut: number) => Effect.Effect<void>
}
export class TrafficMeter extends Context.Tag("crowdcloud/live/TrafficMeter")<TrafficMeter, TrafficMeterShape>() {}
