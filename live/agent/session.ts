// The agent's session counter, kept in `<dataDir>/session`: every start of the daemon is a new
// session (core's Agent increments it), so the coordinator can tell a restarted agent, whose jobs
// are gone, from a reconnected one, whose jobs still run.
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { SessionStoreFailed } from "./errors.ts"

export const sessionFile = (dataDir: string): string => path.join(dataDir, "session")

const reasonOf = (e: unknown) => (e instanceof Error ? e.message : String(e))

/** The last session this machine used (0 if none yet). */
export const readSession = (dataDir: string): Effect.Effect<number, SessionStoreFailed> => {
  const file = sessionFile(dataDir)
  return Effect.try({
    try: () => {
      let text: string
      try {
        text = fs.readFileSync(file, "utf8")
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0
        throw e
      }
      const session = Number(text.trim())
      if (!Number.isSafeInteger(session) || session < 0) throw new Error(`not a session number: ${JSON.stringify(text.slice(0, 40))}`)
      return session
    },
    catch: (e) => new SessionStoreFailed({ path: file, reason: reasonOf(e) })
  })
}

/** Records the session in use (write and rename, so a crash leaves the old or the new number). */
export const writeSession = (dataDir: string, session: number): Effect.Effect<void, SessionStoreFailed> => {
  const file = sessionFile(dataDir)
  return Effect.try({
    try: () => {
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 })
      fs.writeFileSync(`${file}.tmp`, `${session}\n`)
      fs.renameSync(`${file}.tmp`, file)
    },
    catch: (e) => new SessionStoreFailed({ path: file, reason: reasonOf(e) })
  })
}
