// Where the CLI finds the API and its token: flags, else CROWDCLOUD_API / CROWDCLOUD_TOKEN, else
// `${CROWDCLOUD_HOME:-~/.crowdcloud}/cli.json` (written by `crowdcloud live up`). Each value on its own,
// so a token from the environment may go with the address in cli.json.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { Effect, Schema } from "effect"
import type { Parsed } from "./args.ts"
import { LocalFileError, NotConfigured } from "./errors.ts"

export interface ApiConfig {
  /** Base URL, no trailing slash: `http://127.0.0.1:8080`. */
  readonly api: string
  readonly token: string
}

const CliFile = Schema.Struct({ api: Schema.optional(Schema.String), token: Schema.optional(Schema.String) })

export const crowdcloudHome = (env: NodeJS.ProcessEnv = process.env): string =>
  env["CROWDCLOUD_HOME"] !== undefined && env["CROWDCLOUD_HOME"] !== "" ? env["CROWDCLOUD_HOME"] : join(homedir(), ".crowdcloud")

export const cliConfigFile = (env: NodeJS.ProcessEnv = process.env): string => join(crowdcloudHome(env), "cli.json")

const readCliFile = (file: string): Effect.Effect<typeof CliFile.Type, LocalFileError> =>
  Effect.tryPromise({ try: () => readFile(file, "utf8"), catch: (e) => e as NodeJS.ErrnoException }).pipe(
    Effect.catchAll((e) => e.code === "ENOENT" ? Effect.succeed("{}") : Effect.fail(new LocalFileError({ path: file, action: "read", reason: e.message }))),
    Effect.flatMap((text) =>
      Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => new LocalFileError({ path: file, action: "read", reason: "it is not JSON" }) })),
    Effect.flatMap((json) =>
      Schema.decodeUnknown(CliFile)(json).pipe(Effect.mapError(() => new LocalFileError({ path: file, action: "read", reason: "expected { \"api\": string, \"token\": string }" }))))
  )

const present = (value: string | undefined): string | undefined => value === undefined || value.trim() === "" ? undefined : value.trim()

export const resolveConfig = (parsed: Parsed, env: NodeJS.ProcessEnv = process.env): Effect.Effect<ApiConfig, NotConfigured | LocalFileError> =>
  Effect.gen(function* () {
    const file = cliConfigFile(env)
    let api = present(parsed.strings["api"]) ?? present(env["CROWDCLOUD_API"])
    let token = present(parsed.strings["token"]) ?? present(env["CROWDCLOUD_TOKEN"])
    if (api === undefined || token === undefined) {
      const saved = yield* readCliFile(file)
      api ??= present(saved.api)
      token ??= present(saved.token)
    }
    if (api === undefined) return yield* Effect.fail(new NotConfigured({ missing: "API address", configFile: file }))
    if (token === undefined) return yield* Effect.fail(new NotConfigured({ missing: "API token", configFile: file }))
    return { api: api.replace(/\/+$/, ""), token }
  })

/** Writes cli.json (0600: it holds the token) atomically. */
export const saveConfig = (config: ApiConfig, env: NodeJS.ProcessEnv = process.env): Effect.Effect<string, LocalFileError> => {
  const file = cliConfigFile(env)
  return Effect.tryPromise({
    try: async () => {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 })
      await writeFile(`${file}.tmp`, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
      await rename(`${file}.tmp`, file)
      return file
    },
    catch: (e) => new LocalFileError({ path: file, action: "write", reason: e instanceof Error ? e.message : String(e) })
  })
}
