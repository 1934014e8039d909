// `npm run sim -- <scenario> ...` runs one scenario; `npm start` runs the flagship comparison.
// Errors are printed as the sentence their type carries; an unexpected failure prints the seed
// and the command that reproduces it.
import { Cause, Effect, Either, Exit } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { loadAnyScenario } from "../../scenarios/load.ts"
import { isStorageScenario } from "../../scenarios/storageSchema.ts"
import { runScenario } from "../runScenario.ts"
import { simulateStorage } from "../storage/simulateStorage.ts"
import { codeVersion } from "../version.ts"
import { parseSimArgs, type SimArgs } from "./args.ts"
import { formatTable } from "./table.ts"

export const flagshipScenario = "volunteer-churn"

const simulate = (args: SimArgs) =>
  Effect.gen(function* () {
    const scenario = yield* loadAnyScenario(args.scenario, { seed: args.seed, scale: args.scale, policies: args.policies })
    if (isStorageScenario(scenario)) return yield* simulateStorage(scenario, args.out, codeVersion())
    const outDir = path.resolve(args.out ?? path.join("results", scenario.name))
    const nodes = scenario.nodes.count
    const jobs = scenario.workload.kind === "synthetic" ? `${scenario.workload.jobs} jobs` : `trace ${path.basename(scenario.workload.path)}`
    console.log(`scenario ${scenario.name} (seed ${scenario.seed}): ${nodes} nodes, ${jobs}, policies ${scenario.policies.join(", ")}`)
    const started = performance.now()
    const summary = yield* runScenario(scenario, {
      outDir,
      version: codeVersion(),
      onPolicyDone: (policy, s, ms) =>
        console.log(`  ${policy.padEnd(16)} ${s.jobs} jobs, ${s.events} events in ${(ms / 1000).toFixed(1)} s`)
    })
    console.log()
    console.log(formatTable(summary.policies))
    console.log()
    console.log(`results in ${outDir} (summary.json, distributions.json, jobs.csv, timeseries.csv); ${((performance.now() - started) / 1000).toFixed(1)} s wall`)
    return summary
  })

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [command, ...rest] = argv
  const parsed = command === "flagship" ? parseSimArgs([flagshipScenario, ...rest]) : command === "run" ? parseSimArgs(rest) : parseSimArgs(argv)
  if (Either.isLeft(parsed)) {
    console.error(parsed.left.message)
    return 2
  }
  const exit = await Effect.runPromiseExit(simulate(parsed.right))
  if (Exit.isSuccess(exit)) return 0
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") {
    console.error(`error: ${failure.value.message}`)
    return 1
  }
  console.error(Cause.pretty(exit.cause))
  const a = parsed.right
  console.error(`\nthe run failed unexpectedly; reproduce with: npm run sim -- ${a.scenario}${a.seed !== undefined ? ` --seed ${a.seed}` : ""} (the scenario's seed is in it unless --seed was given)`)
  return 1
}

// Whole-process benchmarks ask the simulator to report its own peak memory when it exits.
const usageFile = process.env.CROWDCLOUD_USAGE_JSON
if (usageFile) {
  process.on("exit", () => {
    const u = process.resourceUsage()
    fs.writeFileSync(usageFile, JSON.stringify({ maxRssKiB: u.maxRSS, userCpuMs: u.userCPUTime / 1000, systemCpuMs: u.systemCPUTime / 1000 }))
  })
}

process.exitCode = await main(process.argv.slice(2))
