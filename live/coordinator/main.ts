// `tsx live/coordinator/main.ts --data-dir D [--host H] [--api-port P] [--agent-port P] [--join-port P]
//  [--policy NAME] [--seed N] [--signup-grant CREDITS] [--heartbeat-timeout-ms MS] [--repair-interval-ms MS] [--audit-interval-ms MS]`: the coordinator daemon. When it serves,
// it prints one JSON line on stdout (the API address, agent and join ports, the operator's token);
// logs go to stderr. SIGINT or SIGTERM closes everything and exits 0.
import { parseArgs } from "node:util"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Logger } from "effect"
import { runCoordinatorDaemon } from "./daemon.ts"

const usage = `usage: coordinator --data-dir DIR [--host 127.0.0.1] [--api-port 0] [--agent-port 0] [--join-port 0] [--policy easy] [--seed N] [--signup-grant 100] [--heartbeat-timeout-ms 10000] [--repair-interval-ms 5000] [--audit-interval-ms 30000]`

const fail = (message: string): never => {
  process.stderr.write(`coordinator: ${message}\n${usage}\n`)
  process.exit(2)
}

const port = (name: string, value: string | undefined): number => {
  if (value === undefined) return 0
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`--${name} must be a port number (0-65535), got ${value}`)
  return n
}

let parsed: ReturnType<typeof parseArgs<{ options: Record<string, { type: "string" }> }>>
try {
  parsed = parseArgs({
    options: Object.fromEntries(["data-dir", "host", "api-port", "agent-port", "join-port", "policy", "seed", "signup-grant", "heartbeat-timeout-ms", "repair-interval-ms", "audit-interval-ms"].map((k) => [k, { type: "string" as const }])),
    strict: true
  })
} catch (e) {
  fail(e instanceof Error ? e.message : String(e))
}
const v = parsed!.values
const dataDir = v["data-dir"] ?? fail("--data-dir is required")
const seed = v.seed === undefined ? undefined : Number(v.seed)
if (seed !== undefined && !Number.isSafeInteger(seed)) fail(`--seed must be an integer, got ${v.seed}`)
const signupGrantCredits = v["signup-grant"] === undefined ? undefined : Number(v["signup-grant"])
if (signupGrantCredits !== undefined && !(Number.isFinite(signupGrantCredits) && signupGrantCredits >= 0)) fail(`--signup-grant must be a number of credits, at least 0, got ${v["signup-grant"]}`)
const heartbeatTimeoutMs = v["heartbeat-timeout-ms"] === undefined ? 10_000 : Number(v["heartbeat-timeout-ms"])
if (!(heartbeatTimeoutMs >= 1000)) fail(`--heartbeat-timeout-ms must be at least 1000, got ${v["heartbeat-timeout-ms"]}`)

const interval = (name: string, fallback: number): number => {
  const raw = v[name]
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 100) fail(`--${name} must be a whole number of ms, at least 100, got ${raw}`)
  return n
}
const repairIntervalMs = interval("repair-interval-ms", 5000)
const auditIntervalMs = interval("audit-interval-ms", 30_000)

const program = Effect.gen(function* () {
  const ready = yield* runCoordinatorDaemon({
    dataDir,
    host: v.host ?? "127.0.0.1",
    apiPort: port("api-port", v["api-port"]),
    agentPort: port("agent-port", v["agent-port"]),
    joinPort: port("join-port", v["join-port"]),
    policy: v.policy ?? "easy",
    ...(seed !== undefined ? { seed } : {}),
    ...(signupGrantCredits !== undefined ? { signupGrantCredits } : {}),
    heartbeatTimeoutMs,
    repairIntervalMs,
    auditIntervalMs
  })
  yield* Console.log(JSON.stringify({ ready: true, ...ready }))
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  Effect.tapErrorCause((cause) => Effect.logError("coordinator stopped", cause)),
  Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)))
)

NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
