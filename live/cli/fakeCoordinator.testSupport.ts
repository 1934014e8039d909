// A stand-in for live/coordinator/main.ts in `live up` tests: the same flags and ready line, the real
// API routes over the stub ClusterApi (the operator's token is kept in <data-dir>/admin.token), and
// every start and stop written to <data-dir>/../events.log.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { parseArgs } from "node:util"
import { Effect } from "effect"
import { serveCluster } from "../api/serve.ts"
import { makeStubClusterApi } from "../api/stubClusterApi.ts"

const { values } = parseArgs({
  options: Object.fromEntries(["data-dir", "host", "api-port", "agent-port", "join-port", "policy", "seed"].map((k) => [k, { type: "string" as const }])),
  strict: true
})
const dataDir = values["data-dir"]!
if (values.policy === "no-such-policy") {
  process.stderr.write(`coordinator: unknown policy ${values.policy}\n`)
  process.exit(2)
}
mkdirSync(dataDir, { recursive: true })
const events = join(dirname(dataDir), "events.log")
const tokenFile = join(dataDir, "admin.token")
if (!existsSync(tokenFile)) writeFileSync(tokenFile, `admin-${process.pid}`)
const adminToken = readFileSync(tokenFile, "utf8")
const chosen = (flag: string, fallback: number) => (values[flag] === undefined || values[flag] === "0" ? fallback : Number(values[flag]))
const agentPort = chosen("agent-port", 20_000 + (process.pid % 10_000))
const joinPort = chosen("join-port", 30_000 + (process.pid % 10_000))

appendFileSync(events, `coordinator started ${JSON.stringify(values)}\n`)
const stub = makeStubClusterApi({ users: [{ name: "operator", token: adminToken, operator: true }] })

Effect.runFork(Effect.scoped(Effect.gen(function* () {
  const served = yield* serveCluster({ port: Number(values["api-port"] ?? 0), host: values.host ?? "127.0.0.1" })
  process.stdout.write(`${JSON.stringify({ ready: true, api: served.url, agentPort, joinPort, adminToken })}\n`)
  yield* Effect.never
})).pipe(Effect.provide(stub.layer)))

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    appendFileSync(events, "coordinator stopped\n")
    process.exit(0)
  })
}
