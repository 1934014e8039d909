// The cluster API as an HttpRouter over the ClusterApi port. Every handler authenticates the caller,
// decodes its input by Schema and maps each expected failure to its response itself, so nothing
// falls through to a generic 500 except defects.
import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { RequestError } from "@effect/platform/HttpServerError"
import { Effect, Option, Schema } from "effect"
import type { UserId } from "../../core/domain/ids.ts"
import { ClusterApi, SubmitJob, Unauthenticated } from "./ClusterApi.ts"
import {
  type ApiFailure,
  bodyTooLarge,
  failureResponse,
  internalError,
  invalidField,
  invalidRequest,
  malformedBody,
  routeNotFound,
  unauthenticated
} from "./errorResponse.ts"
import { objectBodyBytesMax, submitBodyBytesMax } from "./limits.ts"

const strict = { errors: "all", onExcessProperty: "error" } as const

export { objectBodyBytesMax, submitBodyBytesMax }

type Reply = HttpServerResponse.HttpServerResponse

const ok = (body: unknown, status = 200) => HttpServerResponse.unsafeJson(body, { status })

/** Runs a handler whose failures are either ready responses or typed ClusterApi failures. */
const handle = <R>(effect: Effect.Effect<Reply, Reply | ApiFailure, R>): Effect.Effect<Reply, never, R> =>
  Effect.catchAll(effect, (failure) => Effect.succeed(HttpServerResponse.isServerResponse(failure) ? failure : failureResponse(failure)))

const bearer = /^Bearer[ \t]+([^\s]+)[ \t]*$/i

/** The user the request's `Authorization: Bearer <token>` belongs to; a 401 otherwise. */
const caller: Effect.Effect<UserId, Reply, ClusterApi | HttpServerRequest.HttpServerRequest> = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const header = request.headers["authorization"]
  const refuse = (reason: string) => Effect.fail(unauthenticated(new Unauthenticated({ reason })))
  if (header === undefined || header === "") return yield* refuse("the request has no Authorization header; send `Authorization: Bearer <token>`")
  const token = bearer.exec(header)?.[1]
  if (token === undefined) return yield* refuse("the Authorization header is not of the form `Bearer <token>`")
  const api = yield* ClusterApi
  return yield* Effect.mapError(api.authenticate(token), unauthenticated)
})

/** Authenticates, then runs the handler with the API and the caller. */
const authenticated = <R>(f: (api: ClusterApi["Type"], user: UserId) => Effect.Effect<Reply, Reply | ApiFailure, R>) =>
  handle(Effect.gen(function* () {
    const user = yield* caller
    const api = yield* ClusterApi
    return yield* f(api, user)
  }))

const tooLarge = (error: RequestError) => error.cause instanceof Error && error.cause.message === "maxBytes exceeded"

/** Refuses a declared oversized body before reading it; a body that grows past the limit anyway (chunked) stops being read. */
const declaredSizeWithin = (bytesMax: number) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Number(request.headers["content-length"] ?? 0) > bytesMax ? Effect.fail(bodyTooLarge(bytesMax)) : Effect.void)

const jsonBody = <A, I>(schema: Schema.Schema<A, I>) =>
  Effect.zipRight(
    declaredSizeWithin(submitBodyBytesMax),
    HttpServerRequest.schemaBodyJson(schema, strict).pipe(
      HttpIncomingMessage.withMaxBodySize(Option.some(submitBodyBytesMax)),
      Effect.catchTags({
        ParseError: (e) => Effect.fail(invalidRequest("request body", e)),
        RequestError: (e) => Effect.fail(tooLarge(e) ? bodyTooLarge(submitBodyBytesMax) : malformedBody(e))
      })
    )
  )

const rawBody = Effect.zipRight(
  declaredSizeWithin(objectBodyBytesMax),
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => request.arrayBuffer).pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(objectBodyBytesMax)),
    Effect.map((buffer) => new Uint8Array(buffer)),
    Effect.mapError((e) => tooLarge(e) ? bodyTooLarge(objectBodyBytesMax) : malformedBody(e))
  )
)

const JobPath = Schema.Struct({ id: Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()) })
const jobIdFromPath = HttpRouter.schemaPathParams(JobPath, strict).pipe(
  Effect.map(({ id }) => id),
  Effect.mapError((e) => invalidRequest("path", e))
)

const noQuery = HttpServerRequest.schemaSearchParams(Schema.Struct({}), strict).pipe(Effect.mapError((e) => invalidRequest("query", e)))

/** `/api/objects/:bucket/<key>`: the key is the rest of the path, slashes included. */
const objectPath = Effect.flatMap(HttpRouter.params, (params) => {
  const bucket = params["bucket"] ?? ""
  const key = params["*"] ?? ""
  return key === "" ? Effect.fail(invalidField("key", "the object key is empty; the path is /api/objects/<bucket>/<key>")) : Effect.succeed({ bucket, key })
})

const ObjectQuery = Schema.Struct({ meta: Schema.optional(Schema.Literal("1", "true", "0", "false")) })
const ListQuery = Schema.Struct({ prefix: Schema.optional(Schema.String) })
const CreateUser = Schema.Struct({ name: Schema.NonEmptyTrimmedString })

const metaHeaders = (view: { readonly sizeBytes: number; readonly contentSha256: string }) => ({
  "content-type": "application/octet-stream",
  "content-length": String(view.sizeBytes),
  etag: `"${view.contentSha256}"`,
  "x-content-sha256": view.contentSha256
})

