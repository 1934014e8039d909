// How expected failures look on the wire: a status and a JSON body with a stable `error` name and a
// `message` that reads as a sentence, plus the facts a client needs to act (which fields, which limits).
import { HttpServerResponse } from "@effect/platform"
import type { RequestError, RouteNotFound } from "@effect/platform/HttpServerError"
import { ParseResult } from "effect"
import type { JobUnsatisfiable, UnknownJob } from "../../core/coordinator/errors.ts"
import { creditsFromMicroCredits } from "../../core/ledger/accounts.ts"
import type { InsufficientCredits } from "../../core/ledger/errors.ts"
import type { AccountFailure } from "../accounts/errors.ts"
import type { CsrfRejected, Forbidden, InvalidJobInput, StorageFailure, Unauthenticated } from "./ClusterApi.ts"

export interface FieldIssue {
  /** Where in the request the problem is, e.g. `vcpus`, `command[0]`, `id`. */
  readonly field: string
  readonly message: string
}

const fieldName = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((name, key) => typeof key === "number" ? `${name}[${key}]` : name === "" ? String(key) : `${name}.${String(key)}`, "")

const startsWith = (path: ReadonlyArray<PropertyKey>, prefix: ReadonlyArray<PropertyKey>) =>
  prefix.length <= path.length && prefix.every((key, i) => path[i] === key)

const expectation = /^Expected (.*), actual (.*)$/s

/** One message for a field's issues: a literal union's alternatives read as one expectation. */
const mergeMessages = (messages: ReadonlyArray<string>): string => {
  const parsed = messages.map((m) => expectation.exec(m))
  const actual = parsed[0]?.[2]
  if (messages.length > 1 && parsed.every((m) => m !== null && m[2] === actual)) {
    return `Expected ${parsed.map((m) => m![1]).join(" or ")}, actual ${actual}`
  }
  return messages.join("; ")
}

/**
 * The issues of a decode failure, one per field. An optional field's "Expected undefined" alternative
 * is dropped when the field (or something inside it) has a real issue: it only says the field could
 * also have been left out.
 */
export const fieldIssues = (error: ParseResult.ParseError): ReadonlyArray<FieldIssue> => {
  const all = ParseResult.ArrayFormatter.formatErrorSync(error)
  const relevant = all.filter((issue) =>
    !(issue.message.startsWith("Expected undefined, actual") &&
      all.some((other) => other !== issue && startsWith(other.path, issue.path) && !other.message.startsWith("Expected undefined, actual"))))
  const byField = new Map<string, Array<string>>()
  for (const issue of relevant) {
    const field = issue.path.length === 0 ? "(body)" : fieldName(issue.path)
    byField.set(field, [...(byField.get(field) ?? []), issue.message])
  }
  return [...byField].map(([field, messages]) => ({ field, message: mergeMessages(messages) }))
}

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

/** One bad field found by hand rather than by a Schema (e.g. an empty object key). */
export const invalidField = (field: string, message: string) => invalidFields([{ field, message }])

/** A 400 naming every bad field. */
export const invalidFields = (issues: ReadonlyArray<{ readonly field: string; readonly message: string }>) =>
  respond(400, "InvalidRequest", `invalid request: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`, { fields: issues.map((i) => i.field), issues })

export const malformedBody = (error: RequestError) =>
  respond(400, "MalformedBody", error.reason === "Decode" ? "the request body is not valid JSON" : `the request body could not be read: ${error.message}`)

export const bodyTooLarge = (bytesMax: number) =>
  respond(413, "BodyTooLarge", `the request body is larger than ${bytesMax} bytes`, { bytesMax })

export const unauthenticated = (error: Unauthenticated) =>
  respond(401, "Unauthenticated", error.message, { reason: error.reason }).pipe(
    HttpServerResponse.setHeader("www-authenticate", "Bearer")
  )

export const csrfRejected = (error: CsrfRejected) => respond(403, "CsrfRejected", error.message, { method: error.method, reason: error.reason })

/** Every typed failure of ClusterApi, and the status it is answered with. */
export type ApiFailure = Forbidden | InvalidJobInput | UnknownJob | JobUnsatisfiable | InsufficientCredits | StorageFailure | AccountFailure

const statusOf: Readonly<Record<ApiFailure["_tag"], number>> = {
  Forbidden: 403,
  UnknownJob: 404,
  UnknownBucket: 404,
  UnknownObject: 404,
  InvalidStorageInput: 400,
  BucketExists: 409,
  InsufficientCredits: 402,
  JobUnsatisfiable: 422,
  InvalidJobInput: 422,
  // The cluster cannot serve it now (too few nodes up, shards lost); the same request may work later.
  NotEnoughNodes: 503,
  WriteFailed: 503,
  ObjectUnavailable: 503,
  NameTaken: 409,
  EmailTaken: 409,
  OrgNameTaken: 409,
  InvalidInvitation: 422,
  LoginRefused: 401,
  TooManyLoginAttempts: 429,
  UnknownApiToken: 404,
  NoOrganisation: 404,
  NotOrgAdmin: 403
}

/** The error's own fields, as the facts of the reply; ledger amounts are converted from micro-credits. */
const factsOf = (error: ApiFailure): Record<string, unknown> => {
  if (error._tag === "InsufficientCredits") {
    return { account: error.account, balanceCredits: creditsFromMicroCredits(error.balance), amountCredits: creditsFromMicroCredits(error.amount) }
  }
  const { _tag, ...facts } = error as unknown as Record<string, unknown>
  // A refusal about one field of a form (a taken name, a bad invitation) names it as a 400 does.
  return typeof facts["field"] === "string" && error._tag !== "InvalidJobInput" && error._tag !== "InvalidStorageInput" ? { ...facts, fields: [facts["field"]] } : facts
}

export const failureResponse = (error: ApiFailure) => {
  const reply = respond(statusOf[error._tag], error._tag, error.message, factsOf(error))
  return error._tag === "TooManyLoginAttempts" ? HttpServerResponse.setHeader(reply, "retry-after", String(error.retryAfterS)) : reply
}

export const unknownJob = (error: UnknownJob) => failureResponse(error)

export const jobUnsatisfiable = (error: JobUnsatisfiable) => failureResponse(error)

export const routeNotFound = (error: RouteNotFound) =>
  respond(404, "NotFound", `no route for ${error.request.method} ${error.request.url}`)

export const internalError = () => respond(500, "InternalError", "the server failed to handle the request; it has been logged")
