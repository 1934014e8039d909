// The storage-durability target as a whole process: `npm run sim -- storage-durability` (a year of
// 1,000,000 objects on 5,000 churning nodes, four redundancy configurations) must finish in under
// 5 minutes on a 2-core machine. Records wall time, peak memory and the headline durability figures.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const wallSMax = 300

export const benchStorageDurability = (smoke: boolean) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-storage-"))
  const usage = path.join(out, "usage.json")
  const args = ["run", "sim", "--", "storage-durability", "--out", out, ...(smoke ? ["--scale", "0.02"] : [])]
  const started = performance.now()
  const r = spawnSync("npm", args, { cwd: root, encoding: "utf8", env: { ...process.env, CROWDCLOUD_USAGE_JSON: usage } })
  const wallS = (performance.now() - started) / 1000
  if (r.status !== 0) throw new Error(`npm ${args.join(" ")} failed:\n${r.stderr}`)
  const { maxRssKiB } = JSON.parse(fs.readFileSync(usage, "utf8"))
  const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"))
  fs.rmSync(out, { recursive: true, force: true })
  const configurations = Object.fromEntries(
    Object.entries(summary.storage as Record<string, { objectsLost: number; readAvailability: number; repairBytes: number; events: number }>).map(([name, s]) => [
      name,
      { objectsLost: s.objectsLost, readAvailability: s.readAvailability, repairGiB: Math.round(s.repairBytes / 2 ** 30), events: s.events }
    ])
  )
  return {
    command: `npm ${args.filter((a) => a !== out && a !== "--out").join(" ")}`,
    objects: summary.parameters.objects.count,
    nodes: summary.parameters.nodes.count,
    wallS: Math.round(wallS * 10) / 10,
    peakMemoryMiB: Math.round(maxRssKiB / 1024),
    configurations,
    targets: { wallSMax },
    withinTargets: smoke ? null : wallS < wallSMax
  }
}
