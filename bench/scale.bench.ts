// The scale target as a whole process: `npm run sim -- scale-10k` (10,000 nodes, 1,000,000 jobs
// with churn) must finish in under 60 s wall and 2 GiB peak memory on a 2-core machine.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")

export const benchScale = (smoke: boolean) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-scale-"))
  const usage = path.join(out, "usage.json")
  const args = ["run", "sim", "--", "scale-10k", "--out", out, ...(smoke ? ["--scale", "0.05"] : [])]
  const started = performance.now()
  const r = spawnSync("npm", args, { cwd: root, encoding: "utf8", env: { ...process.env, CROWDCLOUD_USAGE_JSON: usage } })
  const wallS = (performance.now() - started) / 1000
  if (r.status !== 0) throw new Error(`npm ${args.join(" ")} failed:\n${r.stderr}`)
  const { maxRssKiB } = JSON.parse(fs.readFileSync(usage, "utf8"))
  const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"))
  const s = summary.policies.fcfs
  fs.rmSync(out, { recursive: true, force: true })
  const peakMemoryMiB = Math.round(maxRssKiB / 1024)
  return {
    command: `npm ${args.filter((a) => a !== out && a !== "--out").join(" ")}`,
    nodes: summary.parameters.nodes.count,
    jobs: s.jobs,
    events: s.events,
    wallS: Math.round(wallS * 10) / 10,
    peakMemoryMiB,
    eventsPerSecond: Math.round(s.events / wallS),
    targets: { wallSMax: 60, peakMemoryMiBMax: 2048 },
    withinTargets: smoke ? null : wallS < 60 && peakMemoryMiB < 2048
  }
}
