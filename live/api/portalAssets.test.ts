// The portal's static files over real HTTP from real files in a temporary build directory: the page
// and assets with their types and caching, 304 on a current ETag, traversal refused, and the build
// run only when the directory is missing or stale (once for concurrent requests, again after failing).
import * as fs from "node:fs"
import { createServer, request as httpRequest } from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { assetFile, buildIsStale, makePortalAssets, type PortalAssetsOptions, portalPageFile } from "./portalAssets.ts"

const temps: Array<string> = []
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-assets-"))
  temps.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

const page = "<!doctype html><title>portal</title><cc-portal></cc-portal>"
const script = "console.log('portal')"

/** A stand-in for vite: writes a page, a script and a stylesheet, counting its runs. */
const fakeBuild = (fail = false) => {
  const runs: Array<string> = []
  const build = async (outDir: string) => {
    runs.push(outDir)
    await new Promise((r) => setTimeout(r, 20))
    if (fail) throw new Error("vite exploded")
    fs.mkdirSync(path.join(outDir, "assets"), { recursive: true })
    fs.writeFileSync(path.join(outDir, portalPageFile), page)
    fs.writeFileSync(path.join(outDir, "assets", "portal-abc123.js"), script)
    fs.writeFileSync(path.join(outDir, "assets", "portal-abc123.css"), "body{}")
  }
  return { runs, build }
}

interface Reply {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

/** A raw request, so the path reaches the server exactly as written (fetch would normalise `..`). */
const get = (port: number, rawPath: string, headers: Record<string, string> = {}) =>
  new Promise<Reply>((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: rawPath, method: "GET", headers }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }))
    })
    req.on("error", reject)
    req.end()
  })

/** Serves the portal's routes on an ephemeral port for the test's body. */
const withServer = <A>(options: PortalAssetsOptions, body: (port: number) => Promise<A>) =>
  Effect.scoped(Effect.gen(function* () {
    const assets = makePortalAssets(options)
    const context = yield* Layer.build(HttpServer.serve(assets.router).pipe(Layer.provideMerge(NodeHttpServer.layerServer(createServer, { port: 0, host: "127.0.0.1" }))))
    const address = (yield* HttpServer.HttpServer.pipe(Effect.provide(context))).address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("not TCP")
    return yield* Effect.promise(() => body(address.port))
  })).pipe(Logger.withMinimumLogLevel(LogLevel.None))

