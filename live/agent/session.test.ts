// The session counter on disk: absent is 0, what is written is read back, garbage is an error.
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { readSession, sessionFile, writeSession } from "./session.ts"
import { tempDir } from "./testSupport.ts"

describe("session counter", () => {
  it.scoped("starts at 0, keeps what is written, and refuses a file that is not a number", () =>
    Effect.gen(function* () {
      const dir = path.join(yield* tempDir, "agent")
      expect(yield* readSession(dir)).toBe(0)
      yield* writeSession(dir, 41)
      expect(yield* readSession(dir)).toBe(41)
      fs.writeFileSync(sessionFile(dir), "forty-two")
      const failed = yield* Effect.flip(readSession(dir))
      expect(failed._tag).toBe("SessionStoreFailed")
      expect(failed.message).toContain("not a session number")
    }))
})
