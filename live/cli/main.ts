// The `crowdcloud` command line (see README.md). Exit codes: 0 done, 1 failed (API error, job not
// succeeded, daemon died), 2 usage error. SIGINT/SIGTERM interrupt the command: `live up` and `agent`
// then stop their daemons and exit 0.
import { Cause, Effect, Exit, Fiber } from "effect"
import { connectFromConfig } from "./client.ts"
import { type CliError, UsageError } from "./errors.ts"
import { jobUsage, mainUsage, objectUsage, usage } from "./usage.ts"

type Command = (argv: ReadonlyArray<string>) => Effect.Effect<number, CliError>

type Grouped = Readonly<Record<string, (connect: typeof connectFromConfig, argv: ReadonlyArray<string>) => Effect.Effect<number, CliError>>>

/** Each command's module is loaded only when it runs: a CLI call should not pay for the others' imports. */
const grouped = (group: string, load: () => Promise<Grouped>, groupUsage: string): Command => (argv) =>
  Effect.flatMap(Effect.promise(load), (commands) => {
    const [sub, ...rest] = argv
    const command = sub === undefined ? undefined : commands[sub]
    return command === undefined
      ? Effect.fail(new UsageError({ problem: sub === undefined ? `missing a ${group} command` : `unknown ${group} command ${JSON.stringify(sub)}`, usage: groupUsage }))
      : command(connectFromConfig, rest)
  })

const lazy = (load: () => Promise<Command>): Command => (argv) => Effect.flatMap(Effect.promise(load), (command) => command(argv))

const commands: Readonly<Record<string, Command>> = {
  job: grouped("job", () => import("./jobCommands.ts").then((m) => m.jobCommands), jobUsage),
  object: grouped("object", () => import("./objectCommands.ts").then((m) => m.objectCommands), objectUsage),
  nodes: lazy(() => import("./clusterCommands.ts").then((m) => (argv) => m.nodes(connectFromConfig, argv))),
  credits: lazy(() => import("./clusterCommands.ts").then((m) => (argv) => m.credits(connectFromConfig, argv))),
  users: lazy(() => import("./clusterCommands.ts").then((m) => (argv) => m.users(connectFromConfig, argv))),
  live: (argv) =>
    argv[0] === "up"
      ? lazy(() => import("./liveUp.ts").then((m) => m.liveUp))(argv.slice(1))
      : Effect.fail(new UsageError({ problem: argv[0] === undefined ? "missing a live command" : `unknown live command ${JSON.stringify(argv[0])}`, usage: usage.liveUp })),
  agent: lazy(() => import("./agentCommand.ts").then((m) => m.agent))
}

/** Commands that run until stopped: a signal is how they end, not a failure. */
const daemons = new Set(["live", "agent"])

/** The usage a `--help` asks for: the subcommand's when there is one. */
const helpFor = (argv: ReadonlyArray<string>): string => {
  const [group, sub] = argv
  const key = `${group}${(sub ?? "").charAt(0).toUpperCase()}${(sub ?? "").slice(1)}`
  if (group === "users") return usage.usersAdd
  if (group === "live") return usage.liveUp
  return (usage as Record<string, string>)[key] ?? (group === "job" ? jobUsage : group === "object" ? objectUsage : (usage as Record<string, string>)[group ?? ""] ?? mainUsage)
}

const flush = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write("", () => resolve()))

const finish = async (code: number, stderr?: string) => {
  if (stderr !== undefined) process.stderr.write(stderr.endsWith("\n") ? stderr : `${stderr}\n`)
  await Promise.all([flush(process.stdout), flush(process.stderr)])
  process.exit(code)
}

const main = (argv: ReadonlyArray<string>) => {
  const own = argv.indexOf("--") === -1 ? argv : argv.slice(0, argv.indexOf("--"))
  if (argv.length === 0) return finish(2, mainUsage)
  if (argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    process.stdout.write(`${mainUsage}\n`)
    return finish(0)
  }
  // `agent` passes --help on to the agent daemon, which knows its flags best.
  if (argv[0] !== "agent" && (own.includes("--help") || own.includes("-h"))) {
    process.stdout.write(`${helpFor(argv)}\n`)
    return finish(0)
  }
  const command = commands[argv[0]!]
  if (command === undefined) return finish(2, `error: unknown command ${JSON.stringify(argv[0])}\n\n${mainUsage}`)

  const fiber = Effect.runFork(command(argv.slice(1)))
  const interrupt = () => void Effect.runFork(Fiber.interrupt(fiber))
  process.once("SIGINT", interrupt)
  process.once("SIGTERM", interrupt)
  fiber.addObserver((exit) => {
    if (Exit.isSuccess(exit)) return void finish(exit.value)
    const cause = exit.cause
    if (Cause.isInterruptedOnly(cause)) return void finish(daemons.has(argv[0]!) ? 0 : 130)
    const failure = Cause.failureOption(cause)
    if (failure._tag === "Some") {
      const error = failure.value
      return void (error._tag === "UsageError" ? finish(2, `error: ${error.message}\n\n${error.usage}`) : finish(1, `error: ${error.message}`))
    }
    return void finish(1, `error: the CLI failed unexpectedly:\n${Cause.pretty(cause)}`)
  })
}

void main(process.argv.slice(2))
