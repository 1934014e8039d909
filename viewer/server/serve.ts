// The explorer's HTTP server: the built page, the list of runs, and each run's result files.
// Read-only, loopback by default, and only the known result file names are served.
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { describeRun, findRuns } from "./runs.ts"

export const distDir = path.resolve(import.meta.dirname, "..", "dist")

const resultFiles = new Map([
  ["summary.json", "application/json"],
  ["distributions.json", "application/json"],
  ["timeseries.csv", "text/csv; charset=utf-8"],
  ["jobs.csv", "text/csv; charset=utf-8"]
])

const staticTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json"
}

export interface ExplorerServer {
  readonly url: string
  readonly close: () => Promise<void>
}

export interface ExplorerOptions {
  /** A run directory, or a directory of run directories. */
  readonly results: string
  readonly port?: number
  readonly host?: string
}

const send = (res: http.ServerResponse, status: number, type: string, body: string) => {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" })
  res.end(body)
}

const sendFile = (res: http.ServerResponse, file: string, type: string) => {
  const stream = fs.createReadStream(file)
  stream.on("open", () => {
    res.writeHead(200, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" })
    stream.pipe(res)
  })
  stream.on("error", () => send(res, 404, "application/json", JSON.stringify({ error: `${path.basename(file)} not found` })))
}

export const startExplorer = (options: ExplorerOptions): Promise<ExplorerServer> => {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "application/json", JSON.stringify({ error: "read-only" }))
    const url = new URL(req.url ?? "/", "http://localhost")
    const parts = url.pathname.split("/").filter((p) => p.length > 0).map(decodeURIComponent)
    if (parts[0] === "api" && parts[1] === "runs" && parts.length === 2) {
      // Looked up on every request so runs written while the server is up appear.
      return send(res, 200, "application/json", JSON.stringify(findRuns(options.results).map(describeRun)))
    }
    if (parts[0] === "runs" && parts.length === 3) {
      const run = findRuns(options.results).find((r) => r.name === parts[1])
      const type = resultFiles.get(parts[2]!)
      if (run === undefined) return send(res, 404, "application/json", JSON.stringify({ error: `no run named ${parts[1]}` }))
      if (type === undefined) return send(res, 404, "application/json", JSON.stringify({ error: `${parts[2]} is not a result file` }))
      return sendFile(res, path.join(run.dir, parts[2]!), type)
    }
    const rel = parts.length === 0 ? "index.html" : parts.join("/")
    const file = path.resolve(distDir, rel)
    if (!file.startsWith(distDir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      return parts.length === 0 || !rel.includes(".") ? sendFile(res, path.join(distDir, "index.html"), staticTypes[".html"]!) : send(res, 404, "text/plain", "not found")
    }
    return sendFile(res, file, staticTypes[path.extname(file)] ?? "application/octet-stream")
  }
  const server = http.createServer(handler)
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://${options.host ?? "127.0.0.1"}:${port}/`,
        close: () => new Promise((done) => server.close(() => done()))
      })
    })
  })
}
