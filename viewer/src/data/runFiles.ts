// Reading a run's result files in the browser: each is decoded at the boundary, and a missing or
// malformed file becomes a ResultsFileError naming the file and what is wrong with it.
import { csvParse } from "d3"
import { Data, Effect, Either, ParseResult, Schema } from "effect"

export class ResultsFileError extends Data.TaggedError("ResultsFileError")<{
  readonly file: string
  readonly problem: string
}> {
  override get message() {
    return `${this.file}: ${this.problem}`
  }
}

const Distribution4 = Schema.Struct({ mean: Schema.Number, p50: Schema.Number, p95: Schema.Number, p99: Schema.Number })

export const PolicySummary = Schema.Struct({
  jobs: Schema.Number,
  completionTime: Distribution4,
  wait: Distribution4,
  boundedSlowdown: Distribution4,
  makespan: Schema.Number,
  utilisation: Schema.Number,
  goodput: Schema.Number,
  retried: Schema.Number,
  lost: Schema.Number
})
export type PolicySummary = typeof PolicySummary.Type

/** Storage durability per redundancy configuration (`rep3`, `rs4+2`, …), when the run simulated storage. */
export const StorageSummary = Schema.Record({
  key: Schema.String,
  value: Schema.Struct({ objectsLost: Schema.Number, readAvailability: Schema.Number, repairBytes: Schema.Number })
})

export const RunSummary = Schema.Struct({
  scenario: Schema.String,
  seed: Schema.Number,
  version: Schema.String,
  parameters: Schema.optional(Schema.Unknown),
  policies: Schema.Record({ key: Schema.String, value: PolicySummary }),
  storage: Schema.optional(StorageSummary)
})
export type RunSummary = typeof RunSummary.Type

const CdfPoints = Schema.Array(Schema.Tuple(Schema.Number, Schema.Number))

export const RunDistributions = Schema.Struct({
  policies: Schema.Record({
    key: Schema.String,
    value: Schema.Struct({
      completionTimeS: CdfPoints,
      waitS: CdfPoints,
      boundedSlowdown: Schema.Struct({ edges: Schema.Array(Schema.NullOr(Schema.Number)), counts: Schema.Array(Schema.Number) })
    })
  })
})
export type RunDistributions = typeof RunDistributions.Type

export interface TimePoint {
  readonly policy: string
  readonly timeS: number
  readonly nodesOnline: number
  readonly vcpusOnline: number
  readonly vcpusAllocated: number
  readonly utilisation: number
  readonly queued: number
  readonly active: number
}

export interface RunData {
  readonly name: string
  readonly summary: RunSummary
  readonly distributions: RunDistributions
  readonly timeseries: ReadonlyArray<TimePoint>
}

const decodeJson = <A, I>(schema: Schema.Schema<A, I>, file: string, text: string): Either.Either<A, ResultsFileError> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return Either.left(new ResultsFileError({ file, problem: `not valid JSON (${(e as Error).message})` }))
  }
  return Either.mapLeft(Schema.decodeUnknownEither(schema)(json), (e) => {
    const first = ParseResult.ArrayFormatter.formatErrorSync(e)[0]
    const where = first?.path.map(String).join(".") ?? ""
    return new ResultsFileError({ file, problem: `${where ? `at ${where}: ` : ""}${first?.message ?? "does not match the expected shape"}` })
  })
}

export const decodeSummary = (text: string, file = "summary.json") => decodeJson(RunSummary, file, text)
export const decodeDistributions = (text: string, file = "distributions.json") => decodeJson(RunDistributions, file, text)

const seriesColumns = ["policy", "time_s", "nodes_online", "vcpus_online", "vcpus_allocated", "utilisation", "queued", "active"] as const

export const decodeTimeseries = (text: string, file = "timeseries.csv"): Either.Either<ReadonlyArray<TimePoint>, ResultsFileError> => {
  const rows = csvParse(text)
  const missing = seriesColumns.filter((c) => !rows.columns.includes(c))
  if (missing.length > 0) return Either.left(new ResultsFileError({ file, problem: `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}` }))
  const out: Array<TimePoint> = []
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!
    const n = (c: (typeof seriesColumns)[number]) => Number(r[c])
    const p: TimePoint = {
      policy: r.policy ?? "",
      timeS: n("time_s"),
      nodesOnline: n("nodes_online"),
      vcpusOnline: n("vcpus_online"),
      vcpusAllocated: n("vcpus_allocated"),
      utilisation: n("utilisation"),
      queued: n("queued"),
      active: n("active")
    }
    const bad = seriesColumns.slice(1).find((c) => r[c] === "" || !Number.isFinite(n(c)))
    if (p.policy === "" || bad !== undefined) {
      return Either.left(new ResultsFileError({ file, problem: `line ${i + 2}: ${bad === undefined ? "no policy" : `${bad} is not a number ("${r[bad] ?? ""}")`}` }))
    }
    out.push(p)
  }
  return Either.right(out)
}

const fetchText = (url: string, file: string): Effect.Effect<string, ResultsFileError> =>
  Effect.tryPromise({
    try: async () => {
      const response = await fetch(url)
      if (!response.ok) throw new Error(response.status === 404 ? "missing (not found)" : `could not be read (HTTP ${response.status})`)
      return response.text()
    },
    catch: (e) => new ResultsFileError({ file, problem: (e as Error).message })
  })

/** Loads a run's files from `/runs/<name>/`. */
export const loadRun = (name: string, base = "runs"): Effect.Effect<RunData, ResultsFileError> =>
  Effect.gen(function* () {
    const url = (file: string) => `${base}/${encodeURIComponent(name)}/${file}`
    // Fetched together, but problems are reported in file order, so the first one named is stable.
    const [summaryText, distributionsText, seriesText] = yield* Effect.all(
      [fetchText(url("summary.json"), "summary.json"), fetchText(url("distributions.json"), "distributions.json"), fetchText(url("timeseries.csv"), "timeseries.csv")],
      { concurrency: 3, mode: "either" }
    )
    const summary = yield* Either.flatMap(summaryText, (t) => decodeSummary(t))
    const distributions = yield* Either.flatMap(distributionsText, (t) => decodeDistributions(t))
    const timeseries = yield* Either.flatMap(seriesText, (t) => decodeTimeseries(t))
    return { name, summary, distributions, timeseries }
  })

export interface RunListing {
  readonly name: string
  readonly scenario?: string
  readonly seed?: number
  readonly policies?: ReadonlyArray<string>
  readonly error?: string
}

export const loadRunList = (): Effect.Effect<ReadonlyArray<RunListing>, ResultsFileError> =>
  fetchText("api/runs", "the list of runs").pipe(Effect.map((t) => JSON.parse(t) as ReadonlyArray<RunListing>))
