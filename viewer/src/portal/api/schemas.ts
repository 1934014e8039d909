// The shapes of the coordinator's API replies as the portal reads them (portal-common.md's contract).
// Decoding ignores fields the portal does not use, so the backend may add some without breaking it;
// a reply that lacks what a page needs becomes a PortalApiError naming the route.
import { Schema } from "effect"
import * as ApiSchemas from "../../../../live/api/ClusterApi.ts"

const Ms = Schema.Number
const NullableMs = Schema.NullOr(Schema.Number)

export const OrgRole = Schema.Literal("admin", "member")
export type OrgRole = typeof OrgRole.Type

export const Me = Schema.Struct({
  user: Schema.String,
  email: Schema.NullOr(Schema.String),
  kind: Schema.optionalWith(Schema.Literal("personal", "company"), { default: () => "personal" as const }),
  operator: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  org: Schema.NullOr(Schema.Struct({ id: Schema.String, name: Schema.String, role: OrgRole })),
  payer: Schema.String,
  csrfToken: Schema.String
})
export type Me = typeof Me.Type

export const JobState = Schema.Literal("queued", "placed", "running", "succeeded", "failed", "cancelled", "lost")
export type JobState = typeof JobState.Type

// Jobs, logs, estimates, buckets and objects are the API's own schemas: the coordinator that serves this
// portal is built from the same sources, so the page decodes exactly what the server encodes.
export const JobUsage = ApiSchemas.JobUsage
export const Job = ApiSchemas.JobView
export type Job = typeof Job.Type

export const JobList = Schema.Struct({ jobs: Schema.Array(Job) })
export const JobLogs = ApiSchemas.JobLogs
export type JobLogs = typeof JobLogs.Type

export const Estimate = ApiSchemas.JobEstimate
export type Estimate = typeof Estimate.Type

export const Bucket = ApiSchemas.BucketView
export type Bucket = typeof Bucket.Type
export const BucketList = Schema.Struct({ buckets: Schema.Array(Bucket) })

export const StoredObject = ApiSchemas.ObjectView
export type StoredObject = typeof StoredObject.Type
export const ObjectList = Schema.Struct({ objects: Schema.Array(StoredObject) })

const Labelled = Schema.Array(Schema.Struct({ label: Schema.String, value: Schema.Number }))

export const Dashboard = Schema.Struct({
  fromMs: Ms,
  toMs: Ms,
  jobs: Schema.Struct({
    total: Schema.Number,
    byState: Schema.Record({ key: Schema.String, value: Schema.Number }),
    failureRate: Schema.Number
  }),
  traffic: Schema.Struct({ requests: Schema.Number, bytesIn: Schema.Number, bytesOut: Schema.Number }),
  expensesCredits: Schema.Number,
  balanceCredits: Schema.Number,
  escrowCredits: Schema.Number
})
export type Dashboard = typeof Dashboard.Type

export const UtilisationPoint = Schema.Struct({ tMs: Ms, vcpus: Schema.Number, memoryMiB: Schema.Number, runningJobs: Schema.Number })
export type UtilisationPoint = typeof UtilisationPoint.Type

export const Analytics = Schema.Struct({
  requestsByRoute: Labelled,
  jobsByState: Labelled,
  jobsByImage: Labelled,
  utilisation: Schema.Array(UtilisationPoint),
  monthlyCost: Schema.Array(Schema.Struct({ month: Schema.String, credits: Schema.Number })),
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

export const LedgerEntry = Schema.Struct({
  seq: Schema.Number,
  atMs: Ms,
  kind: Schema.String,
  amountCredits: Schema.Number,
  memo: Schema.String,
  /** The job whose escrow the entry moved, if any. */
  job: Schema.NullOr(Schema.Number)
})
export type LedgerEntry = typeof LedgerEntry.Type

export const Billing = Schema.Struct({
  account: Schema.String,
  balanceCredits: Schema.Number,
  escrowCredits: Schema.Number,
  canTopUp: Schema.Boolean,
  entries: Schema.Array(LedgerEntry)
})
export type Billing = typeof Billing.Type

export const TopUpResult = Schema.Struct({ balanceCredits: Schema.Number })
export const Invoices = Schema.Struct({
  invoices: Schema.Array(Schema.Struct({ month: Schema.String, totalCredits: Schema.Number, jobs: Schema.Number }))
})
export type Invoices = typeof Invoices.Type
export const AuditProblem = Schema.Struct({ seq: Schema.Number, kind: Schema.String, message: Schema.String })
export const Audit = Schema.Struct({
  ok: Schema.Boolean,
  entries: Schema.Number,
  headHash: Schema.String,
  problem: Schema.NullOr(Schema.Union(Schema.String, AuditProblem))
})
export type Audit = typeof Audit.Type

export const LenderNode = Schema.Struct({
  id: Schema.Union(Schema.Number, Schema.String),
  enrolled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  online: Schema.Boolean,
  region: Schema.NullOr(Schema.String),
  vcpus: Schema.Number,
  memoryMiB: Schema.Number,
  uptimeFraction: Schema.Number,
  jobsServed: Schema.Number,
  earningsCredits: Schema.Number,
  reputation: Schema.Number,
  lastSeenMs: NullableMs
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
export const JoinToken = Schema.Struct({ nodeId: Schema.Union(Schema.Number, Schema.String), token: Schema.String, command: Schema.optional(Schema.String) })
export type JoinToken = typeof JoinToken.Type

export const ApiToken = Schema.Struct({ id: Schema.Union(Schema.String, Schema.Number), label: Schema.String, createdAtMs: Ms, lastUsedAtMs: NullableMs })
export type ApiToken = typeof ApiToken.Type
export const TokenList = Schema.Struct({ tokens: Schema.Array(ApiToken) })
export const NewToken = Schema.Struct({ id: Schema.Union(Schema.String, Schema.Number), label: Schema.String, token: Schema.String })
export type NewToken = typeof NewToken.Type

export const Org = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  role: OrgRole,
  members: Schema.Array(Schema.Struct({ user: Schema.String, email: Schema.NullOr(Schema.String), role: OrgRole, joinedAtMs: Ms }))
})
export type Org = typeof Org.Type
export const Invitation = Schema.Struct({
  code: Schema.String,
  expiresAtMs: Ms,
  email: Schema.optional(Schema.NullOr(Schema.String)),
  role: Schema.optional(OrgRole)
})
export type Invitation = typeof Invitation.Type
export const InvitationList = Schema.Struct({ invitations: Schema.Array(Invitation) })

const FieldIssue = Schema.Struct({ field: Schema.String, message: Schema.String })

/** An error reply: `fields` is a list of names or of {field, message}; `issues` (when sent) carries the messages. */
export const ErrorBody = Schema.Struct({
  error: Schema.String,
  message: Schema.String,
  fields: Schema.optional(Schema.Array(Schema.Union(Schema.String, FieldIssue))),
  issues: Schema.optional(Schema.Array(FieldIssue))
})
export type ErrorBody = typeof ErrorBody.Type
