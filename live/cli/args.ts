// Flag parsing on node:util's parseArgs, with every problem a UsageError carrying the command's usage.
// A command's own arguments (after `--`) are split off first so that they are never read as flags.
import { parseArgs } from "node:util"
import { Effect } from "effect"
import { UsageError } from "./errors.ts"

export type FlagKind = "string" | "boolean" | "multiple"

export interface Parsed {
  readonly strings: Readonly<Record<string, string | undefined>>
  readonly booleans: Readonly<Record<string, boolean>>
  readonly lists: Readonly<Record<string, ReadonlyArray<string>>>
  readonly positionals: ReadonlyArray<string>
  /** What came after `--`, if there was one. */
  readonly rest: ReadonlyArray<string> | undefined
}

/** The flags every API command accepts. */
export const connectionFlags = { api: "string", token: "string" } as const satisfies Record<string, FlagKind>

export const parse = (argv: ReadonlyArray<string>, flags: Readonly<Record<string, FlagKind>>, usage: string): Effect.Effect<Parsed, UsageError> =>
  Effect.gen(function* () {
    const dashDash = argv.indexOf("--")
    const own = dashDash === -1 ? argv : argv.slice(0, dashDash)
    const rest = dashDash === -1 ? undefined : argv.slice(dashDash + 1)
    const options = Object.fromEntries(Object.entries(flags).map(([name, kind]) =>
      [name, kind === "multiple" ? { type: "string" as const, multiple: true } : { type: kind }]))
    const { values, positionals } = yield* Effect.try({
      try: () => parseArgs({ args: [...own], options, strict: true, allowPositionals: true }),
      catch: (e) => new UsageError({ problem: e instanceof Error ? e.message : String(e), usage })
    })
    const strings: Record<string, string | undefined> = {}
    const booleans: Record<string, boolean> = {}
    const lists: Record<string, ReadonlyArray<string>> = {}
    for (const [name, kind] of Object.entries(flags)) {
      const value = (values as Record<string, unknown>)[name]
      if (kind === "boolean") booleans[name] = value === true
      else if (kind === "multiple") lists[name] = (value as Array<string> | undefined) ?? []
      else strings[name] = value as string | undefined
    }
    return { strings, booleans, lists, positionals, rest }
  })

/** A whole number of at least `min`, or the default when the flag is absent. */
export const intFlag = (parsed: Parsed, name: string, min: number, usage: string, fallback?: number): Effect.Effect<number | undefined, UsageError> => {
  const text = parsed.strings[name]
  if (text === undefined) return Effect.succeed(fallback)
  const value = Number(text)
  return /^\d+$/.test(text) && Number.isSafeInteger(value) && value >= min
    ? Effect.succeed(value)
    : Effect.fail(new UsageError({ problem: `--${name} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`, usage }))
}

export const requireInt = (parsed: Parsed, name: string, min: number, usage: string, fallback: number): Effect.Effect<number, UsageError> =>
  Effect.map(intFlag(parsed, name, min, usage, fallback), (n) => n ?? fallback)

/** Exactly `names.length` positionals, else a usage error naming what is missing or extra. */
export const positionals = (parsed: Parsed, names: ReadonlyArray<string>, usage: string, optional = 0): Effect.Effect<ReadonlyArray<string>, UsageError> => {
  const got = parsed.positionals
  const needed = names.length - optional
  if (got.length < needed) return Effect.fail(new UsageError({ problem: `missing ${names.slice(got.length, needed).join(" and ")}`, usage }))
  if (got.length > names.length) return Effect.fail(new UsageError({ problem: `unexpected argument ${JSON.stringify(got[names.length])}`, usage }))
  return Effect.succeed(got)
}

export const usageError = (problem: string, usage: string) => Effect.fail(new UsageError({ problem, usage }))
