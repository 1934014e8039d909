// The borrower portal's static files, served by the coordinator: the page at `/` and its hashed
// scripts and styles at `/assets/*` (viewer/portal.vite.config.ts builds them into viewer/dist-portal).
//
// The build happens lazily, on the first request for the portal, and only when viewer/dist-portal is
// missing or older than its sources; so `crowdcloud live up` prints its ready line without waiting for
// vite, and an up-to-date build is never redone. Concurrent requests share one build; a failed build is
// answered with a 503 and tried again on the next request; each request for the page checks the
// sources again (a stat of viewer/src), so edits show on reload. The build goes to a temporary
// directory that replaces the old one, so a half-written build is never served.
import * as fs from "node:fs"
import * as path from "node:path"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Data, Effect } from "effect"

const viewerDir = path.resolve(import.meta.dirname, "..", "..", "viewer")

/** Where the portal's build lives (gitignored). */
export const portalDistDir = path.join(viewerDir, "dist-portal")

/** The page vite writes (named after its entry, viewer/portal.html). */
export const portalPageFile = "portal.html"

export class PortalBuildFailed extends Data.TaggedError("PortalBuildFailed")<{ readonly reason: string }> {
  override get message() {
    return `the portal could not be built: ${this.reason}`
  }
}

const contentTypes: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8"
}

export const contentTypeOf = (file: string): string => contentTypes[path.extname(file).toLowerCase()] ?? "application/octet-stream"

/** The page may only load its own scripts and talk to its own origin; inline styles are the charts' tooltips'. */
const pageHeaders = {
  "cache-control": "no-cache",
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff"
}

/** Asset names carry a content hash, so a browser may keep them for good. */
const assetHeaders = {
  "cache-control": "public, max-age=31536000, immutable",
  "x-content-type-options": "nosniff"
}

/** One path segment of an asset name: no `..`, no slashes or backslashes, nothing hidden. */
const safeSegment = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/

/** The file under `assetsDir` a request's `/assets/<rest>` names, or null when it would leave that directory. */
export const assetFile = (assetsDir: string, rest: string): string | null => {
  const segments = rest.split("/")
  if (rest === "" || !segments.every((s) => safeSegment.test(s))) return null
  const file = path.resolve(assetsDir, ...segments)
  return file.startsWith(assetsDir + path.sep) ? file : null
}

/** The newest modification time (ms) of the files under `dir`, skipping tests and node_modules. */
const newestUnder = (dir: string): number =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return e.name === "node_modules" ? t : Math.max(t, newestUnder(p))
    return /\.test\.ts$/.test(e.name) ? t : Math.max(t, fs.statSync(p).mtimeMs)
  }, 0)

/** Whether the build at `distDir` is missing or older than any of `sources` (files or directories). */
export const buildIsStale = (distDir: string, sources: ReadonlyArray<string>): boolean => {
  const page = path.join(distDir, portalPageFile)
  if (!fs.existsSync(page)) return true
  const built = fs.statSync(page).mtimeMs
  return sources.some((s) => (fs.statSync(s).isDirectory() ? newestUnder(s) : fs.statSync(s).mtimeMs) > built)
}

/**
 * The portal's sources: the charts and pages (all of viewer/src), the page, the build config, and the
 * API schemas it decodes replies with (live/api/ClusterApi.ts, live/insights/views.ts and the core domain
 * schemas they use).
 */
export const portalSources: ReadonlyArray<string> = [
  path.join(viewerDir, "src"),
  path.join(import.meta.dirname, "ClusterApi.ts"),
  path.join(import.meta.dirname, "..", "insights", "views.ts"),
  path.join(viewerDir, "..", "core", "domain"),
  path.join(viewerDir, "portal.html"),
  path.join(viewerDir, "portal.vite.config.ts")
]

/** Runs vite with the portal's config, writing into `outDir`. */
const viteBuild = async (outDir: string): Promise<void> => {
  const { build } = await import("vite")
  await build({ configFile: path.join(viewerDir, "portal.vite.config.ts"), logLevel: "warn", build: { outDir, emptyOutDir: true } })
}

export interface PortalAssetsOptions {
  readonly distDir: string
  /** Whether `distDir` needs (re)building. */
  readonly isStale: () => boolean
  /** Writes a complete build into the given (new) directory. */
  readonly build: (outDir: string) => Promise<void>
}

