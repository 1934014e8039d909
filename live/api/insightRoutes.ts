// The portal's dashboard, analytics, billing and lender routes over the InsightsApi port
// (live/insights). Every one is scoped to the caller's principal. The port is optional in the
// router's context: a server without it (route tests of other parts, the CLI's) answers these
// routes with 503 rather than needing a stand-in.
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Option, Schema } from "effect"
import { InsightsApi, type InsightsApiShape, type InsightsFailure, topUpCreditsMax } from "../insights/InsightsApi.ts"
import type { Principal } from "./Principal.ts"
import { invalidField } from "./errorResponse.ts"
import { authenticated, jsonBody, noQuery, ok, pathParams, queryParams, type Reply } from "./http.ts"

const day = 86_400_000
/** The period when the query names none: the 30 days up to now. */
export const defaultPeriodMs = 30 * day
/** A chart has at most this many points. */
export const bucketsMax = 2000

const Ms = Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())
const PeriodQuery = Schema.Struct({ from: Schema.optional(Ms), to: Schema.optional(Ms) })
const AnalyticsQuery = Schema.Struct({ ...PeriodQuery.fields, bucketMs: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.positive())) })

const TopUpBody = Schema.Struct({
  credits: Schema.Number.pipe(Schema.positive(), Schema.lessThanOrEqualTo(topUpCreditsMax)),
  key: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128)))
})

const InvoicePath = Schema.Struct({
  file: Schema.String.pipe(Schema.pattern(/^\d{4}-(0[1-9]|1[0-2])\.csv$/, { message: () => "expected YYYY-MM.csv, a month of the calendar" }))
})

const respond = (status: number, error: string, message: string, facts: Record<string, unknown> = {}) =>
  HttpServerResponse.unsafeJson({ error, message, ...facts }, { status })

const insightFailure = (e: InsightsFailure): Reply => {
  switch (e._tag) {
    case "OrgAdminOnly":
      return respond(403, e._tag, e.message, { action: e.action, org: e.org })
    case "TopUpConflict":
      return respond(409, e._tag, e.message, { key: e.key, existingSeq: e.existingSeq })
    case "InvalidTopUp":
      return invalidField(e.field, e.reason)
    case "UnknownInvoice":
      return respond(404, e._tag, e.message, { month: e.month })
  }
}

const unavailable = respond(503, "InsightsUnavailable", "this server keeps no dashboard, billing or lender data")

/** Authenticated, with the InsightsApi port (503 when the server has none). */
const withInsights = <R>(f: (insights: InsightsApiShape, principal: Principal) => Effect.Effect<Reply, Reply | InsightsFailure, R>) =>
  authenticated((_api, principal) =>
    Effect.flatMap(Effect.serviceOption(InsightsApi), (insights) =>
      Option.isNone(insights)
        ? Effect.fail(unavailable)
        : f(insights.value, principal).pipe(Effect.mapError((e) => (HttpServerResponse.isServerResponse(e) ? e : insightFailure(e))))))

const periodOf = (query: { readonly from?: number | undefined; readonly to?: number | undefined }) =>
  Effect.gen(function* () {
    // The default end is just after now, so what happened this millisecond is in.
    const now = (yield* Clock.currentTimeMillis) + 1
    const toMs = query.to ?? (query.from !== undefined ? Math.max(now, query.from + 1) : now)
    const fromMs = query.from ?? Math.max(0, toMs - defaultPeriodMs)
    if (toMs <= fromMs) return yield* Effect.fail(invalidField("to", `must be later than from (${fromMs})`))
    return { fromMs, toMs }
  })

export const insightRouter = HttpRouter.empty.pipe(
  HttpRouter.get("/api/dashboard", withInsights((insights, principal) => Effect.gen(function* () {
    const period = yield* periodOf(yield* queryParams(PeriodQuery))
    return ok(yield* insights.dashboard(principal, period))
  }))),
  HttpRouter.get("/api/analytics", withInsights((insights, principal) => Effect.gen(function* () {
    const query = yield* queryParams(AnalyticsQuery)
    const period = yield* periodOf(query)
    const spanMs = period.toMs - period.fromMs
    // About fifty points by default, in whole seconds.
    const bucketMs = query.bucketMs ?? Math.max(1000, Math.ceil(spanMs / 50 / 1000) * 1000)
    if (Math.ceil(spanMs / bucketMs) > bucketsMax) {
      return yield* Effect.fail(invalidField("bucketMs", `gives more than ${bucketsMax} buckets over ${spanMs} ms; use at least ${Math.ceil(spanMs / bucketsMax)}`))
    }
    return ok(yield* insights.analytics(principal, period, bucketMs))
  }))),

  HttpRouter.get("/api/billing", withInsights((insights, principal) => Effect.zipRight(noQuery, Effect.map(insights.billing(principal), (b) => ok(b))))),
  HttpRouter.post("/api/billing/topup", withInsights((insights, principal) => Effect.gen(function* () {
    const body = yield* jsonBody(TopUpBody)
    return ok(yield* insights.topUp(principal, body.credits, body.key))
  }))),
  HttpRouter.get("/api/billing/invoices", withInsights((insights, principal) => Effect.zipRight(noQuery, Effect.map(insights.invoices(principal), (invoices) => ok({ invoices }))))),
  HttpRouter.get("/api/billing/invoices/:file", withInsights((insights, principal) => Effect.gen(function* () {
    yield* noQuery
    const { file } = yield* pathParams(InvoicePath)
    const month = file.slice(0, 7)
    const csv = yield* insights.invoiceCsv(principal, month)
    const name = `crowdcloud-invoice-${principal.payer}-${month}.csv`
    return HttpServerResponse.text(csv, {
      contentType: "text/csv; charset=utf-8",
      headers: { "content-disposition": `attachment; filename="${name}"`, "cache-control": "no-store" }
    })
  }))),
  HttpRouter.get("/api/billing/audit", withInsights((insights, principal) => Effect.zipRight(noQuery, Effect.map(insights.auditLedger(principal), (a) => ok(a))))),

  HttpRouter.get("/api/lender", withInsights((insights, principal) => Effect.zipRight(noQuery, Effect.map(insights.lender(principal), (l) => ok(l))))),
  HttpRouter.post("/api/lender/join-token", withInsights((insights, principal) => Effect.map(insights.createLenderJoinToken(principal), (t) => ok(t, 201))))
)
