// A small HTTP client for the cluster API: bearer token on every call, errors decoded from the API's
// `{ error, message }` bodies, unreachable servers named with the reason.
import { Effect } from "effect"
import type { Parsed } from "./args.ts"
import { type ApiConfig, resolveConfig } from "./config.ts"
import { ApiError, ApiUnreachable, type LocalFileError, type NotConfigured } from "./errors.ts"

export interface ApiClient {
  readonly config: ApiConfig
  readonly json: <A = any>(method: string, path: string, body?: unknown) => Effect.Effect<A, ApiError | ApiUnreachable>
  /** Sends raw bytes, reads a JSON answer (an object upload). */
  readonly upload: <A = any>(method: string, path: string, body: Uint8Array) => Effect.Effect<A, ApiError | ApiUnreachable>
  /** Reads a raw answer (an object download). */
  readonly bytes: (method: string, path: string) => Effect.Effect<Uint8Array, ApiError | ApiUnreachable>
}

/** `bucket/a b/c` -> `bucket/a%20b/c`: each segment encoded, slashes kept (the API reads the key as the rest of the path). */
export const objectPath = (bucket: string, key: string): string =>
  `/api/objects/${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`

const reasonOf = (e: unknown): string => {
  const cause = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined
  if (cause?.code === "ECONNREFUSED") return "connection refused (is the cluster running?)"
  if (cause?.code !== undefined) return `${cause.code}${cause.message !== undefined ? ` (${cause.message})` : ""}`
  if (cause?.message !== undefined) return cause.message
  return e instanceof Error ? e.message : String(e)
}

const apiError = async (response: Response): Promise<ApiError> => {
  const text = await response.text().catch(() => "")
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown }
    if (typeof body.message === "string") {
      return new ApiError({ status: response.status, error: typeof body.error === "string" ? body.error : "Error", detail: body.message })
    }
  } catch {
    // not JSON: said below with the status line
  }
  return new ApiError({ status: response.status, error: "HttpError", detail: `HTTP ${response.status} ${response.statusText}${text !== "" ? `: ${text.slice(0, 200)}` : ""}` })
}

export const makeClient = (config: ApiConfig): ApiClient => {
  const send = (method: string, path: string, body: string | Uint8Array | undefined, contentType: string | undefined) =>
    Effect.tryPromise({
      try: (signal) =>
        fetch(`${config.api}${path}`, {
          method,
          signal,
          headers: { authorization: `Bearer ${config.token}`, ...(contentType !== undefined ? { "content-type": contentType } : {}) },
          ...(body !== undefined ? { body } : {})
        }),
      catch: (e) => new ApiUnreachable({ api: config.api, reason: reasonOf(e) })
    }).pipe(
      Effect.flatMap((response) => response.ok ? Effect.succeed(response) : Effect.flatMap(Effect.promise(() => apiError(response)), Effect.fail))
    )
  const read = <A>(response: Response, as: (r: Response) => Promise<A>) =>
    Effect.tryPromise({ try: () => as(response), catch: (e) => new ApiUnreachable({ api: config.api, reason: `the answer could not be read: ${reasonOf(e)}` }) })
  return {
    config,
    json: (method, path, body) =>
      Effect.flatMap(send(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : "application/json"), (r) => read(r, (x) => x.json() as Promise<any>)),
    upload: (method, path, body) =>
      Effect.flatMap(send(method, path, body, "application/octet-stream"), (r) => read(r, (x) => x.json() as Promise<any>)),
    bytes: (method, path) =>
      Effect.flatMap(send(method, path, undefined, undefined), (r) => read(r, async (x) => new Uint8Array(await x.arrayBuffer())))
  }
}

/** How a command gets its client once its own flags are known to be right (usage errors come first). */
export type Connect = (parsed: Parsed) => Effect.Effect<ApiClient, NotConfigured | LocalFileError>

export const connectFromConfig: Connect = (parsed) => Effect.map(resolveConfig(parsed), makeClient)
