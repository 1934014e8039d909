// The cluster API as an HttpRouter over the ClusterApi port. Every handler authenticates the caller,
// decodes its input by Schema and maps each expected failure to its response itself, so nothing
// falls through to a generic 500 except defects.
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { Effect, Schema } from "effect"
import { accountRouter } from "./accountRoutes.ts"
import { SubmitJob } from "./ClusterApi.ts"
import { internalError, invalidField, routeNotFound } from "./errorResponse.ts"
import { insightRouter } from "./insightRoutes.ts"
import { authenticated, IdPath, jsonBody, noQuery, ok, pathParams, queryParams, rawBody } from "./http.ts"
import { objectBodyBytesMax, submitBodyBytesMax } from "./limits.ts"
import { portalRouter } from "./portalAssets.ts"

export { objectBodyBytesMax, submitBodyBytesMax }

const jobIdFromPath = Effect.map(pathParams(IdPath), ({ id }) => id)

/** `/api/jobs/:id/outputs/<bucket>/<key>`: the output's name as the job's `outputs` lists it. */
const JobOutputPath = Schema.Struct({ ...IdPath.fields, "*": Schema.String.pipe(Schema.minLength(1, { message: () => "name the output as bucket/key" })) })

/** `/api/objects/:bucket/<key>`: the key is the rest of the path, slashes included. */
const objectPath = Effect.flatMap(HttpRouter.params, (params) => {
  const bucket = params["bucket"] ?? ""
  const key = params["*"] ?? ""
  return key === "" ? Effect.fail(invalidField("key", "the object key is empty; the path is /api/objects/<bucket>/<key>")) : Effect.succeed({ bucket, key })
})

const JobsQuery = Schema.Struct({ scope: Schema.optional(Schema.Literal("mine", "all")) })
const ObjectQuery = Schema.Struct({ meta: Schema.optional(Schema.Literal("1", "true", "0", "false")) })
const ListQuery = Schema.Struct({ prefix: Schema.optional(Schema.String) })
const CreateUser = Schema.Struct({ name: Schema.NonEmptyTrimmedString })

const metaHeaders = (view: { readonly sizeBytes: number; readonly contentSha256: string }) => ({
  "content-type": "application/octet-stream",
  "content-length": String(view.sizeBytes),
  etag: `"${view.contentSha256}"`,
  "x-content-sha256": view.contentSha256
})

const jobRouter = HttpRouter.empty.pipe(
  HttpRouter.concat(portalRouter),
  HttpRouter.get("/api/health", Effect.succeed(ok({ status: "ok" }))),

  HttpRouter.post("/api/jobs", authenticated((api, principal) => Effect.gen(function* () {
    const body = yield* jsonBody(SubmitJob)
    return ok(yield* api.submitJob(principal, body), 201)
  }))),
  HttpRouter.post("/api/jobs/estimate", authenticated((api, principal) => Effect.gen(function* () {
    const body = yield* jsonBody(SubmitJob)
    return ok(yield* api.estimateJob(principal, body))
  }))),
  HttpRouter.get("/api/jobs", authenticated((api, principal) => Effect.gen(function* () {
    const { scope } = yield* queryParams(JobsQuery)
    return ok({ jobs: yield* api.jobs(principal, scope ?? "mine") })
  }))),
  HttpRouter.get("/api/jobs/:id", authenticated((api, principal) => Effect.flatMap(jobIdFromPath, (id) => Effect.map(api.job(principal, id), (job) => ok(job))))),
  HttpRouter.post("/api/jobs/:id/cancel", authenticated((api, principal) => Effect.flatMap(jobIdFromPath, (id) => Effect.map(api.cancelJob(principal, id), (job) => ok(job))))),
  HttpRouter.get("/api/jobs/:id/outputs/*", authenticated((api, principal) => Effect.gen(function* () {
    const { id, "*": name } = yield* pathParams(JobOutputPath)
    const data = yield* api.jobOutput(principal, id, name)
    return HttpServerResponse.uint8Array(data, { contentType: "application/octet-stream" })
  }))),
  HttpRouter.get("/api/jobs/:id/logs", authenticated((api, principal) => Effect.flatMap(jobIdFromPath, (id) => Effect.map(api.jobLogs(principal, id), (logs) => ok(logs)))))
)

