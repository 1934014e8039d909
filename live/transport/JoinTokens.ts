// One-time join tokens. A token is issued for a node id the coordinator chose; only its sha256 is
// kept (in memory, and in a 0600 JSON file when one is given, so a coordinator restart keeps them).
// Redeemed tokens stay recorded until they expire, so a second use is told apart from a typo.
import { createHash, randomBytes } from "node:crypto"
import { chmod, readFile, rename, writeFile } from "node:fs/promises"
import { Clock, Context, Effect, Layer, Schema } from "effect"
import { NodeId } from "../../core/domain/ids.ts"
import { JoinTokenStoreFailed, JoinTokenAlreadyUsed, JoinTokenExpired, JoinTokenUnknown } from "./errors.ts"

export interface JoinTokensOptions {
  /** Where the token hashes are kept across restarts; in memory only when absent. */
  readonly file?: string
}

export interface IssuedJoinToken {
  /** The secret; shown once, never stored. */
  readonly token: string
  readonly nodeId: NodeId
  readonly expiresAtMs: number
}

export type JoinTokenRefusal = JoinTokenUnknown | JoinTokenAlreadyUsed | JoinTokenExpired

export interface JoinTokensShape {
  readonly issue: (nodeId: NodeId, ttlMs: number) => Effect.Effect<IssuedJoinToken, JoinTokenStoreFailed>
  /** Marks the token used and returns the node id it was issued for. */
  readonly redeem: (token: string) => Effect.Effect<NodeId, JoinTokenRefusal | JoinTokenStoreFailed>
}

export class JoinTokens extends Context.Tag("crowdcloud/live/JoinTokens")<JoinTokens, JoinTokensShape>() {}

const TokenRecord = Schema.Struct({
  hash: Schema.String,
  nodeId: NodeId,
  expiresAtMs: Schema.Number,
  usedAtMs: Schema.optional(Schema.Number)
})
type TokenRecord = typeof TokenRecord.Type
const TokenFile = Schema.parseJson(Schema.Array(TokenRecord))

/** Expired tokens are kept this long, so their use is reported as expired rather than unknown. */
const expiredKeptMs = 24 * 3600_000

export const hashJoinToken = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex")

export const makeJoinTokens = (options: JoinTokensOptions = {}): Effect.Effect<JoinTokensShape, JoinTokenStoreFailed> =>
  Effect.gen(function* () {
    const records = new Map<string, TokenRecord>()
    const file = options.file
    if (file !== undefined) {
      const text = yield* Effect.tryPromise({
        try: () => readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? "[]" : Promise.reject(e))),
        catch: (e) => new JoinTokenStoreFailed({ path: file, reason: String(e) })
      })
      const stored = yield* Schema.decodeUnknown(TokenFile)(text).pipe(
        Effect.mapError((e) => new JoinTokenStoreFailed({ path: file, reason: e.message }))
      )
      for (const r of stored) records.set(r.hash, r)
    }
    const lock = yield* Effect.makeSemaphore(1)

    const persist = (nowMs: number) =>
      Effect.gen(function* () {
        for (const [hash, r] of records) if (r.expiresAtMs + expiredKeptMs <= nowMs) records.delete(hash)
        if (file === undefined) return
        const text = Schema.encodeSync(TokenFile)([...records.values()])
        yield* Effect.tryPromise({
          try: async () => {
            const tmp = `${file}.tmp`
            await writeFile(tmp, text, { mode: 0o600 })
            await chmod(tmp, 0o600)
            await rename(tmp, file)
          },
          catch: (e) => new JoinTokenStoreFailed({ path: file, reason: String(e) })
        })
      })

    return {
      issue: (nodeId, ttlMs) =>
        lock.withPermits(1)(Effect.gen(function* () {
          const nowMs = yield* Clock.currentTimeMillis
          const token = randomBytes(32).toString("hex") // hex: never starts with "-", which a command line would take for a flag
          const record: TokenRecord = { hash: hashJoinToken(token), nodeId, expiresAtMs: nowMs + ttlMs }
          records.set(record.hash, record)
          yield* persist(nowMs)
          return { token, nodeId, expiresAtMs: record.expiresAtMs }
        })),
      redeem: (token) =>
        lock.withPermits(1)(Effect.gen(function* () {
          const nowMs = yield* Clock.currentTimeMillis
          const record = records.get(hashJoinToken(token))
          if (record === undefined) return yield* new JoinTokenUnknown()
          if (record.usedAtMs !== undefined) return yield* new JoinTokenAlreadyUsed({ usedAtMs: record.usedAtMs })
          if (record.expiresAtMs <= nowMs) return yield* new JoinTokenExpired({ expiredAtMs: record.expiresAtMs })
          records.set(record.hash, { ...record, usedAtMs: nowMs })
          yield* persist(nowMs)
          return record.nodeId
        }))
    } satisfies JoinTokensShape
  })

export const layerJoinTokens = (options: JoinTokensOptions = {}): Layer.Layer<JoinTokens, JoinTokenStoreFailed> =>
  Layer.effect(JoinTokens, makeJoinTokens(options))
