// The building blocks of every route: authenticate the caller (session cookie or bearer token),
// check CSRF on a session's state-changing calls, meter the call, decode the input by Schema, and
// turn every expected failure into its response. Route files (routes.ts, accountRoutes.ts,
// insightRoutes.ts) are written with these only.
import { timingSafeEqual } from "node:crypto"
import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { RequestError } from "@effect/platform/HttpServerError"
import { Effect, Option, Schema } from "effect"
import { ClusterApi, type Credential, CsrfRejected, Unauthenticated } from "./ClusterApi.ts"
import { type ApiFailure, bodyTooLarge, csrfRejected, failureResponse, invalidFields, invalidRequest, malformedBody, unauthenticated } from "./errorResponse.ts"
import { objectBodyBytesMax, submitBodyBytesMax } from "./limits.ts"
import { type Principal, TrafficMeter } from "./Principal.ts"

/** Decode options of every request schema: report all issues, refuse unknown fields. */
export const strict = { errors: "all", onExcessProperty: "error" } as const

export type Reply = HttpServerResponse.HttpServerResponse

export const ok = (body: unknown, status = 200): Reply => HttpServerResponse.unsafeJson(body, { status })

/** Runs a handler whose failures are either ready responses or typed ClusterApi failures. */
export const handle = <R>(effect: Effect.Effect<Reply, Reply | ApiFailure, R>): Effect.Effect<Reply, never, R> =>
  Effect.catchAll(effect, (failure) => Effect.succeed(HttpServerResponse.isServerResponse(failure) ? failure : failureResponse(failure)))

/** The session cookie's name. */
export const sessionCookie = "cc_session"

const bearer = /^Bearer[ \t]+([^\s]+)[ \t]*$/i

const refuse = (reason: string) => Effect.fail(unauthenticated(new Unauthenticated({ reason })))

/**
 * How the request says who it is from. A bearer token wins over a cookie: it is sent on purpose,
 * while a cookie rides along with whatever the browser sends.
 */
export const credential: Effect.Effect<Credential, Reply, HttpServerRequest.HttpServerRequest> = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const header = request.headers["authorization"]
  if (header !== undefined && header !== "") {
    const token = bearer.exec(header)?.[1]
    if (token === undefined) return yield* refuse("the Authorization header is not of the form `Bearer <token>`")
    return { _tag: "Bearer", token } as const
  }
  const session = request.cookies[sessionCookie]
  if (session !== undefined && session !== "") return { _tag: "Session", sessionId: session } as const
  return yield* refuse("the request has no session cookie and no Authorization header; sign in, or send `Authorization: Bearer <token>`")
})

const stateChanging = new Set(["POST", "PUT", "PATCH", "DELETE"])

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a, "utf8")
  const y = Buffer.from(b, "utf8")
  return x.length === y.length && timingSafeEqual(x, y)
}

/** A cookie-authenticated POST/PUT/PATCH/DELETE must carry the session's CSRF token: a cross-site form cannot read it. */
const checkCsrf = (method: string, expected: string | null, header: string | undefined) => {
  if (expected === null || !stateChanging.has(method)) return Effect.void
  if (header === undefined || header === "") return Effect.fail(csrfRejected(new CsrfRejected({ method, reason: "the header is missing" })))
  if (!sameSecret(header, expected)) return Effect.fail(csrfRejected(new CsrfRejected({ method, reason: "the token does not match the session's" })))
  return Effect.void
}

/** The caller, authenticated by ClusterApi, with the CSRF check done. */
export const caller: Effect.Effect<Principal, Reply, ClusterApi | HttpServerRequest.HttpServerRequest> = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const api = yield* ClusterApi
  const found = yield* Effect.mapError(api.authenticate(yield* credential), unauthenticated)
  yield* checkCsrf(request.method, found.csrfToken, request.headers["x-csrf-token"])
  return found.principal
})

/** The response body's length when it is known up front (JSON, bytes, empty); 0 for a stream of unknown length. */
export const bodyBytesOf = (reply: Reply): number => {
  const body = reply.body
  if (body._tag === "Uint8Array") return body.body.length
  return body.contentLength ?? 0
}

