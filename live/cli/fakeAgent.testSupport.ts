// A stand-in for live/agent/main.ts in `live up` tests: joins by writing agent-credentials.json
// (refusing to start with neither a token nor credentials, as the real agent does), prints the ready
// line, and dies with code 3 once a file named `die` appears in its data dir. Starts and stops go to
// <data-dir>/../events.log.
import { appendFileSync, existsSync, writeFileSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { parseArgs } from "node:util"

const { values } = parseArgs({
  options: Object.fromEntries(["join", "token", "data-dir", "cpus", "memory", "disk", "storage", "warm-pool"].map((k) => [k, { type: "string" as const }])),
  strict: true
})
const dataDir = values["data-dir"]!
const name = basename(dataDir)
const events = join(dirname(dataDir), "events.log")
const credentials = join(dataDir, "agent-credentials.json")
if (values.token !== undefined) writeFileSync(credentials, JSON.stringify({ join: values.join, token: values.token }))
if (!existsSync(credentials)) {
  process.stderr.write("no credentials and no --token\n")
  process.exit(2)
}
appendFileSync(events, `${name} started token=${values.token ?? "none"} ${JSON.stringify(values)}\n`)
process.stdout.write(`${JSON.stringify({ ready: true, nodeId: Number(name.replace("agent-", "")) })}\n`)

setInterval(() => {
  if (existsSync(join(dataDir, "die"))) {
    appendFileSync(events, `${name} died\n`)
    process.exit(3)
  }
}, 100)

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    appendFileSync(events, `${name} stopped\n`)
    process.exit(0)
  })
}
