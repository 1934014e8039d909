// The jobs API as an HttpRouter: every handler decodes its input by Schema and maps each expected
// failure to its response itself, so the router's error channel stays empty and nothing falls
// through to a generic 500 except defects.
import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import { UserId } from "../../core/domain/ids.ts"
import { bodyTooLarge, internalError, invalidRequest, jobUnsatisfiable, malformedBody, routeNotFound, unknownJob } from "./errorResponse.ts"
import { JobsApi, SubmitJob } from "./JobsApi.ts"

const JobPath = Schema.Struct({ id: Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()) })
const ListQuery = Schema.Struct({ owner: Schema.optional(UserId) })

const strict = { errors: "all", onExcessProperty: "error" } as const

const jobIdFromPath = HttpRouter.schemaPathParams(JobPath, strict).pipe(
  Effect.map(({ id }) => id),
  Effect.mapError((e) => invalidRequest("path", e))
)

/** A job submission is a few hundred bytes; anything near this is not one. */
export const submitBodyBytesMax = 64 * 1024

/** Refuses a declared oversized body before reading it; a body that grows past the limit anyway (chunked) stops being read. */
const boundedJsonBody = <A, I>(schema: Schema.Schema<A, I>) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const declared = Number(request.headers["content-length"] ?? 0)
    if (declared > submitBodyBytesMax) return yield* Effect.fail(bodyTooLarge(submitBodyBytesMax))
    return yield* HttpServerRequest.schemaBodyJson(schema, strict).pipe(
      HttpIncomingMessage.withMaxBodySize(Option.some(submitBodyBytesMax)),
      Effect.catchTags({
        ParseError: (e) => Effect.fail(invalidRequest("request body", e)),
        RequestError: (e) => Effect.fail(malformedBody(e))
      })
    )
  })

const ok = (body: unknown, status = 200) => HttpServerResponse.unsafeJson(body, { status })

/** Runs a handler whose failures are already responses. */
const handle = <R>(effect: Effect.Effect<HttpServerResponse.HttpServerResponse, HttpServerResponse.HttpServerResponse, R>) =>
  Effect.merge(effect)

export const jobsRouter = HttpRouter.empty.pipe(
  HttpRouter.get("/api/health", Effect.succeed(ok({ status: "ok" }))),
  HttpRouter.post(
    "/api/jobs",
    handle(Effect.gen(function* () {
      const body = yield* boundedJsonBody(SubmitJob)
      const jobs = yield* JobsApi
      const job = yield* jobs.submit(body).pipe(Effect.mapError(jobUnsatisfiable))
      return ok(job, 201)
    }))
  ),
  HttpRouter.get(
    "/api/jobs",
    handle(Effect.gen(function* () {
      const query = yield* HttpServerRequest.schemaSearchParams(ListQuery, strict).pipe(Effect.mapError((e) => invalidRequest("query", e)))
      const jobs = yield* JobsApi
      return ok({ jobs: yield* jobs.list(query.owner) })
    }))
  ),
  HttpRouter.get(
    "/api/jobs/:id",
    handle(Effect.gen(function* () {
      const id = yield* jobIdFromPath
      const jobs = yield* JobsApi
      return ok(yield* jobs.status(id).pipe(Effect.mapError(unknownJob)))
    }))
  ),
  HttpRouter.post(
    "/api/jobs/:id/cancel",
    handle(Effect.gen(function* () {
      const id = yield* jobIdFromPath
      const jobs = yield* JobsApi
      return ok(yield* jobs.cancel(id).pipe(Effect.mapError(unknownJob)))
    }))
  )
)

/** The router as an app: unknown routes are 404s, defects are logged and answered with a 500. */
export const jobsApp = jobsRouter.pipe(
  Effect.catchTag("RouteNotFound", (e) => Effect.succeed(routeNotFound(e))),
  Effect.catchAllCause((cause) => Effect.as(Effect.logError("jobs API: unhandled failure", cause), internalError()))
)
