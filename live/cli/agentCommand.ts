// `crowdcloud agent --join HOST:PORT --token T [...]`: the agent daemon (live/agent/main.ts) in the
// foreground, its flags passed on as they are (it checks them and exits 2 on a bad one).
import { join } from "node:path"
import type { Effect } from "effect"
import { crowdcloudHome } from "./config.ts"
import { runForeground } from "./daemon.ts"

/** The agent's flags, with `--data-dir ~/.crowdcloud/agent` when none is given. */
export const agentFlagsWithDefaults = (argv: ReadonlyArray<string>): ReadonlyArray<string> =>
  argv.some((a) => a === "--data-dir" || a.startsWith("--data-dir=")) || argv.includes("--help") || argv.includes("-h")
    ? argv
    : [...argv, "--data-dir", join(crowdcloudHome(), "agent")]

export const agent = (argv: ReadonlyArray<string>): Effect.Effect<number> => runForeground("live/agent/main.ts", agentFlagsWithDefaults(argv))
