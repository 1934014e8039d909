// `crowdcloud live up`: a whole local cluster as real processes — the coordinator, then N agents, each
// with its own data directory — until Ctrl-C (or SIGTERM) stops the agents and then the coordinator.
// The coordinator's ports are kept in `<D>/live-up.json` and reused, so that agents restarted from their
// saved credentials find it where they joined it, and cli.json stays right.
import { access, mkdir, readFile, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { Effect, Schema } from "effect"
import { intFlag, parse, positionals, requireInt, usageError } from "./args.ts"
import { makeClient } from "./client.ts"
import { crowdcloudHome, saveConfig } from "./config.ts"
import { type Daemon, describeExit, startDaemon } from "./daemon.ts"
import { type CliError, DaemonFailed, LocalFileError } from "./errors.ts"
import { say } from "./output.ts"
import { usage } from "./usage.ts"

/** What the coordinator prints on stdout when it is ready (live-common.md). */
const CoordinatorReady = Schema.Struct({
  ready: Schema.Literal(true),
  api: Schema.String,
  agentPort: Schema.Int,
  joinPort: Schema.Int,
  adminToken: Schema.String
})
const AgentReady = Schema.Struct({ ready: Schema.Literal(true), nodeId: Schema.Int })

const SavedPorts = Schema.Struct({ apiPort: Schema.Int, agentPort: Schema.Int, joinPort: Schema.Int })
type SavedPorts = typeof SavedPorts.Type

const stopGraceMs = 20_000

/** The daemons' entry points, relative to the repository; `live up` tests put stand-ins there through the environment. */
const entryPoints = (env: NodeJS.ProcessEnv = process.env) => ({
  coordinator: env["CROWDCLOUD_COORDINATOR_ENTRY"] ?? "live/coordinator/main.ts",
  agent: env["CROWDCLOUD_AGENT_ENTRY"] ?? "live/agent/main.ts"
})

const exists = (path: string) => Effect.promise(() => access(path).then(() => true, () => false))

const loadPorts = (file: string) =>
  Effect.promise(() => readFile(file, "utf8").then((t) => Schema.decodeUnknownOption(Schema.parseJson(SavedPorts))(t), () => undefined)).pipe(
    Effect.map((o) => (o !== undefined && o._tag === "Some" ? o.value : undefined))
  )

const fileFailure = (path: string, action: string) => (e: unknown) => new LocalFileError({ path, action, reason: e instanceof Error ? e.message : String(e) })

const readyAs = <A, I>(daemon: Daemon, schema: Schema.Schema<A, I>, timeoutMs: number) =>
  Effect.flatMap(daemon.ready(timeoutMs), (line) =>
    Schema.decodeUnknown(schema)(line).pipe(
      Effect.mapError(() => new DaemonFailed({ daemon: daemon.name, reason: `printed a ready line the CLI does not understand: ${JSON.stringify(line)}`, logFile: daemon.logFile }))
    ))

export const liveUp = (argv: ReadonlyArray<string>): Effect.Effect<number, CliError> =>
  Effect.scoped(Effect.gen(function* () {
    const u = usage.liveUp
    const parsed = yield* parse(argv, {
      agents: "string", "data-dir": "string", "api-port": "string", host: "string", policy: "string", "warm-pool": "string",
      cpus: "string", memory: "string", disk: "string", storage: "string", "ready-timeout": "string", seed: "string"
    }, u)
    yield* positionals(parsed, [], u)
    if (parsed.strings["agents"] === undefined) return yield* usageError("missing --agents N", u)
    const agentCount = (yield* intFlag(parsed, "agents", 0, u))!
    const apiPortFlag = yield* intFlag(parsed, "api-port", 0, u)
    const warmPool = yield* intFlag(parsed, "warm-pool", 0, u)
    const cpus = yield* intFlag(parsed, "cpus", 1, u)
    const memory = yield* intFlag(parsed, "memory", 16, u)
    const disk = yield* intFlag(parsed, "disk", 8, u)
    const storage = yield* intFlag(parsed, "storage", 1, u)
    const seed = yield* intFlag(parsed, "seed", 0, u)
    const readyTimeoutMs = (yield* requireInt(parsed, "ready-timeout", 1, u, 300)) * 1000
    const host = parsed.strings["host"] ?? "127.0.0.1"
    const policy = parsed.strings["policy"]
    const dataDir = resolve(parsed.strings["data-dir"] ?? join(crowdcloudHome(), "cluster"))
    const logDir = join(dataDir, "logs")
    yield* Effect.tryPromise({ try: () => mkdir(logDir, { recursive: true }), catch: fileFailure(logDir, "create") })
    const entries = entryPoints()
    const portsFile = join(dataDir, "live-up.json")
    const saved = yield* loadPorts(portsFile)

    const coordinatorArgs = [
      "--data-dir", join(dataDir, "coordinator"),
      "--host", host,
      "--api-port", String(apiPortFlag ?? saved?.apiPort ?? 0),
      "--agent-port", String(saved?.agentPort ?? 0),
      "--join-port", String(saved?.joinPort ?? 0),
      ...(policy !== undefined ? ["--policy", policy] : []),
      ...(seed !== undefined ? ["--seed", String(seed)] : [])
    ]
    yield* say(`starting the coordinator (data in ${join(dataDir, "coordinator")}, log ${join(logDir, "coordinator.log")})`)
    const coordinator = yield* Effect.acquireRelease(
      startDaemon({ name: "the coordinator", script: entries.coordinator, args: coordinatorArgs, logFile: join(logDir, "coordinator.log") }),
      (d) => d.stop(stopGraceMs)
    )
    const ready = yield* readyAs(coordinator, CoordinatorReady, readyTimeoutMs)
    const apiUrl = new URL(ready.api)
    const ports: SavedPorts = { apiPort: Number(apiUrl.port), agentPort: ready.agentPort, joinPort: ready.joinPort }
    yield* Effect.tryPromise({ try: () => writeFile(portsFile, `${JSON.stringify(ports)}\n`), catch: fileFailure(portsFile, "write") })
    const admin = makeClient({ api: ready.api.replace(/\/+$/, ""), token: ready.adminToken })

    // Registered after the coordinator's, so it runs first: agents stop before the coordinator does.
    const agents: Array<Daemon> = []
    yield* Effect.addFinalizer(() => Effect.forEach(agents, (d) => d.stop(stopGraceMs), { concurrency: "unbounded", discard: true }))
    const agentFlags = [
      ...(warmPool !== undefined ? ["--warm-pool", String(warmPool)] : []),
      ...(cpus !== undefined ? ["--cpus", String(cpus)] : []),
      ...(memory !== undefined ? ["--memory", String(memory)] : []),
      ...(disk !== undefined ? ["--disk", String(disk)] : []),
      ...(storage !== undefined ? ["--storage", String(storage)] : [])
    ]
    const joinHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host
    for (let i = 0; i < agentCount; i++) {
      const dir = join(dataDir, `agent-${i}`)
      yield* Effect.tryPromise({ try: () => mkdir(dir, { recursive: true }), catch: fileFailure(dir, "create") })
      // An agent that has joined before reconnects with its saved credentials; a new one needs a one-time token.
      const joined = yield* exists(join(dir, "agent-credentials.json"))
      const joinArgs = joined ? [] : ["--join", `${joinHost.includes(":") ? `[${joinHost}]` : joinHost}:${ready.joinPort}`, "--token", (yield* admin.json<{ token: string }>("POST", "/api/nodes/join-token")).token]
      const logFile = join(logDir, `agent-${i}.log`)
      agents.push(yield* startDaemon({ name: `agent ${i}`, script: entries.agent, args: [...joinArgs, "--data-dir", dir, ...agentFlags], logFile }))
    }
    if (agentCount > 0) yield* say(`starting ${agentCount} agent${agentCount === 1 ? "" : "s"} (data in ${join(dataDir, "agent-*")}, logs ${join(logDir, "agent-*.log")})`)
    const nodeIds = yield* Effect.forEach(agents, (agent) => Effect.map(readyAs(agent, AgentReady, readyTimeoutMs), (r) => r.nodeId), { concurrency: "unbounded" })

    const configFile = yield* saveConfig({ api: ready.api.replace(/\/+$/, ""), token: ready.adminToken })
    const api = ready.api.replace(/\/+$/, "")
    yield* say([
      "",
      `CrowdCloud is up: a coordinator and ${agentCount} agent${agentCount === 1 ? "" : "s"}${nodeIds.length > 0 ? ` (nodes ${nodeIds.join(", ")})` : ""}; data in ${dataDir}`,
      `portal: ${api}/`,
      `API:    ${api}   (operator token saved in ${configFile})`,
      `logs:   ${logDir}`,
      "",
      `export CROWDCLOUD_API=${api} CROWDCLOUD_TOKEN=${ready.adminToken}`,
      "",
      "Ctrl-C stops the cluster."
    ].join("\n"))

    const died = yield* Effect.raceAll([coordinator, ...agents].map((d) => Effect.map(d.exited, (exit) => ({ daemon: d, exit }))))
    yield* say(`${died.daemon.name} ${describeExit(died.exit)}; stopping the rest`)
    return yield* Effect.fail(new DaemonFailed({ daemon: died.daemon.name, reason: `${describeExit(died.exit)} unexpectedly`, logFile: died.daemon.logFile }))
  }))
