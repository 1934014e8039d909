// The explorer's production build: how long vite takes and what a reader downloads (raw and gzip).
import * as fs from "node:fs"
import * as path from "node:path"
import { gzipSync } from "node:zlib"

const viewerDir = path.resolve(import.meta.dirname, "..", "viewer")

export const benchViewerBuild = async () => {
  const { build } = await import("vite")
  const started = performance.now()
  await build({ configFile: path.join(viewerDir, "vite.config.ts"), logLevel: "warn" })
  const buildS = (performance.now() - started) / 1000
  const dist = path.join(viewerDir, "dist")
  const files: Record<string, { bytes: number; gzipBytes: number }> = {}
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else {
        const data = fs.readFileSync(p)
        files[path.relative(dist, p)] = { bytes: data.length, gzipBytes: gzipSync(data).length }
      }
    }
  }
  walk(dist)
  const total = Object.values(files).reduce((t, f) => ({ bytes: t.bytes + f.bytes, gzipBytes: t.gzipBytes + f.gzipBytes }), { bytes: 0, gzipBytes: 0 })
  return { buildS: Math.round(buildS * 10) / 10, totalKiB: Math.round(total.bytes / 1024), totalGzipKiB: Math.round(total.gzipBytes / 1024), files }
}
