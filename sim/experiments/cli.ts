// `npm run experiment -- scheduler [--quick] [--workers N] [--out DIR]` runs a named experiment.
import { Cause, Effect, Exit } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import { runExperiment } from "./scheduler/runExperiment.ts"
import { fullSize, quickSize } from "./scheduler/workloads.ts"

const experiments = ["scheduler"] as const

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [name, ...rest] = argv
  if (name === undefined || !(experiments as ReadonlyArray<string>).includes(name)) {
    console.error(`usage: npm run experiment -- <${experiments.join("|")}> [--quick] [--workers N] [--out DIR]\nunknown experiment: ${name ?? "(none)"}`)
    return 2
  }
  let quick = false
  let workers = Math.max(1, Math.min(os.availableParallelism(), 8))
  let out = path.join("results", "experiments", name)
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!
    if (a === "--quick") quick = true
    else if (a === "--workers" && /^[1-9][0-9]*$/.test(rest[i + 1] ?? "")) workers = Number(rest[++i])
    else if (a === "--out" && rest[i + 1] !== undefined) out = rest[++i]!
    else {
      console.error(`unknown or incomplete option: ${a} (options: --quick, --workers N, --out DIR)`)
      return 2
    }
  }
  const size = quick ? quickSize : fullSize
  console.log(`scheduler experiment (${quick ? "quick" : "full"} protocol) on ${workers} worker threads -> ${out}`)
  let last = 0
  const exit = await Effect.runPromiseExit(runExperiment({
    size,
    sizeName: quick ? "quick" : "full",
    outDir: out,
    workers,
    onProgress: (done, total) => {
      const pct = Math.floor((100 * done) / total)
      if (pct >= last + 10 || done === total) {
        last = pct
        console.log(`  ${done}/${total} cells`)
      }
    }
  }))
  if (Exit.isFailure(exit)) {
    console.error(Cause.pretty(exit.cause))
    return 1
  }
  const { cells, wallS } = exit.value
  console.log()
  for (const c of cells) {
    const r = c.ai.relativeChange
    console.log(`  ${c.workload.padEnd(22)} load ${String(c.load).padEnd(4)} best ${c.bestBaseline.padEnd(16)} ai ${(100 * r.estimate).toFixed(1).padStart(6)}% [${(100 * r.low).toFixed(1)}, ${(100 * r.high).toFixed(1)}]  p(Holm) ${c.ai.pValueHolm.toPrecision(2)}`)
  }
  console.log(`\nreport: ${path.join(out, "report.md")} (summary.json, runs.csv, cells.csv); ${wallS.toFixed(0)} s`)
  return 0
}

process.exitCode = await main(process.argv.slice(2))