/** Until the borrower portal is served here, the root says what the coordinator offers and how to reach it. */
const indexPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>CrowdCloud</title></head><body><main><h1>CrowdCloud coordinator</h1>
<p>This cluster is up. Its HTTP API is under <code>/api</code> (bearer token; <code>/api/health</code> needs none):
jobs, job logs, objects, buckets, nodes and credits.</p>
<p>From a shell: <code>crowdcloud job submit --image python -- python3 -c 'print(6*7)'</code>, <code>crowdcloud nodes</code>,
<code>crowdcloud object ls</code> (see the README's Live mode section).</p></main></body></html>`

export const clusterRouter = HttpRouter.empty.pipe(
  HttpRouter.get("/", Effect.succeed(HttpServerResponse.html(indexPage))),
  HttpRouter.get("/api/health", Effect.succeed(ok({ status: "ok" }))),

  HttpRouter.post("/api/jobs", authenticated((api, user) => Effect.gen(function* () {
    const body = yield* jsonBody(SubmitJob)
    return ok(yield* api.submitJob(user, body), 201)
  }))),
  HttpRouter.get("/api/jobs", authenticated((api, user) => Effect.gen(function* () {
    yield* noQuery
    return ok({ jobs: yield* api.jobs(user) })
  }))),
  HttpRouter.get("/api/jobs/:id", authenticated((api, user) => Effect.flatMap(jobIdFromPath, (id) => Effect.map(api.job(user, id), (job) => ok(job))))),
  HttpRouter.post("/api/jobs/:id/cancel", authenticated((api, user) => Effect.flatMap(jobIdFromPath, (id) => Effect.map(api.cancelJob(user, id), (job) => ok(job))))),
  HttpRouter.get("/api/jobs/:id/logs", authenticated((api, user) => Effect.flatMap(jobIdFromPath, (id) => Effect.map(api.jobLogs(user, id), (logs) => ok(logs))))),

  HttpRouter.put("/api/objects/:bucket/*", authenticated((api, user) => Effect.gen(function* () {
    const { bucket, key } = yield* objectPath
    const data = yield* rawBody
    return ok(yield* api.putObject(user, bucket, key, data), 201)
  }))),
  HttpRouter.head("/api/objects/:bucket/*", authenticated((api, user) => Effect.gen(function* () {
    const { bucket, key } = yield* objectPath
    const view = yield* api.headObject(user, bucket, key)
    return HttpServerResponse.empty({ status: 200, headers: metaHeaders(view) })
  }))),
  HttpRouter.get("/api/objects/:bucket/*", authenticated((api, user) => Effect.gen(function* () {
    const { bucket, key } = yield* objectPath
    const query = yield* HttpServerRequest.schemaSearchParams(ObjectQuery, strict).pipe(Effect.mapError((e) => invalidRequest("query", e)))
    if (query.meta === "1" || query.meta === "true") return ok(yield* api.headObject(user, bucket, key))
    const data = yield* api.getObject(user, bucket, key)
    return HttpServerResponse.uint8Array(data, { contentType: "application/octet-stream" })
  }))),
  HttpRouter.del("/api/objects/:bucket/*", authenticated((api, user) => Effect.gen(function* () {
    const { bucket, key } = yield* objectPath
    yield* api.deleteObject(user, bucket, key)
    return ok({ deleted: { bucket, key } })
  }))),
  HttpRouter.get("/api/objects/:bucket", authenticated((api, user) => Effect.gen(function* () {
    const { bucket } = yield* HttpRouter.params
    const query = yield* HttpServerRequest.schemaSearchParams(ListQuery, strict).pipe(Effect.mapError((e) => invalidRequest("query", e)))
    return ok({ objects: yield* api.listObjects(user, bucket ?? "", query.prefix ?? "") })
  }))),
  // A write or delete that names a bucket but no key: say which part is missing rather than "no route".
  HttpRouter.put("/api/objects/:bucket", authenticated(() => objectPath.pipe(Effect.as(ok({}))))),
  HttpRouter.del("/api/objects/:bucket", authenticated(() => objectPath.pipe(Effect.as(ok({}))))),
  HttpRouter.get("/api/buckets", authenticated((api, user) => Effect.map(api.buckets(user), (buckets) => ok({ buckets })))),

  HttpRouter.get("/api/nodes", authenticated((api, user) => Effect.map(api.nodes(user), (nodes) => ok({ nodes })))),
  HttpRouter.get("/api/credits", authenticated((api, user) => Effect.map(api.credits(user), (credits) => ok(credits)))),
  HttpRouter.post("/api/nodes/join-token", authenticated((api, user) => Effect.map(api.createJoinToken(user), (token) => ok(token, 201)))),
  HttpRouter.post("/api/users", authenticated((api, user) => Effect.gen(function* () {
    const { name } = yield* jsonBody(CreateUser)
    return ok(yield* api.createUser(user, name), 201)
  })))
)

/** The router as an app: unknown routes are 404s, defects are logged and answered with a 500. */
export const clusterApp = clusterRouter.pipe(
  Effect.catchTag("RouteNotFound", (e) => Effect.succeed(routeNotFound(e))),
  Effect.catchAllCause((cause) => Effect.as(Effect.logError("cluster API: unhandled failure", cause), internalError()))
)
