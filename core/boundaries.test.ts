// core/ must stay pure: no operating system, no simulator, no live adapters, no viewer, and no
// hidden time or randomness. This test reads every core source file and fails on any breach.
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const coreDir = import.meta.dirname
const root = path.resolve(coreDir, "..")

const sourceFiles = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith(".ts") ? [p] : []
  })

const importsOf = (text: string): Array<string> =>
  [...text.matchAll(/(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!
  )

const allowedPackages = ["effect", "fast-check", "@effect/vitest", "vitest", "simple-statistics", "ml-random-forest"]
// This test itself needs the file system to read the sources.
const self = path.join(coreDir, "boundaries.test.ts")

export const boundaryViolations = (files: ReadonlyArray<string>, read: (f: string) => string): Array<string> => {
  const found: Array<string> = []
  for (const file of files) {
    const text = read(file)
    const rel = path.relative(root, file)
    for (const spec of importsOf(text)) {
      if (spec.startsWith(".")) {
        const target = path.resolve(path.dirname(file), spec)
        if (!target.startsWith(coreDir + path.sep)) found.push(`${rel} imports ${spec}, outside core/`)
      } else if (spec.startsWith("node:")) {
        found.push(`${rel} imports ${spec}`)
      } else {
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!
        if (!allowedPackages.includes(pkg)) found.push(`${rel} imports package ${spec}, not allowed in core/`)
      }
    }
    const code = text.replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "")
    for (const banned of ["Date.now", "new Date(", "Math.random", "setTimeout", "setInterval", "performance.now", "process."]) {
      if (code.includes(banned)) found.push(`${rel} uses ${banned}: time, randomness and the process are services`)
    }
  }
  return found
}

describe("core boundaries", () => {
  it("core imports only effect and small libraries, never node:*, sim/, live/, viewer/, bench/ or scenarios/", () => {
    const files = sourceFiles(coreDir).filter((f) => f !== self)
    expect(files.length).toBeGreaterThan(10)
    expect(boundaryViolations(files, (f) => fs.readFileSync(f, "utf8"))).toEqual([])
  })

  it("the check catches each kind of breach", () => {
    const fake = path.join(coreDir, "x", "bad.ts")
    const sources: Record<string, string> = {
      [fake]: [
        `import * as fs from "node:fs"`,
        `import { runWorld } from "../../sim/world/World.ts"`,
        `import { thing } from "../../live/agent.ts"`,
        `export { x } from "../../viewer/chart.ts"`,
        `import lit from "lit"`,
        `const t = Date.now() + Math.random()`,
        `setTimeout(() => 1, 5)`
      ].join("\n")
    }
    const v = boundaryViolations([fake], (f) => sources[f]!)
    expect(v).toHaveLength(8)
    expect(v.join("\n")).toMatch(/node:fs/)
    expect(v.join("\n")).toMatch(/sim\/world/)
    expect(v.join("\n")).toMatch(/live\/agent/)
    expect(v.join("\n")).toMatch(/viewer\/chart/)
    expect(v.join("\n")).toMatch(/package lit/)
  })
})
