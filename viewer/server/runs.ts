// Finds the runs a directory holds: the directory itself when it has a summary.json, otherwise
// each sub-directory that has one. Runs are addressed by name; the name never becomes a path
// component the client controls.
import * as fs from "node:fs"
import * as path from "node:path"

export interface RunDir {
  readonly name: string
  readonly dir: string
}

export const findRuns = (dir: string): ReadonlyArray<RunDir> => {
  const abs = path.resolve(dir)
  if (fs.existsSync(path.join(abs, "summary.json"))) return [{ name: path.basename(abs), dir: abs }]
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) return []
  return fs
    .readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(abs, e.name, "summary.json")))
    .map((e) => ({ name: e.name, dir: path.join(abs, e.name) }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

/** What the explorer's run list shows: a glance at each summary, or the reason it cannot be read. */
export const describeRun = (run: RunDir): Record<string, unknown> => {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(run.dir, "summary.json"), "utf8"))
    return { name: run.name, scenario: s.scenario, seed: s.seed, version: s.version, policies: Object.keys(s.policies ?? {}) }
  } catch (e) {
    return { name: run.name, error: `summary.json: ${(e as Error).message}` }
  }
}
