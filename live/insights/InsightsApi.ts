// The port behind the portal's dashboard, analytics, billing and lender pages. Every call is scoped
// to the caller's principal (see visibility.ts): what is not theirs is left out or reported as
// unknown, never as forbidden, except the one thing a member knows exists but may not do (top up
// their organisation).
import { Context, Data, type Effect } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import type { JobStatus } from "../../core/domain/lifecycle.ts"
import type { Principal } from "../api/Principal.ts"

/** A half-open interval of time, [fromMs, toMs). */
export interface Period {
  readonly fromMs: number
  readonly toMs: number
}

export interface Slice {
  readonly label: string
  readonly value: number
}

export interface Traffic {
  readonly requests: number
  readonly bytesIn: number
  readonly bytesOut: number
}

export interface Dashboard extends Period {
  /** Jobs submitted in the period. */
  readonly jobs: { readonly total: number; readonly byState: Partial<Record<JobStatus, number>>; readonly failureRate: number }
  readonly traffic: Traffic
  /** What the period's settlements of the caller's visible jobs charged. */
  readonly expensesCredits: number
  readonly balanceCredits: number
  readonly escrowCredits: number
}

export interface UtilisationPoint {
  /** Start of the bucket. */
  readonly tMs: number
  /** Time-weighted means over the bucket of what the visible jobs held while running. */
  readonly vcpus: number
  readonly memoryMiB: number
  readonly runningJobs: number
}

export interface Analytics extends Period {
  readonly bucketMs: number
  readonly requestsByRoute: ReadonlyArray<Slice>
  readonly jobsByState: ReadonlyArray<Slice>
  readonly jobsByImage: ReadonlyArray<Slice>
  readonly utilisation: ReadonlyArray<UtilisationPoint>
  readonly monthlyCost: ReadonlyArray<{ readonly month: string; readonly credits: number }>
  readonly keyMetrics: {
    readonly jobs: number
    readonly succeeded: number
    readonly failed: number
    /** Means over the jobs that ended after starting (run) and over the jobs that started (wait); null when none. */
    readonly meanRunS: number | null
    readonly meanWaitS: number | null
    readonly costCredits: number
  }
}

export interface BillingEntry {
  readonly seq: number
  readonly atMs: number
  readonly kind: string
  /** The entry's net effect on the account: negative when credits left it. */
  readonly amountCredits: number
  readonly memo: string
  /** The job whose escrow the entry moved, if any. */
  readonly job: number | null
}

export interface Billing {
  /** The ledger account the caller's jobs draw on (`user:<payer>`). */
  readonly account: string
  readonly balanceCredits: number
  readonly escrowCredits: number
  readonly canTopUp: boolean
  /** Newest first: all of the account's entries, or only those of a member's own jobs. */
  readonly entries: ReadonlyArray<BillingEntry>
}

export interface InvoiceSummary {
  /** `YYYY-MM`, UTC. */
  readonly month: string
  /** Net movement of the account over the month's entries (the sum of the invoice's amounts). */
  readonly totalCredits: number
  /** Distinct jobs the month's entries concern. */
  readonly jobs: number
  readonly entries: number
}

export interface LedgerAudit {
  readonly ok: boolean
  readonly entries: number
  readonly headSeq: number
  readonly headHash: string
  readonly problem: { readonly seq: number; readonly kind: string; readonly message: string } | null
}

export interface LenderNode {
  readonly id: NodeId
  /** False until the agent has registered with its token. */
  readonly enrolled: boolean
  readonly online: boolean
  readonly region: string | null
  readonly vcpus: number
  readonly memoryMiB: number
  /** Time seen online out of time enrolled, from the market's heartbeat bookkeeping (1 before any). */
  readonly uptimeFraction: number
  /** Jobs whose last attempt ran on the node and ended succeeded or failed. */
  readonly jobsServed: number
  readonly earningsCredits: number
  readonly reputation: number
  /** The coordinator does not expose when it last heard from a node; null until it does. */
  readonly lastSeenMs: number | null
  readonly joinedAtMs: number
}

export interface Lender {
  readonly nodes: ReadonlyArray<LenderNode>
  readonly totals: { readonly nodes: number; readonly online: number; readonly vcpus: number; readonly memoryMiB: number; readonly jobsServed: number; readonly earningsCredits: number }
}

export interface LenderJoinToken {
  readonly nodeId: NodeId
  readonly token: string
  /** The shell command that starts the agent with this token. */
  readonly command: string
}

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
