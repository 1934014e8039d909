// The port behind the portal's dashboard, analytics, billing and lender pages. Every call is scoped
// to the caller's principal (see visibility.ts): what is not theirs is left out or reported as
// unknown, never as forbidden, except the one thing a member knows exists but may not do (top up
// their organisation).
import { Context, Data, type Effect } from "effect"
import type { Principal } from "../api/Principal.ts"

// The views are Schemas (views.ts), so the portal decodes replies with the definitions the server builds.
import type { Analytics, Billing, Dashboard, InvoiceSummary, LedgerAudit, Lender, LenderJoinToken, Period } from "./views.ts"
export * from "./views.ts"

/** A member (not an admin) asked for what only their organisation's admins may do. */
export class OrgAdminOnly extends Data.TaggedError("OrgAdminOnly")<{ readonly action: string; readonly org: string }> {
  override get message() {
    return `only the admins of ${this.org} may ${this.action}`
  }
}

/** A purchase key reused for a different amount: the first purchase stands. */
export class TopUpConflict extends Data.TaggedError("TopUpConflict")<{ readonly key: string; readonly existingSeq: number }> {
  override get message() {
    return `top-up key ${this.key} was already used for another amount (ledger entry ${this.existingSeq}); use a new key`
  }
}

export class InvalidTopUp extends Data.TaggedError("InvalidTopUp")<{ readonly field: string; readonly reason: string }> {
  override get message() {
    return `${this.field} ${this.reason}`
  }
}

/** No entry of the caller's account falls in the month (or the month is malformed). */
export class UnknownInvoice extends Data.TaggedError("UnknownInvoice")<{ readonly month: string }> {
  override get message() {
    return `there is no invoice for ${this.month}`
  }
}

export type InsightsFailure = OrgAdminOnly | TopUpConflict | InvalidTopUp | UnknownInvoice

/** Most a single simulated purchase may add. */
export const topUpCreditsMax = 1_000_000

export interface InsightsApiShape {
  readonly dashboard: (principal: Principal, period: Period) => Effect.Effect<Dashboard>
  readonly analytics: (principal: Principal, period: Period, bucketMs: number) => Effect.Effect<Analytics>
  readonly billing: (principal: Principal) => Effect.Effect<Billing>
  /** Steps the logged TopUp input; `key` (default: a fresh id) makes a retried purchase count once. */
  readonly topUp: (principal: Principal, credits: number, key?: string) => Effect.Effect<{ readonly balanceCredits: number; readonly key: string }, OrgAdminOnly | TopUpConflict | InvalidTopUp>
  readonly invoices: (principal: Principal) => Effect.Effect<ReadonlyArray<InvoiceSummary>>
  readonly invoiceCsv: (principal: Principal, month: string) => Effect.Effect<string, UnknownInvoice>
  /** The hash chain of the ledger as stored, checked entry by entry against the head the coordinator holds. */
  readonly auditLedger: (principal: Principal) => Effect.Effect<LedgerAudit>
  readonly lender: (principal: Principal) => Effect.Effect<Lender>
  readonly createLenderJoinToken: (principal: Principal) => Effect.Effect<LenderJoinToken>
}

export class InsightsApi extends Context.Tag("crowdcloud/live/InsightsApi")<InsightsApi, InsightsApiShape>() {}
