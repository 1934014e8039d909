// Loads a scenario by name (scenarios/<name>.json) or by path, decodes it, checks what the
// schema cannot (regions that exist, jobs that fit some node), and applies command-line overrides.
import { Data, Effect, Either, ParseResult, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Scenario } from "./schema.ts"
import { checkStorageScenario, scaleStorageInput, StorageScenario } from "./storageSchema.ts"

export const scenariosDir = path.resolve(import.meta.dirname)

export interface ScenarioIssue {
  readonly path: string
  readonly message: string
}

export class ScenarioInvalid extends Data.TaggedError("ScenarioInvalid")<{
  readonly source: string
  readonly issues: ReadonlyArray<ScenarioIssue>
}> {
  override get message() {
    return `invalid scenario ${this.source}:\n` + this.issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}`).join("\n")
  }
}

export class ScenarioNotFound extends Data.TaggedError("ScenarioNotFound")<{
  readonly name: string
  readonly known: ReadonlyArray<string>
}> {
  override get message() {
    return `no scenario "${this.name}": not a file, and not one of ${this.known.join(", ")}`
  }
}

export interface ScenarioOverrides {
  readonly seed?: number | undefined
  readonly scale?: number | undefined
  readonly policies?: ReadonlyArray<string> | undefined
}

export const knownScenarios = (): ReadonlyArray<string> =>
  fs.readdirSync(scenariosDir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort()

const formatPath = (p: ReadonlyArray<PropertyKey>): string =>
  p.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), "")

/** Decodes an unknown value as a scenario; `source` names it in errors; relative paths resolve against `baseDir`. */
export const decodeScenario = (
  input: unknown,
  source: string,
  baseDir: string,
  overrides: ScenarioOverrides = {}
): Either.Either<Scenario, ScenarioInvalid> => {
  const withOverrides = applyOverrides(input, overrides)
  const decoded = Schema.decodeUnknownEither(Scenario, { errors: "all", onExcessProperty: "error" })(withOverrides)
  if (Either.isLeft(decoded)) {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((i) => ({
      path: formatPath(i.path),
      message: i.message
    }))
    return Either.left(new ScenarioInvalid({ source, issues }))
  }
  const scenario = resolvePaths(decoded.right, baseDir)
  const issues = checkScenario(scenario)
  return issues.length > 0 ? Either.left(new ScenarioInvalid({ source, issues })) : Either.right(scenario)
}

/**
 * `--scale F` multiplies the node count and, for synthetic workloads, the job count and the arrival
 * rate (so the offered load stays the same). A trace replay keeps its machine; F < 1 takes that fraction of its jobs.
 */
const applyOverrides = (input: unknown, o: ScenarioOverrides): unknown => {
  if (typeof input !== "object" || input === null) return input
  const s = { ...(input as Record<string, any>) }
  if (o.seed !== undefined) s.seed = o.seed
  if (o.policies !== undefined && o.policies.length > 0) s.policies = [...o.policies]
  const f = o.scale
  if (f !== undefined && f !== 1) {
    if (typeof s.nodes === "object" && s.nodes !== null && typeof s.nodes.count === "number" && s.nodes.count > 1) {
      s.nodes = { ...s.nodes, count: Math.max(1, Math.round(s.nodes.count * f)) }
    }
    if (typeof s.workload === "object" && s.workload !== null) {
      const w = { ...s.workload }
      if (w.kind === "synthetic") {
        if (typeof w.jobs === "number") w.jobs = Math.max(1, Math.round(w.jobs * f))
        if (typeof w.arrivalRatePerS === "number" && typeof s.nodes?.count === "number") w.arrivalRatePerS = w.arrivalRatePerS * f
      } else if (w.kind === "swf" && f < 1) {
        w.fraction = (typeof w.fraction === "number" ? w.fraction : 1) * f
      }
      s.workload = w
    }
  }
  return s
}

const resolvePaths = (s: Scenario, baseDir: string): Scenario => {
  const churn = s.nodes.churn.kind === "trace" ? { ...s.nodes.churn, path: path.resolve(baseDir, s.nodes.churn.path) } : s.nodes.churn
  const workload = s.workload.kind === "swf" ? { ...s.workload, path: path.resolve(baseDir, s.workload.path) } : s.workload
  return { ...s, nodes: { ...s.nodes, churn }, workload }
}

export const checkScenario = (s: Scenario): Array<ScenarioIssue> => {
  const issues: Array<ScenarioIssue> = []
  const regions = new Set(s.nodes.regions)
  s.failures.forEach((f, i) => {
    if (f.kind !== "kill-fraction" && !regions.has(f.region)) {
      issues.push({ path: `failures[${i}].region`, message: `unknown region "${f.region}"; regions are ${s.nodes.regions.join(", ")}` })
    }
  })
  s.nodes.classes.forEach((c, i) => {
    if (c.speedMin > c.speedMax) issues.push({ path: `nodes.classes[${i}].speedMin`, message: `speedMin ${c.speedMin} exceeds speedMax ${c.speedMax}` })
  })
  if (s.workload.kind === "synthetic") {
    const w = s.workload
    w.shapes.forEach((shape, i) => {
      const fitsSome = s.nodes.classes.some((c) => shape.vcpus <= c.vcpus && shape.memoryMiB <= c.memoryMiB && shape.diskMiB <= c.diskMiB)
      if (!fitsSome) issues.push({ path: `workload.shapes[${i}]`, message: `a job of ${shape.vcpus} vCPU / ${shape.memoryMiB} MiB / ${shape.diskMiB} MiB disk fits no node class` })
    })
    if (w.overestimate.min > w.overestimate.max) issues.push({ path: "workload.overestimate", message: "min exceeds max" })
    if (w.runtime.kind === "pareto" && w.runtime.minS >= w.runtime.maxS) issues.push({ path: "workload.runtime.maxS", message: "maxS must exceed minS" })
  }
  if (s.network.latencyMsMin > s.network.latencyMsMax) issues.push({ path: "network.latencyMsMin", message: "exceeds latencyMsMax" })
  if (s.coordinator.heartbeatTimeoutS <= s.coordinator.heartbeatIntervalS) {
    issues.push({ path: "coordinator.heartbeatTimeoutS", message: "must exceed heartbeatIntervalS, or every node times out" })
  }
  for (const [p, file] of [["nodes.churn.path", s.nodes.churn.kind === "trace" ? s.nodes.churn.path : undefined], ["workload.path", s.workload.kind === "swf" ? s.workload.path : undefined]] as const) {
    if (file !== undefined && !fs.existsSync(file)) issues.push({ path: p, message: `file not found: ${file}` })
  }
  return issues
}

/** Loads `nameOrPath`: a file path if one exists there, else a named scenario from scenarios/. */
export const loadScenario = (
  nameOrPath: string,
  overrides: ScenarioOverrides = {}
): Effect.Effect<Scenario, ScenarioInvalid | ScenarioNotFound> =>
  Effect.flatMap(readScenarioFile(nameOrPath), ({ file, json }) => decodeScenario(json, file, path.dirname(file), overrides))

const readScenarioFile = (nameOrPath: string): Effect.Effect<{ file: string; json: unknown }, ScenarioInvalid | ScenarioNotFound> =>
  Effect.suspend((): Effect.Effect<{ file: string; json: unknown }, ScenarioInvalid | ScenarioNotFound> => {
    const asFile = path.resolve(nameOrPath)
    const named = path.join(scenariosDir, `${nameOrPath}.json`)
    const file = fs.existsSync(asFile) && fs.statSync(asFile).isFile() ? asFile : fs.existsSync(named) ? named : undefined
    if (file === undefined) return Effect.fail(new ScenarioNotFound({ name: nameOrPath, known: knownScenarios() }))
    try {
      return Effect.succeed({ file, json: JSON.parse(fs.readFileSync(file, "utf8")) as unknown })
    } catch (e) {
      return Effect.fail(new ScenarioInvalid({ source: file, issues: [{ path: "", message: `not valid JSON: ${(e as Error).message}` }] }))
    }
  })

/** Decodes a storage scenario (`"kind": "storage"`); `--seed` and `--scale` apply, policies do not. */
export const decodeStorageScenario = (
  input: unknown,
  source: string,
  overrides: ScenarioOverrides = {}
): Either.Either<StorageScenario, ScenarioInvalid> => {
  let s = input
  if (typeof input === "object" && input !== null) {
    const o: Record<string, any> = { ...(input as Record<string, any>) }
    if (overrides.seed !== undefined) o.seed = overrides.seed
    s = overrides.scale !== undefined && overrides.scale !== 1 ? scaleStorageInput(o, overrides.scale) : o
  }
  if (overrides.policies !== undefined && overrides.policies.length > 0) {
    return Either.left(new ScenarioInvalid({ source, issues: [{ path: "policies", message: "a storage scenario runs no job policies; drop --policy" }] }))
  }
  const decoded = Schema.decodeUnknownEither(StorageScenario, { errors: "all", onExcessProperty: "error" })(s)
  if (Either.isLeft(decoded)) {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((i) => ({ path: formatPath(i.path), message: i.message }))
    return Either.left(new ScenarioInvalid({ source, issues }))
  }
  const issues = checkStorageScenario(decoded.right)
  return issues.length > 0 ? Either.left(new ScenarioInvalid({ source, issues })) : Either.right(decoded.right)
}

/** Loads a job scenario or a storage scenario, by the file's `kind`. */
export const loadAnyScenario = (
  nameOrPath: string,
  overrides: ScenarioOverrides = {}
): Effect.Effect<Scenario | StorageScenario, ScenarioInvalid | ScenarioNotFound> =>
  Effect.flatMap(readScenarioFile(nameOrPath), ({ file, json }): Either.Either<Scenario | StorageScenario, ScenarioInvalid> =>
    (json as { kind?: unknown } | null)?.kind === "storage"
      ? decodeStorageScenario(json, file, overrides)
      : decodeScenario(json, file, path.dirname(file), overrides))
