// API tokens: random, shown once, stored only as their SHA-256. The operator's token is created on
// the cluster's first start and kept in `<dataDir>/admin.token` (mode 0600) for `live up` and the CLI.
import { createHash, randomBytes } from "node:crypto"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import { Clock, Effect } from "effect"
import type { UserId } from "../../core/domain/ids.ts"

export const tokenDigest = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex")
// Hex, so a token never starts with "-" (a command line would take it for a flag).
export const newToken = (): string => randomBytes(24).toString("hex")

export { userNamePattern } from "../accounts/names.ts"

export const operatorName = "admin" as UserId

export const addUser = (name: string, operator: boolean) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const token = newToken()
    const now = yield* Clock.currentTimeMillis
    yield* sql`INSERT INTO users (name, token_sha256, operator, created_at_ms) VALUES (${name}, ${tokenDigest(token)}, ${operator ? 1 : 0}, ${now})`
    return token
  })

/** The operator's token: made and saved on the first start, read back after. */
export const operatorToken = (dataDir: string) =>
  Effect.gen(function* () {
    const file = join(dataDir, "admin.token")
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ n: number }>`SELECT count(*) AS n FROM users WHERE name = ${operatorName}`
    if ((row?.n ?? 0) > 0 && existsSync(file)) return readFileSync(file, "utf8").trim()
    if ((row?.n ?? 0) > 0) yield* sql`DELETE FROM users WHERE name = ${operatorName}` // the file was lost: issue a new token
    const token = yield* addUser(operatorName, true)
    writeFileSync(file, `${token}\n`, { mode: 0o600 })
    return token
  })

/** A signed-up user in the list of user ids: no API token of this table works for them (theirs are the accounts store's). */
export const addSignedUpUser = (name: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const now = yield* Clock.currentTimeMillis
    // The column wants a digest; one of a secret that is thrown away matches no token.
    yield* sql`INSERT INTO users (name, token_sha256, operator, created_at_ms) VALUES (${name}, ${tokenDigest(newToken())}, 0, ${now}) ON CONFLICT (name) DO NOTHING`
  })

export const userOfToken = (token: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ name: string; operator: number }>`SELECT name, operator FROM users WHERE token_sha256 = ${tokenDigest(token)}`
    return row
  })
