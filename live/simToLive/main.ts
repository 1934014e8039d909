// `npm run sim-to-live [-- --out DIR] [--jobs N] [--scenario NAME|PATH] [--warm-pool N]`: runs the
// sim-to-live comparison (default scenario live-small) and prints the side-by-side table.
import { Cause, Effect, Exit } from "effect"
import { parseArgs } from "node:util"
import { formatTable } from "./report.ts"
import { runSimToLive } from "./simToLive.ts"

const usage = "usage: npm run sim-to-live [-- --out DIR] [--jobs N] [--scenario NAME|PATH] [--warm-pool N]"

const positiveInt = (name: string, raw: string | undefined, min: number): number | undefined => {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number of at least ${min}, got ${raw}\n${usage}`)
    process.exit(2)
  }
  return n
}

let values: Record<string, string | undefined>
try {
  values = parseArgs({ options: { out: { type: "string" }, jobs: { type: "string" }, scenario: { type: "string" }, "warm-pool": { type: "string" } }, strict: true }).values
} catch (e) {
  console.error(`${(e as Error).message}\n${usage}`)
  process.exit(2)
}
const jobs = positiveInt("jobs", values.jobs, 1)
const warmPool = positiveInt("warm-pool", values["warm-pool"], 0)

const exit = await Effect.runPromiseExit(runSimToLive({
  ...(values.out !== undefined ? { outDir: values.out } : {}),
  ...(values.scenario !== undefined ? { scenario: values.scenario } : {}),
  ...(jobs !== undefined ? { jobs } : {}),
  ...(warmPool !== undefined ? { warmPool } : {}),
  log: (line) => console.log(line)
}))
if (Exit.isSuccess(exit)) {
  const { comparison, reportFile, summaryFile } = exit.value
  console.log()
  console.log(formatTable(comparison, "text"))
  console.log()
  console.log(`report: ${reportFile}\nsummary: ${summaryFile}`)
} else {
  const failure = Cause.failureOption(exit.cause)
  console.error(failure._tag === "Some" ? `error: ${failure.value.message}` : Cause.pretty(exit.cause))
  process.exitCode = 1
}
