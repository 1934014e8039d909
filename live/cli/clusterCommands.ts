// `crowdcloud nodes`, `nodes join-token`, `credits`, `users add`.
import { Effect } from "effect"
import type { CreditsView, NodeView } from "../api/ClusterApi.ts"
import { connectionFlags, parse, positionals, usageError } from "./args.ts"
import type { Connect } from "./client.ts"
import type { CliError } from "./errors.ts"
import { printJson, say, table, time } from "./output.ts"
import { usage } from "./usage.ts"

export const nodes = (connect: Connect, argv: ReadonlyArray<string>): Effect.Effect<number, CliError> =>
  Effect.gen(function* () {
    const parsed = yield* parse(argv, { ...connectionFlags, json: "boolean" }, usage.nodes)
    const [sub] = yield* positionals(parsed, ["join-token"], usage.nodes, 1)
    if (sub !== undefined && sub !== "join-token") return yield* usageError(`unknown nodes command ${JSON.stringify(sub)}`, usage.nodes)
    const client = yield* connect(parsed)
    if (sub === "join-token") {
      const { nodeId, token } = yield* client.json<{ nodeId: number; token: string }>("POST", "/api/nodes/join-token")
      yield* say(`join token for node ${nodeId} (one use): crowdcloud agent --join <coordinator host>:<join port> --token ${token}`)
      yield* say(token)
      return 0
    }
    const list = (yield* client.json<{ nodes: ReadonlyArray<NodeView> }>("GET", "/api/nodes")).nodes
    if (parsed.booleans["json"]) yield* printJson(list)
    else {
      yield* say(list.length === 0 ? "no nodes" : table(["NODE", "ONLINE", "VCPUS", "MEMORY", "DISK", "JOBS", "REGION", "REPUTATION", "LAST SEEN"], list.map((n) => [
        String(n.id), n.online ? "yes" : "no", `${n.allocatedVcpus}/${n.vcpus}`, `${n.memoryMiB} MiB`, `${n.diskMiB} MiB`, String(n.runningJobs), n.region, n.reputation.toFixed(2), time(n.lastSeenMs)
      ])))
    }
    return 0
  })

export const credits = (connect: Connect, argv: ReadonlyArray<string>): Effect.Effect<number, CliError> =>
  Effect.gen(function* () {
    const parsed = yield* parse(argv, { ...connectionFlags, json: "boolean" }, usage.credits)
    yield* positionals(parsed, [], usage.credits)
    const client = yield* connect(parsed)
    const view = yield* client.json<CreditsView>("GET", "/api/credits")
    if (parsed.booleans["json"]) {
      yield* printJson(view)
      return 0
    }
    yield* say(`${view.user}: ${view.balanceCredits} credits available, ${view.escrowCredits} held for running jobs`)
    if (view.entries.length > 0) {
      yield* say(table(["SEQ", "TIME", "KIND", "CREDITS", "MEMO"], view.entries.map((e) => [String(e.seq), time(e.atMs), e.kind, String(e.amountCredits), e.memo])))
    }
    return 0
  })

export const users = (connect: Connect, argv: ReadonlyArray<string>): Effect.Effect<number, CliError> =>
  Effect.gen(function* () {
    const parsed = yield* parse(argv, connectionFlags, usage.usersAdd)
    const [sub, name] = yield* positionals(parsed, ["add", "NAME"], usage.usersAdd)
    if (sub !== "add") return yield* usageError(`unknown users command ${JSON.stringify(sub)}`, usage.usersAdd)
    const client = yield* connect(parsed)
    const created = yield* client.json<{ user: string; token: string }>("POST", "/api/users", { name })
    yield* say(`user ${created.user} created; their API token (shown once): export CROWDCLOUD_TOKEN=${created.token}`)
    yield* say(created.token)
    return 0
  })