/** The route's label for traffic metering: method and pattern, e.g. `GET /api/jobs/:id`. */
const routeLabel = Effect.map(
  Effect.zip(HttpServerRequest.HttpServerRequest, HttpRouter.RouteContext),
  ([request, context]) => `${request.method} ${context.route.path}`
)

/**
 * Authenticates (401 otherwise; 403 for a session's state-changing call without its CSRF token),
 * runs the handler with the API and the caller's principal, maps its failures, and records the call
 * with TrafficMeter.
 */
export const authenticated = <R>(f: (api: ClusterApi["Type"], principal: Principal) => Effect.Effect<Reply, Reply | ApiFailure, R>) =>
  Effect.gen(function* () {
    const principal = yield* Effect.either(caller)
    if (principal._tag === "Left") return principal.left
    const api = yield* ClusterApi
    const reply = yield* handle(f(api, principal.right))
    const request = yield* HttpServerRequest.HttpServerRequest
    const meter = yield* TrafficMeter
    yield* meter.record(principal.right.user, yield* routeLabel, Number(request.headers["content-length"] ?? 0) || 0, bodyBytesOf(reply))
    return reply
  })

const tooLarge = (error: RequestError) => error.cause instanceof Error && error.cause.message === "maxBytes exceeded"

/** Refuses a declared oversized body before reading it; a body that grows past the limit anyway (chunked) stops being read. */
const declaredSizeWithin = (bytesMax: number) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Number(request.headers["content-length"] ?? 0) > bytesMax ? Effect.fail(bodyTooLarge(bytesMax)) : Effect.void)

/** The JSON body decoded by `schema`: 400 naming every bad field, 400 for non-JSON, 413 past `bytesMax`. */
export const jsonBody = <A, I>(schema: Schema.Schema<A, I>, bytesMax = submitBodyBytesMax) =>
  Effect.zipRight(
    declaredSizeWithin(bytesMax),
    HttpServerRequest.schemaBodyJson(schema, strict).pipe(
      HttpIncomingMessage.withMaxBodySize(Option.some(bytesMax)),
      Effect.catchTags({
        ParseError: (e) => Effect.fail(invalidRequest("request body", e)),
        RequestError: (e) => Effect.fail(tooLarge(e) ? bodyTooLarge(bytesMax) : malformedBody(e))
      })
    )
  )

/** The raw body (an object's bytes), up to `objectBodyBytesMax`. */
export const rawBody = Effect.zipRight(
  declaredSizeWithin(objectBodyBytesMax),
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => request.arrayBuffer).pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(objectBodyBytesMax)),
    Effect.map((buffer) => new Uint8Array(buffer)),
    Effect.mapError((e) => tooLarge(e) ? bodyTooLarge(objectBodyBytesMax) : malformedBody(e))
  )
)

/** The path parameters decoded by `schema` (400 naming the bad one). */
export const pathParams = <A, I extends Readonly<Record<string, string | undefined>>>(schema: Schema.Schema<A, I>) =>
  HttpRouter.schemaPathParams(schema, strict).pipe(Effect.mapError((e) => invalidRequest("path", e)))

/** The query decoded by `schema`; an unknown parameter is refused by name. */
export const queryParams = <A, I extends Readonly<Record<string, string | ReadonlyArray<string> | undefined>>>(schema: Schema.Schema<A, I>) =>
  HttpServerRequest.schemaSearchParams(schema, strict).pipe(Effect.mapError((e) => invalidRequest("query", e)))

/**
 * A route that takes no query parameters refuses any, by name. (A decode by `Schema.Struct({})` would
 * let every key through: an empty struct is checked as "not nullish" only, whatever the excess-property option says.)
 */
export const noQuery = Effect.flatMap(HttpServerRequest.ParsedSearchParams, (params) => {
  const unknown = Object.keys(params)
  return unknown.length === 0 ? Effect.void : Effect.fail(invalidFields(unknown.map((field) => ({ field, message: "is not a parameter of this route" }))))
})

/** A non-negative integer id in the path, e.g. `/api/jobs/:id`. */
export const IdPath = Schema.Struct({ id: Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()) })

/** The client's address, for rate limits (the socket's peer; no proxy header is trusted). */
export const clientAddress = Effect.map(HttpServerRequest.HttpServerRequest, (request) => Option.getOrElse(request.remoteAddress, () => "unknown"))
