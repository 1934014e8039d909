// The agent daemon: `tsx live/agent/main.ts --join HOST:JOINPORT --token T --data-dir D [...]`
// (see args.ts). Logs go to stderr; once the coordinator has accepted the agent's registration it
// prints `{"ready":true,"nodeId":N}` on stdout. SIGINT/SIGTERM stop the VMs, close the link and exit 0.
// Shards are kept under `<data dir>/shards` (live/storage's disk store), up to --storage MiB.
import * as path from "node:path"
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Either, Logger } from "effect"
import { agentUsage, parseAgentArgs } from "./args.ts"
import { defaultVcpus, enroll, startLiveAgent } from "./LiveAgent.ts"
import { makeDiskShardStore } from "../storage/DiskShardStore.ts"
import { layerAgentSandbox } from "./sandboxLayer.ts"

const parsed = parseAgentArgs(process.argv.slice(2))
if (Either.isLeft(parsed)) {
  process.stderr.write(`crowdcloud agent: ${parsed.left}\n${agentUsage}\n`)
  process.exit(2)
}
const args = parsed.right
if (args.help) {
  process.stdout.write(`${agentUsage}\n`)
  process.exit(0)
}

const vcpus = args.vcpus ?? defaultVcpus()

const joinOptions = { dataDir: args.dataDir, ...(args.join !== undefined ? { join: args.join } : {}) }

const runAgent = Effect.gen(function* () {
  const shards = yield* makeDiskShardStore({ dir: path.join(args.dataDir, "shards"), capacityBytes: args.storageMiB * 1024 * 1024 })
  const agent = yield* startLiveAgent({
    ...joinOptions,
    vcpus,
    ...(args.memoryMiB !== undefined ? { memoryMiB: args.memoryMiB } : {}),
    ...(args.diskMiB !== undefined ? { diskMiB: args.diskMiB } : {}),
    ...(args.region !== undefined ? { region: args.region } : {}),
    ...(args.askingPrice !== undefined ? { askingPrice: args.askingPrice } : {}),
    allowNetwork: args.allowNetwork,
    shards
  })
  yield* agent.registered.pipe(
    Effect.zipRight(Effect.sync(() => process.stdout.write(`${JSON.stringify({ ready: true, nodeId: agent.spec.id })}\n`))),
    Effect.forkScoped
  )
  return yield* agent.await
}).pipe(
  Effect.scoped,
  Effect.provide(layerAgentSandbox({ warmPoolSize: args.warmPoolSize, allowNetwork: args.allowNetwork, vcpus }))
)

// Joining comes first: an agent the coordinator refuses should not have booted VMs.
const program = enroll(joinOptions).pipe(
  Effect.zipRight(runAgent),
  Effect.tapError((e) => Effect.sync(() => process.stderr.write(`crowdcloud agent: ${e.message}\n`))),
  Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)))
)

NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