const objectAndClusterRouter = HttpRouter.empty.pipe(
  HttpRouter.put("/api/objects/:bucket/*", authenticated((api, principal) => Effect.gen(function* () {
    const { bucket, key } = yield* objectPath
    const data = yield* rawBody
    return ok(yield* api.putObject(principal, bucket, key, data), 201)
  }))),
  HttpRouter.head("/api/objects/:bucket/*", authenticated((api, principal) => Effect.gen(function* () {
    const { bucket, key } = yield* objectPath
    const view = yield* api.headObject(principal, bucket, key)
    return HttpServerResponse.empty({ status: 200, headers: metaHeaders(view) })
  }))),
  HttpRouter.get("/api/objects/:bucket/*", authenticated((api, principal) => Effect.gen(function* () {
    const { bucket, key } = yield* objectPath
    const query = yield* queryParams(ObjectQuery)
    if (query.meta === "1" || query.meta === "true") return ok(yield* api.headObject(principal, bucket, key))
    const data = yield* api.getObject(principal, bucket, key)
    return HttpServerResponse.uint8Array(data, { contentType: "application/octet-stream" })
  }))),
  HttpRouter.del("/api/objects/:bucket/*", authenticated((api, principal) => Effect.gen(function* () {
    const { bucket, key } = yield* objectPath
    yield* api.deleteObject(principal, bucket, key)
    return ok({ deleted: { bucket, key } })
  }))),
  HttpRouter.get("/api/objects/:bucket", authenticated((api, principal) => Effect.gen(function* () {
    const { bucket } = yield* HttpRouter.params
    const query = yield* queryParams(ListQuery)
    return ok({ objects: yield* api.listObjects(principal, bucket ?? "", query.prefix ?? "") })
  }))),
  // A write or delete that names a bucket but no key: say which part is missing rather than "no route".
  HttpRouter.put("/api/objects/:bucket", authenticated(() => objectPath.pipe(Effect.as(ok({}))))),
  HttpRouter.del("/api/objects/:bucket", authenticated(() => objectPath.pipe(Effect.as(ok({}))))),
  HttpRouter.get("/api/buckets", authenticated((api, principal) => Effect.zipRight(noQuery, Effect.map(api.buckets(principal), (buckets) => ok({ buckets }))))),

  HttpRouter.get("/api/nodes", authenticated((api, principal) => Effect.zipRight(noQuery, Effect.map(api.nodes(principal), (nodes) => ok({ nodes }))))),
  HttpRouter.get("/api/credits", authenticated((api, principal) => Effect.zipRight(noQuery, Effect.map(api.credits(principal), (credits) => ok(credits))))),
  HttpRouter.post("/api/nodes/join-token", authenticated((api, principal) => Effect.map(api.createJoinToken(principal), (token) => ok(token, 201)))),
  HttpRouter.post("/api/users", authenticated((api, principal) => Effect.gen(function* () {
    const { name } = yield* jsonBody(CreateUser)
    return ok(yield* api.createUser(principal, name), 201)
  })))
)

/** Every route of the API: one router per part, concatenated (more parts are mounted here). */
export const clusterRouter = HttpRouter.concatAll(
  jobRouter,
  objectAndClusterRouter,
  accountRouter,
  insightRouter
)

/** What the routes need from context: the daemon provides them, route tests provide stubs and test doubles. */
export type ClusterAppServices = HttpRouter.HttpRouter.ExcludeProvided<Effect.Effect.Context<typeof clusterRouter>>

/** The router as an app: unknown routes are 404s, defects are logged and answered with a 500. */
export const clusterApp = clusterRouter.pipe(
  Effect.catchTag("RouteNotFound", (e) => Effect.succeed(routeNotFound(e))),
  Effect.catchAllCause((cause) => Effect.as(Effect.logError("cluster API: unhandled failure", cause), internalError()))
)
