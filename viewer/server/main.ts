// `npm run view -- DIR [--port N] [--run NAME]`: serves the results explorer on a results directory
// (one run, or a directory of runs, e.g. results/) until Ctrl-C; --run picks the run whose address is printed.
import * as fs from "node:fs"
import { ensureViewerBuilt } from "./build.ts"
import { findRuns } from "./runs.ts"
import { startExplorer } from "./serve.ts"

const args = process.argv.slice(2)
const valueOf = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined)
const portAt = args.indexOf("--port")
const port = portAt >= 0 ? Number(args[portAt + 1]) : 5173
const flagValues = new Set(["--port", "--run"].map((f) => args.indexOf(f) + 1).filter((i) => i > 0))
const dir = args.find((a, i) => !a.startsWith("--") && !flagValues.has(i)) ?? "results"

if (!fs.existsSync(dir)) {
  console.error(`error: ${dir} does not exist; run a scenario first (npm run sim -- <scenario>)`)
  process.exit(1)
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`error: --port needs a port number, got ${args[portAt + 1]}`)
  process.exit(2)
}
const runs = findRuns(dir)
if (runs.length === 0) console.warn(`warning: no run (a directory with summary.json) in ${dir} yet`)
await ensureViewerBuilt()
const server = await startExplorer({ results: dir, port }).catch(() => startExplorer({ results: dir, port: 0 }))
const first = runs.find((r) => r.name === valueOf("--run")) ?? runs[0]
console.log(`\nresults explorer: ${server.url}${first ? `#/run/${encodeURIComponent(first.name)}` : ""}  (${runs.length} run${runs.length === 1 ? "" : "s"} in ${dir}; Ctrl-C to stop)`)
process.on("SIGINT", () => void server.close().then(() => process.exit(0)))
