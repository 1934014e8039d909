// Runs `npm run sim -- ARGS` as its own process and measures it as a user would: wall time, and the
// peak memory the simulator reports for itself when it exits (CROWDCLOUD_USAGE_JSON).
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")

export interface SimProcessRun {
  /** The command as a user would type it (without the temporary --out). */
  readonly command: string
  readonly wallS: number
  readonly peakMemoryMiB: number
  readonly summary: any
}

export const runSimProcess = (simArgs: ReadonlyArray<string>): SimProcessRun => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-bench-"))
  const usage = path.join(out, "usage.json")
  const args = ["run", "sim", "--", ...simArgs, "--out", out]
  const started = performance.now()
  const r = spawnSync("npm", args, { cwd: root, encoding: "utf8", env: { ...process.env, CROWDCLOUD_USAGE_JSON: usage } })
  const wallS = (performance.now() - started) / 1000
  if (r.status !== 0) throw new Error(`npm ${args.join(" ")} failed:\n${r.stderr}`)
  const { maxRssKiB } = JSON.parse(fs.readFileSync(usage, "utf8"))
  const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"))
  fs.rmSync(out, { recursive: true, force: true })
  return {
    command: `npm run sim -- ${simArgs.join(" ")}`,
    wallS: Math.round(wallS * 10) / 10,
    peakMemoryMiB: Math.round(maxRssKiB / 1024),
    summary
  }
}
