// How expected failures look on the wire: a status and a JSON body with a stable `error` name and a
// `message` that reads as a sentence, plus the facts a client needs to act (which fields, which limits).
import { HttpServerResponse } from "@effect/platform"
import type { RequestError, RouteNotFound } from "@effect/platform/HttpServerError"
import { ParseResult } from "effect"
import type { JobUnsatisfiable, UnknownJob } from "../../core/coordinator/errors.ts"

export interface FieldIssue {
  /** Where in the request the problem is, e.g. `vcpus`, `command[0]`, `id`. */
  readonly field: string
  readonly message: string
}

const fieldName = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((name, key) => typeof key === "number" ? `${name}[${key}]` : name === "" ? String(key) : `${name}.${String(key)}`, "")

export const fieldIssues = (error: ParseResult.ParseError): ReadonlyArray<FieldIssue> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    field: issue.path.length === 0 ? "(body)" : fieldName(issue.path),
    message: issue.message
  }))

const respond = (status: number, error: string, message: string, facts: Record<string, unknown> = {}) =>
  HttpServerResponse.unsafeJson({ error, message, ...facts }, { status })

/** `what` says which part of the request was invalid: "request body", "path", "query". */
export const invalidRequest = (what: string, error: ParseResult.ParseError) => {
  const issues = fieldIssues(error)
  return respond(400, "InvalidRequest", `invalid ${what}: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`, {
    fields: issues.map((i) => i.field),
    issues
  })
}

export const malformedBody = (error: RequestError) =>
  respond(400, "MalformedBody", error.reason === "Decode" ? "the request body is not valid JSON" : `the request body could not be read: ${error.message}`)

export const bodyTooLarge = (bytesMax: number) =>
  respond(413, "BodyTooLarge", `the request body is larger than ${bytesMax} bytes`, { bytesMax })

export const unknownJob = (error: UnknownJob) => respond(404, "UnknownJob", error.message, { jobId: error.jobId })

export const jobUnsatisfiable = (error: JobUnsatisfiable) =>
  respond(422, "JobUnsatisfiable", error.message, {
    vcpus: error.vcpus,
    memoryMiB: error.memoryMiB,
    diskMiB: error.diskMiB,
    reason: error.reason
  })

export const routeNotFound = (error: RouteNotFound) =>
  respond(404, "NotFound", `no route for ${error.request.method} ${error.request.url}`)

export const internalError = () => respond(500, "InternalError", "the server failed to handle the request; it has been logged")
