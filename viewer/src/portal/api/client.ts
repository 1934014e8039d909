// The portal's API client: same-origin fetch with the session cookie, the CSRF header on every
// state-changing call, replies decoded by Schema. A 401 outside /api/auth/ means the session ended:
// `onUnauthenticated` is called (the shell sends the user to #/login).
import { Effect, Either, Schema } from "effect"
import { PortalApiError } from "./PortalApiError.ts"
import * as S from "./schemas.ts"

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>

export interface ClientOptions {
  readonly fetch?: Fetch
  readonly onUnauthenticated?: () => void
}

type Method = "GET" | "POST" | "PUT" | "DELETE"

/** Encodes each segment of an object key, keeping its slashes (live/api/README.md). */
export const objectPath = (bucket: string, key: string): string =>
  `/api/objects/${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`

/** One of a job's outputs (`bucket/key` as its `outputs` lists it), read through the job: whoever sees the job may. */
export const jobOutputPath = (jobId: number, name: string): string =>
  `/api/jobs/${jobId}/outputs/${name.split("/").map(encodeURIComponent).join("/")}`

/**
 * The request fields an error names, each with its message: a 400's `issues`/`fields`, or the one
 * `field` a refusal such as NameTaken (409) or InvalidStorageInput carries.
 */
const fieldMessages = (body: S.ErrorBody, facts: Record<string, unknown>): Record<string, string> => {
  const out: Record<string, string> = {}
  if (typeof facts["field"] === "string" && body.fields === undefined && body.issues === undefined) out[facts["field"]] = body.message
  for (const issue of body.issues ?? []) out[issue.field] = issue.message
  for (const f of body.fields ?? []) {
    if (typeof f === "string") out[f] ??= body.message
    else out[f.field] = f.message
  }
  return out
}

const decodeError = Schema.decodeUnknownEither(S.ErrorBody)

export interface JobRequest {
  readonly image: string
  readonly command: ReadonlyArray<string>
  readonly vcpus: number
  readonly memoryMiB: number
  readonly diskMiB: number
  readonly timeoutS: number
  readonly inputs: ReadonlyArray<{ readonly bucket: string; readonly key: string }>
  readonly replicas: number
}

export interface SignupRequest {
  readonly kind: "personal" | "company"
  readonly name: string
  readonly email: string
  readonly password: string
  readonly orgName?: string
  readonly invitation?: string
}

export class PortalClient {
  csrfToken: string | null = null
  /** Called on a 401 outside /api/auth/ (the session has ended); the shell sets it. */
  onUnauthenticated: () => void
  readonly #fetch: Fetch

  constructor(options: ClientOptions = {}) {
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.onUnauthenticated = options.onUnauthenticated ?? (() => {})
  }

