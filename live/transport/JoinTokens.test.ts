import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, TestClock } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import { makeJoinTokens } from "./JoinTokens.ts"
import { tempDir } from "./testSupport.ts"

describe("JoinTokens", () => {
  it.effect("a token redeems once, for the node it was issued for", () =>
    Effect.gen(function* () {
      const tokens = yield* makeJoinTokens()
      const a = yield* tokens.issue(3 as NodeId, 60_000)
      const b = yield* tokens.issue(4 as NodeId, 60_000)
      expect(a.token).not.toBe(b.token)
      expect(yield* tokens.redeem(b.token)).toBe(4)
      expect(yield* tokens.redeem(a.token)).toBe(3)
      const again = yield* Effect.flip(tokens.redeem(a.token))
      expect(again._tag).toBe("JoinTokenAlreadyUsed")
      expect(again.message).toContain("already used")
      expect((yield* Effect.flip(tokens.redeem("made-up")))._tag).toBe("JoinTokenUnknown")
    }))

  it.effect("a token expires", () =>
    Effect.gen(function* () {
      const tokens = yield* makeJoinTokens()
      const issued = yield* tokens.issue(1 as NodeId, 1_000)
      yield* TestClock.adjust("1 second")
      const expired = yield* Effect.flip(tokens.redeem(issued.token))
      expect(expired._tag).toBe("JoinTokenExpired")
    }))

  it.scoped("only hashes are stored, and a reload remembers which tokens were used", () =>
    Effect.gen(function* () {
      const file = path.join(yield* tempDir, "tokens.json")
      const first = yield* makeJoinTokens({ file })
      const used = yield* first.issue(1 as NodeId, 60_000)
      const fresh = yield* first.issue(2 as NodeId, 60_000)
      yield* first.redeem(used.token)
      const text = fs.readFileSync(file, "utf8")
      expect(text).not.toContain(used.token)
      expect(text).not.toContain(fresh.token)
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)

      const reloaded = yield* makeJoinTokens({ file })
      expect((yield* Effect.flip(reloaded.redeem(used.token)))._tag).toBe("JoinTokenAlreadyUsed")
      expect(yield* reloaded.redeem(fresh.token)).toBe(2)
    }))
})