describe("portalAssets", () => {
  it.effect("builds a missing portal once for concurrent first requests, then serves page and assets with types and caching", () => {
    const dist = path.join(tempDir(), "dist-portal")
    const { runs, build } = fakeBuild()
    return withServer({ distDir: dist, isStale: () => buildIsStale(dist, []), build }, async (port) => {
      const [first, second] = await Promise.all([get(port, "/"), get(port, "/")])
      expect(runs).toHaveLength(1)
      for (const reply of [first, second]) {
        expect(reply.status).toBe(200)
        expect(reply.body).toBe(page)
        expect(reply.headers["content-type"]).toBe("text/html; charset=utf-8")
        expect(reply.headers["cache-control"]).toBe("no-cache")
        expect(reply.headers["content-security-policy"]).toContain("script-src 'self'")
      }
      const js = await get(port, "/assets/portal-abc123.js")
      expect(js.status).toBe(200)
      expect(js.body).toBe(script)
      expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8")
      expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable")
      expect(js.headers["x-content-type-options"]).toBe("nosniff")
      const css = await get(port, "/assets/portal-abc123.css")
      expect(css.headers["content-type"]).toBe("text/css; charset=utf-8")
      // The browser's copy is current: 304 without a body.
      const again = await get(port, "/assets/portal-abc123.js", { "if-none-match": String(js.headers["etag"]) })
      expect(again.status).toBe(304)
      expect(again.body).toBe("")
      expect(runs).toHaveLength(1)
      // The build went to a temporary directory that replaced dist; none is left behind.
      expect(fs.readdirSync(path.dirname(dist))).toEqual(["dist-portal"])
    })
  })

  it.effect("builds again when the sources change under a running server, checked on requests for the page only", () => {
    const dist = path.join(tempDir(), "dist-portal")
    const { runs, build } = fakeBuild()
    let edited = false
    return withServer({ distDir: dist, isStale: () => edited || buildIsStale(dist, []), build }, async (port) => {
      expect((await get(port, "/")).status).toBe(200)
      expect((await get(port, "/")).status).toBe(200)
      expect(runs).toHaveLength(1)
      edited = true
      expect((await get(port, "/assets/portal-abc123.js")).status).toBe(200)
      expect(runs).toHaveLength(1)
      const [a, b] = await Promise.all([get(port, "/"), get(port, "/")])
      edited = false
      expect([a.status, b.status]).toEqual([200, 200])
      expect(runs).toHaveLength(2)
    })
  })

  it.effect("refuses paths that leave the assets directory, and unknown assets, with a 404", () => {
    const root = tempDir()
    const dist = path.join(root, "dist-portal")
    fs.writeFileSync(path.join(root, "secret.txt"), "top secret")
    fs.mkdirSync(path.join(dist, "assets"), { recursive: true })
    fs.writeFileSync(path.join(dist, portalPageFile), page)
    fs.writeFileSync(path.join(dist, "assets", ".hidden"), "hidden")
    const { runs, build } = fakeBuild()
    return withServer({ distDir: dist, isStale: () => false, build }, async (port) => {
      for (const attempt of [
        "/assets/../../secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2e%2e%5c%2e%2e%5csecret.txt",
        "/assets/.hidden",
        "/assets/",
        "/assets/nope.js",
        `/assets/${encodeURIComponent(path.join(root, "secret.txt"))}`
      ]) {
        const reply = await get(port, attempt)
        expect(reply.status, attempt).not.toBe(200)
        expect(reply.body, attempt).not.toContain("top secret")
        expect(reply.body, attempt).not.toContain("hidden")
      }
      expect(runs).toHaveLength(0)
    })
  })

  it.effect("answers 503 while the build fails, and builds again on the next request", () => {
    const dist = path.join(tempDir(), "dist-portal")
    const failing = fakeBuild(true)
    const working = fakeBuild()
    let fail = true
    const build = (outDir: string) => (fail ? failing.build(outDir) : working.build(outDir))
    return withServer({ distDir: dist, isStale: () => buildIsStale(dist, []), build }, async (port) => {
      const refused = await get(port, "/")
      expect(refused.status).toBe(503)
      expect(JSON.parse(refused.body)).toMatchObject({ error: "PortalUnavailable" })
      expect(refused.body).toContain("vite exploded")
      expect(fs.existsSync(dist)).toBe(false)
      fail = false
      const served = await get(port, "/")
      expect(served.status).toBe(200)
      expect(working.runs).toHaveLength(1)
    })
  })
})

describe("buildIsStale", () => {
  it("is stale when the page is missing or any source is newer, fresh otherwise", () => {
    const root = tempDir()
    const dist = path.join(root, "dist")
    const src = path.join(root, "src")
    fs.mkdirSync(path.join(src, "deep"), { recursive: true })
    fs.writeFileSync(path.join(src, "deep", "a.ts"), "1")
    fs.writeFileSync(path.join(src, "deep", "a.test.ts"), "1")
    expect(buildIsStale(dist, [src])).toBe(true)
    fs.mkdirSync(dist)
    fs.writeFileSync(path.join(dist, portalPageFile), page)
    const t = Date.now() / 1000
    fs.utimesSync(path.join(dist, portalPageFile), t, t)
    fs.utimesSync(path.join(src, "deep", "a.ts"), t - 60, t - 60)
    fs.utimesSync(path.join(src, "deep", "a.test.ts"), t + 60, t + 60)
    expect(buildIsStale(dist, [src])).toBe(false)
    fs.utimesSync(path.join(src, "deep", "a.ts"), t + 60, t + 60)
    expect(buildIsStale(dist, [src])).toBe(true)
  })
})

describe("assetFile", () => {
  it("maps plain names inside the directory and nothing else", () => {
    const dir = path.resolve("/srv/portal/assets")
    expect(assetFile(dir, "portal-1.js")).toBe(path.join(dir, "portal-1.js"))
    expect(assetFile(dir, "fonts/a.woff2")).toBe(path.join(dir, "fonts", "a.woff2"))
    for (const bad of ["", "..", "../x", "a/../../x", "/etc/passwd", "a\\..\\x", ".env", "a//b", "a/./b", "x\u0000.js"]) {
      expect(assetFile(dir, bad), bad).toBeNull()
    }
  })
})