export interface PortalAssets {
  /** Builds when stale; calls during a build share it, a failure is retried by the next call. */
  readonly ensureBuilt: () => Promise<void>
  /** `GET /`: the page. */
  readonly page: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>
  /** `GET /assets/*`: a script, stylesheet or other asset. */
  readonly asset: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest | HttpRouter.RouteContext>
  readonly router: HttpRouter.HttpRouter
}

const notFound = () => HttpServerResponse.unsafeJson({ error: "NotFound", message: "no such portal file" }, { status: 404 })

export const makePortalAssets = (options: PortalAssetsOptions): PortalAssets => {
  const assetsDir = path.join(options.distDir, "assets")
  let building: Promise<void> | undefined

  const buildNow = async (): Promise<void> => {
    if (!options.isStale()) return
    const tmp = `${options.distDir}.tmp-${process.pid}-${Date.now()}`
    try {
      await options.build(tmp)
      if (!fs.existsSync(path.join(tmp, portalPageFile))) throw new Error(`the build wrote no ${portalPageFile}`)
      fs.rmSync(options.distDir, { recursive: true, force: true })
      try {
        fs.renameSync(tmp, options.distDir)
      } catch (e) {
        // Another process's build landed first: serve that one.
        if (!fs.existsSync(path.join(options.distDir, portalPageFile))) throw e
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  }

  let settled = false

  const ensureBuilt = (): Promise<void> => {
    if (building === undefined) {
      settled = false
      building = buildNow().then(
        () => {
          settled = true
        },
        (e: unknown) => {
          building = undefined
          throw e
        }
      )
    }
    return building
  }

  /** For the page: once the last build is done, sources edited since are built again (no restart needed). */
  const ensureCurrent = (): Promise<void> => {
    if (settled) building = undefined
    return ensureBuilt()
  }

  const failed = (e: unknown) => new PortalBuildFailed({ reason: e instanceof Error ? e.message : String(e) })

  /** The file with its type and caching headers, a 304 when the browser's copy is current, a 404 when it is not there. */
  const serveFile = (file: string, headers: Record<string, string>) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const read = yield* Effect.either(Effect.tryPromise(async () => {
        const stat = await fs.promises.stat(file)
        if (!stat.isFile()) throw new Error("not a file")
        return { stat, data: await fs.promises.readFile(file) }
      }))
      if (read._tag === "Left") return notFound()
      const { stat, data } = read.right
      const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`
      if (request.headers["if-none-match"] === etag) return HttpServerResponse.empty({ status: 304, headers: { ...headers, etag } })
      return HttpServerResponse.uint8Array(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
        contentType: contentTypeOf(file),
        headers: { ...headers, etag }
      })
    })

  const whenBuilt = <R>(build: () => Promise<void>, serve: Effect.Effect<HttpServerResponse.HttpServerResponse, never, R>) =>
    Effect.flatMap(Effect.either(Effect.tryPromise({ try: build, catch: failed })), (result) =>
      result._tag === "Right"
        ? serve
        : Effect.as(
            Effect.logError("portal: build failed", result.left.reason),
            HttpServerResponse.unsafeJson({ error: "PortalUnavailable", message: `${result.left.message}; see the coordinator's log` }, { status: 503, headers: { "retry-after": "5" } })
          ))

  const page = whenBuilt(ensureCurrent, serveFile(path.join(options.distDir, portalPageFile), pageHeaders))

  const asset = whenBuilt(ensureBuilt, Effect.flatMap(HttpRouter.params, (params) => {
    const file = assetFile(assetsDir, params["*"] ?? "")
    return file === null ? Effect.succeed(notFound()) : serveFile(file, assetHeaders)
  }))

  const router = HttpRouter.empty.pipe(HttpRouter.get("/", page), HttpRouter.get("/assets/*", asset))
  return { ensureBuilt, page, asset, router }
}

/** The portal as built from this checkout's viewer/ (what the coordinator serves). */
export const portalAssets: PortalAssets = makePortalAssets({
  distDir: portalDistDir,
  isStale: () => buildIsStale(portalDistDir, portalSources),
  build: viteBuild
})

/** The routes `/` and `/assets/*`, to concatenate into the cluster's router. */
export const portalRouter = portalAssets.router
