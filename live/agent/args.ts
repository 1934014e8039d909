// The agent daemon's command line, checked before anything starts: a bad flag is a message and exit 2.
import { parseArgs } from "node:util"
import { Either } from "effect"

export const agentUsage =
  "usage: tsx live/agent/main.ts --join HOST:JOINPORT --token T --data-dir D [--cpus N] [--memory MiB] [--disk MiB] " +
  "[--warm-pool N] [--region R] [--asking-price P] [--storage MiB] [--allow-network]\n" +
  "  (--join and --token are needed only until the agent has joined: its credentials are kept in D)"

export interface AgentArgs {
  readonly dataDir: string
  readonly join?: { readonly host: string; readonly joinPort: number; readonly token: string }
  readonly vcpus?: number
  readonly memoryMiB?: number
  readonly diskMiB?: number
  readonly warmPoolSize: number
  /** Disk lent for shards (under <data dir>/shards); default 1024 MiB. */
  readonly storageMiB: number
  readonly region?: string
  readonly askingPrice?: number
  readonly allowNetwork: boolean
  readonly help: boolean
}

const integer = (flag: string, text: string | undefined, min: number): Either.Either<number | undefined, string> => {
  if (text === undefined) return Either.right(undefined)
  const value = Number(text)
  return /^\d+$/.test(text) && Number.isSafeInteger(value) && value >= min
    ? Either.right(value)
    : Either.left(`${flag} must be an integer of at least ${min}, got ${JSON.stringify(text)}`)
}

/** `host:port`, `[v6]:port`. */
export const parseHostPort = (text: string): Either.Either<{ host: string; port: number }, string> => {
  const colon = text.lastIndexOf(":")
  const host = colon > 0 ? text.slice(0, colon).replace(/^\[(.*)\]$/, "$1") : ""
  const port = Number(text.slice(colon + 1))
  return host !== "" && /^\d+$/.test(text.slice(colon + 1)) && port >= 1 && port <= 65535
    ? Either.right({ host, port })
    : Either.left(`--join must be HOST:PORT (the coordinator's join port), got ${JSON.stringify(text)}`)
}

export const parseAgentArgs = (argv: ReadonlyArray<string>): Either.Either<AgentArgs, string> =>
  Either.gen(function* () {
    const { values } = yield* Either.try({
      try: () =>
        parseArgs({
          args: [...argv],
          strict: true,
          allowPositionals: false,
          options: {
            join: { type: "string" },
            token: { type: "string" },
            "data-dir": { type: "string" },
            cpus: { type: "string" },
            memory: { type: "string" },
            disk: { type: "string" },
            "warm-pool": { type: "string" },
            storage: { type: "string" },
            region: { type: "string" },
            "asking-price": { type: "string" },
            "allow-network": { type: "boolean" },
            help: { type: "boolean", short: "h" }
          }
        }),
      catch: (e) => (e instanceof Error ? e.message : String(e))
    })
    const help = values.help ?? false
    if (help) return { dataDir: "", warmPoolSize: 1, storageMiB: 1024, allowNetwork: false, help }
    const dataDir = values["data-dir"]
    if (dataDir === undefined || dataDir === "") return yield* Either.left("--data-dir is required")
    if (values.token !== undefined && values.join === undefined) return yield* Either.left("--token needs --join HOST:JOINPORT")
    if (values.token === "") return yield* Either.left("--token is empty")
    const join = values.join === undefined ? undefined : yield* parseHostPort(values.join)
    const vcpus = yield* integer("--cpus", values.cpus, 1)
    const memoryMiB = yield* integer("--memory", values.memory, 16)
    const diskMiB = yield* integer("--disk", values.disk, 8)
    const warmPoolSize = yield* integer("--warm-pool", values["warm-pool"], 0)
    const storageMiB = yield* integer("--storage", values.storage, 0)
    const region = values.region?.trim()
    if (region === "") return yield* Either.left("--region may not be empty")
    const priceText = values["asking-price"]
    const askingPrice = priceText === undefined ? undefined : Number(priceText)
    if (askingPrice !== undefined && !(Number.isFinite(askingPrice) && askingPrice >= 0 && priceText!.trim() !== "")) {
      return yield* Either.left(`--asking-price must be a non-negative number, got ${JSON.stringify(priceText)}`)
    }
    return {
      dataDir,
      ...(join !== undefined && values.token !== undefined ? { join: { host: join.host, joinPort: join.port, token: values.token } } : {}),
      ...(vcpus !== undefined ? { vcpus } : {}),
      ...(memoryMiB !== undefined ? { memoryMiB } : {}),
      ...(diskMiB !== undefined ? { diskMiB } : {}),
      warmPoolSize: warmPoolSize ?? 1,
      storageMiB: storageMiB ?? 1024,
      ...(region !== undefined ? { region } : {}),
      ...(askingPrice !== undefined ? { askingPrice } : {}),
      allowNetwork: values["allow-network"] ?? false,
      help
    }
  })
