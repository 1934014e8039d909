// What the insights routes answer, as Schemas: the coordinator builds these views and the portal
// decodes its replies with the very same definitions (viewer/src/portal/api/schemas.ts).
import { Schema } from "effect"
import { NodeId } from "../../core/domain/ids.ts"

/** A half-open interval of time, [fromMs, toMs). */
export const Period = Schema.Struct({ fromMs: Schema.Number, toMs: Schema.Number })
export type Period = typeof Period.Type

export const Slice = Schema.Struct({ label: Schema.String, value: Schema.Number })
export type Slice = typeof Slice.Type

export const Traffic = Schema.Struct({ requests: Schema.Number, bytesIn: Schema.Number, bytesOut: Schema.Number })
export type Traffic = typeof Traffic.Type

export const Dashboard = Schema.Struct({
  ...Period.fields,
  /** Jobs submitted in the period; `byState` names only the states that occurred. */
  jobs: Schema.Struct({ total: Schema.Number, byState: Schema.Record({ key: Schema.String, value: Schema.Number }), failureRate: Schema.Number }),
  traffic: Traffic,
  /** What the period's settlements of the caller's visible jobs charged. */
  expensesCredits: Schema.Number,
  balanceCredits: Schema.Number,
  escrowCredits: Schema.Number
})
export type Dashboard = typeof Dashboard.Type

/** One bucket (from `tMs`): time-weighted means of what the visible jobs held while running. */
export const UtilisationPoint = Schema.Struct({ tMs: Schema.Number, vcpus: Schema.Number, memoryMiB: Schema.Number, runningJobs: Schema.Number })
export type UtilisationPoint = typeof UtilisationPoint.Type

export const Analytics = Schema.Struct({
  ...Period.fields,
  bucketMs: Schema.Number,
  requestsByRoute: Schema.Array(Slice),
  jobsByState: Schema.Array(Slice),
  jobsByImage: Schema.Array(Slice),
  utilisation: Schema.Array(UtilisationPoint),
  monthlyCost: Schema.Array(Schema.Struct({ month: Schema.String, credits: Schema.Number })),
  /** Mean run over the jobs that ended after starting, mean wait over the jobs that started; null when none. */
  keyMetrics: Schema.Struct({
    jobs: Schema.Number,
    succeeded: Schema.Number,
    failed: Schema.Number,
    meanRunS: Schema.NullOr(Schema.Number),
    meanWaitS: Schema.NullOr(Schema.Number),
    costCredits: Schema.Number
  })
})
export type Analytics = typeof Analytics.Type

export const BillingEntry = Schema.Struct({
  seq: Schema.Number,
  atMs: Schema.Number,
  kind: Schema.String,
  /** The entry's net effect on the account: negative when credits left it. */
  amountCredits: Schema.Number,
  memo: Schema.String,
  /** The job whose escrow the entry moved, if any. */
  job: Schema.NullOr(Schema.Number)
})
export type BillingEntry = typeof BillingEntry.Type

export const Billing = Schema.Struct({
  /** The ledger account the caller's jobs draw on (`user:<payer>`). */
  account: Schema.String,
  balanceCredits: Schema.Number,
  escrowCredits: Schema.Number,
  /** Whether the caller may top this account up (not an organisation's member). */
  canTopUp: Schema.Boolean,
  /** Newest first: all of the account's entries, or only those of a member's own jobs. */
  entries: Schema.Array(BillingEntry)
})
export type Billing = typeof Billing.Type

export const TopUpResult = Schema.Struct({ balanceCredits: Schema.Number, key: Schema.String })
export type TopUpResult = typeof TopUpResult.Type

export const InvoiceSummary = Schema.Struct({
  /** `YYYY-MM`, UTC. */
  month: Schema.String,
  /** Net movement of the account over the month's entries (the sum of the invoice's amounts). */
  totalCredits: Schema.Number,
  /** Distinct jobs the month's entries concern. */
  jobs: Schema.Number,
  entries: Schema.Number
})
export type InvoiceSummary = typeof InvoiceSummary.Type

export const LedgerAudit = Schema.Struct({
  ok: Schema.Boolean,
  entries: Schema.Number,
  headSeq: Schema.Number,
  headHash: Schema.String,
  problem: Schema.NullOr(Schema.Struct({ seq: Schema.Number, kind: Schema.String, message: Schema.String }))
})
export type LedgerAudit = typeof LedgerAudit.Type

export const LenderNode = Schema.Struct({
  id: NodeId,
  /** False until the agent has registered with its token. */
  enrolled: Schema.Boolean,
  online: Schema.Boolean,
  region: Schema.NullOr(Schema.String),
  vcpus: Schema.Number,
  memoryMiB: Schema.Number,
  /** Time seen online out of time enrolled, from the market's heartbeat bookkeeping (1 before any). */
  uptimeFraction: Schema.Number,
  /** Jobs whose last attempt ran on the node and ended succeeded or failed. */
  jobsServed: Schema.Number,
  earningsCredits: Schema.Number,
  reputation: Schema.Number,
  /** When the coordinator last heard from the node (core's `Coordinator.lastSeen`). */
  lastSeenMs: Schema.NullOr(Schema.Number),
  joinedAtMs: Schema.Number
})
export type LenderNode = typeof LenderNode.Type

export const Lender = Schema.Struct({
  nodes: Schema.Array(LenderNode),
  totals: Schema.Struct({
    nodes: Schema.Number,
    online: Schema.Number,
    vcpus: Schema.Number,
    memoryMiB: Schema.Number,
    jobsServed: Schema.Number,
    earningsCredits: Schema.Number
  })
})
export type Lender = typeof Lender.Type

export const LenderJoinToken = Schema.Struct({
  nodeId: NodeId,
  token: Schema.String,
  /** The shell command that starts the agent with this token. */
  command: Schema.String
})
export type LenderJoinToken = typeof LenderJoinToken.Type