  /** The raw exchange: a Response with a 2xx status, else the API's error. */
  send(method: Method, path: string, body?: unknown): Effect.Effect<Response, PortalApiError> {
    const headers: Record<string, string> = { accept: "application/json" }
    if (method !== "GET" && this.csrfToken !== null) headers["x-csrf-token"] = this.csrfToken
    let payload: BodyInit | undefined
    if (body instanceof Blob) payload = body
    else if (body !== undefined) {
      headers["content-type"] = "application/json"
      payload = JSON.stringify(body)
    }
    const init: RequestInit = { method, headers, credentials: "same-origin", ...(payload === undefined ? {} : { body: payload }) }
    return Effect.tryPromise({
      try: () => this.#fetch(path, init),
      catch: (e) => new PortalApiError({
        status: 0, error: "NetworkError", text: `the coordinator did not answer (${e instanceof Error ? e.message : String(e)})`,
        fields: {}, retryAfterS: null, facts: {}
      })
    }).pipe(Effect.flatMap((response) => response.ok ? Effect.succeed(response) : Effect.flatMap(this.#failure(path, response), Effect.fail)))
  }

  #failure(path: string, response: Response): Effect.Effect<PortalApiError> {
    return Effect.promise(() => response.text().catch(() => "")).pipe(Effect.map((text) => {
      if (response.status === 401 && !path.startsWith("/api/auth/")) this.onUnauthenticated()
      let json: unknown = null
      try {
        json = JSON.parse(text)
      } catch {
        json = null
      }
      const body = decodeError(json)
      const retry = Number(response.headers.get("retry-after"))
      const retryAfterS = Number.isFinite(retry) && retry > 0 ? retry : null
      if (Either.isLeft(body)) {
        return new PortalApiError({ status: response.status, error: `Http${response.status}`, text: `${path} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`, fields: {}, retryAfterS, facts: {} })
      }
      const { error: _e, message: _m, fields: _f, issues: _i, ...facts } = json as Record<string, unknown>
      const retryFact = typeof facts["retryAfterS"] === "number" ? facts["retryAfterS"] : null
      return new PortalApiError({ status: response.status, error: body.right.error, text: body.right.message, fields: fieldMessages(body.right, facts), retryAfterS: retryAfterS ?? retryFact, facts })
    }))
  }

  /** A JSON call decoded by `schema`; a reply of another shape is an `UnexpectedReply` naming the route. */
  call<A, I>(method: Method, path: string, schema: Schema.Schema<A, I>, body?: unknown): Effect.Effect<A, PortalApiError> {
    return this.send(method, path, body).pipe(
      Effect.flatMap((response) => Effect.promise(() => response.json().catch(() => undefined))),
      Effect.flatMap((json) => Schema.decodeUnknown(schema)(json).pipe(Effect.mapError((e) => new PortalApiError({
        status: 200, error: "UnexpectedReply", text: `${method} ${path.split("?")[0]} answered in a shape the portal does not understand: ${e.message}`,
        fields: {}, retryAfterS: null, facts: {}
      }))))
    )
  }

  /** A call whose reply body does not matter (204, `{deleted}`). */
  exec(method: Method, path: string, body?: unknown): Effect.Effect<void, PortalApiError> {
    return Effect.asVoid(this.send(method, path, body))
  }

  #session = (effect: Effect.Effect<S.Me, PortalApiError>) => Effect.tap(effect, (me) => Effect.sync(() => (this.csrfToken = me.csrfToken)))

  me = () => this.#session(this.call("GET", "/api/auth/me", S.Me))
  login = (login: string, password: string) => this.#session(this.call("POST", "/api/auth/login", S.Me, { login, password }))
  signup = (request: SignupRequest) => this.#session(this.call("POST", "/api/auth/signup", S.Me, request))
  logout = () => Effect.tap(this.exec("POST", "/api/auth/logout"), () => Effect.sync(() => (this.csrfToken = null)))

  jobs = (scope: "mine" | "all" = "mine") => Effect.map(this.call("GET", `/api/jobs?scope=${scope}`, S.JobList), (r) => r.jobs)
  job = (id: number) => this.call("GET", `/api/jobs/${id}`, S.Job)
  jobLogs = (id: number) => this.call("GET", `/api/jobs/${id}/logs`, S.JobLogs)
  submitJob = (job: JobRequest) => this.call("POST", "/api/jobs", S.Job, job)
  estimateJob = (job: JobRequest) => this.call("POST", "/api/jobs/estimate", S.Estimate, job)
  cancelJob = (id: number) => this.call("POST", `/api/jobs/${id}/cancel`, S.Job)

  buckets = () => Effect.map(this.call("GET", "/api/buckets", S.BucketList), (r) => r.buckets)
  objects = (bucket: string) => Effect.map(this.call("GET", `/api/objects/${encodeURIComponent(bucket)}`, S.ObjectList), (r) => r.objects)
  putObject = (bucket: string, key: string, data: Blob) => this.call("PUT", objectPath(bucket, key), S.StoredObject, data)
  deleteObject = (bucket: string, key: string) => this.exec("DELETE", objectPath(bucket, key))

  dashboard = (fromMs: number, toMs: number) => this.call("GET", `/api/dashboard?from=${fromMs}&to=${toMs}`, S.Dashboard)
  analytics = (fromMs: number, toMs: number, bucketMs: number) =>
    this.call("GET", `/api/analytics?from=${fromMs}&to=${toMs}&bucketMs=${bucketMs}`, S.Analytics)

  billing = () => this.call("GET", "/api/billing", S.Billing)
  topUp = (credits: number, key: string) => this.call("POST", "/api/billing/topup", S.TopUpResult, { credits, key })
  invoices = () => Effect.map(this.call("GET", "/api/billing/invoices", S.Invoices), (r) => r.invoices)
  audit = () => this.call("GET", "/api/billing/audit", S.Audit)

  lender = () => this.call("GET", "/api/lender", S.Lender)
  lenderJoinToken = () => this.call("POST", "/api/lender/join-token", S.JoinToken)

  tokens = () => Effect.map(this.call("GET", "/api/tokens", S.TokenList), (r) => r.tokens)
  createToken = (label: string) => this.call("POST", "/api/tokens", S.NewToken, { label })
  deleteToken = (id: string | number) => this.exec("DELETE", `/api/tokens/${encodeURIComponent(String(id))}`)
  org = () => this.call("GET", "/api/org", S.Org)
  invitations = () => Effect.map(this.call("GET", "/api/org/invitations", S.InvitationList), (r) => r.invitations)
  createInvitation = (email: string | undefined, role: S.OrgRole) =>
    this.call("POST", "/api/org/invitations", S.Invitation, { ...(email ? { email } : {}), role })
}

/** Runs a client call for a page: the value or the error, never a rejection. */
export const run = <A>(effect: Effect.Effect<A, PortalApiError>): Promise<Either.Either<A, PortalApiError>> =>
  Effect.runPromise(Effect.either(effect))

export const invoiceCsvPath = (month: string) => `/api/billing/invoices/${encodeURIComponent(month)}.csv`
