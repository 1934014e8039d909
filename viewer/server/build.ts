// Builds the explorer with vite when its build is missing or older than its sources, so
// `npm start` and `npm run view` work straight after `npm install`.
import * as fs from "node:fs"
import * as path from "node:path"
import { distDir } from "./serve.ts"

const viewerDir = path.resolve(import.meta.dirname, "..")

const newest = (dir: string): number =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return e.name === "node_modules" ? t : Math.max(t, newest(p))
    return /\.test\.ts$/.test(e.name) ? t : Math.max(t, fs.statSync(p).mtimeMs)
  }, 0)

export const ensureViewerBuilt = async (): Promise<void> => {
  const index = path.join(distDir, "index.html")
  const sources = Math.max(newest(path.join(viewerDir, "src")), fs.statSync(path.join(viewerDir, "index.html")).mtimeMs)
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources) return
  const { build } = await import("vite")
  await build({ configFile: path.join(viewerDir, "vite.config.ts"), logLevel: "warn" })
}
