// The shapes of the coordinator's API replies as the portal reads them (portal-common.md's contract).
// Decoding ignores fields the portal does not use, so the backend may add some without breaking it;
// a reply that lacks what a page needs becomes a PortalApiError naming the route.
import { Schema } from "effect"
import * as ApiSchemas from "../../../../live/api/ClusterApi.ts"
import * as Insights from "../../../../live/insights/views.ts"

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

// The dashboard, analytics, billing and lender views are the insights routes' own schemas.
export const Dashboard = Insights.Dashboard
export type Dashboard = Insights.Dashboard
export const UtilisationPoint = Insights.UtilisationPoint
export type UtilisationPoint = Insights.UtilisationPoint
export const Analytics = Insights.Analytics
export type Analytics = Insights.Analytics
export const LedgerEntry = Insights.BillingEntry
export type LedgerEntry = Insights.BillingEntry
export const Billing = Insights.Billing
export type Billing = Insights.Billing
export const TopUpResult = Insights.TopUpResult
export const Invoices = Schema.Struct({ invoices: Schema.Array(Insights.InvoiceSummary) })
export type Invoices = typeof Invoices.Type
export const Audit = Insights.LedgerAudit
export type Audit = Insights.LedgerAudit
export const LenderNode = Insights.LenderNode
export type LenderNode = Insights.LenderNode
export const Lender = Insights.Lender
export type Lender = Insights.Lender
export const JoinToken = Insights.LenderJoinToken
export type JoinToken = Insights.LenderJoinToken

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
