// Command-line arguments of `npm run sim`, parsed into a typed value or a clear error.
import { Data, Either } from "effect"

export class UsageError extends Data.TaggedError("UsageError")<{ readonly reason: string }> {
  override get message() {
    return `${this.reason}\nusage: npm run sim -- <scenario name or path.json> [--seed N] [--out DIR] [--policy NAME ...] [--scale F]`
  }
}

export interface SimArgs {
  readonly scenario: string
  readonly seed?: number | undefined
  readonly out?: string | undefined
  readonly policies: ReadonlyArray<string>
  readonly scale?: number | undefined
}

export const parseSimArgs = (argv: ReadonlyArray<string>): Either.Either<SimArgs, UsageError> => {
  let scenario: string | undefined
  let seed: number | undefined
  let out: string | undefined
  let scale: number | undefined
  const policies: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = (): string | undefined => argv[++i]
    if (arg === "--seed") {
      const v = value()
      if (v === undefined || !/^\d+$/.test(v)) return Either.left(new UsageError({ reason: `--seed needs a non-negative integer, got ${v ?? "nothing"}` }))
      seed = Number(v)
    } else if (arg === "--out") {
      out = value()
      if (out === undefined) return Either.left(new UsageError({ reason: "--out needs a directory" }))
    } else if (arg === "--scale") {
      const v = value()
      const f = Number(v)
      if (v === undefined || !Number.isFinite(f) || f <= 0) return Either.left(new UsageError({ reason: `--scale needs a positive number, got ${v ?? "nothing"}` }))
      scale = f
    } else if (arg === "--policy") {
      // Several may follow one flag (--policy fcfs easy) or the flag may repeat.
      let took = false
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith("--")) {
        policies.push(...argv[++i]!.split(",").filter((p) => p.length > 0))
        took = true
      }
      if (!took) return Either.left(new UsageError({ reason: "--policy needs a policy name" }))
    } else if (arg.startsWith("--")) {
      return Either.left(new UsageError({ reason: `unknown option ${arg}` }))
    } else if (scenario === undefined) {
      scenario = arg
    } else {
      return Either.left(new UsageError({ reason: `unexpected argument ${arg}` }))
    }
  }
  if (scenario === undefined) return Either.left(new UsageError({ reason: "no scenario given" }))
  return Either.right({ scenario, seed, out, policies, scale })
}
