// The shared ledger suite over SQLite files, plus what only a real database can get wrong:
// migrations on reopen, WAL mode, and tampering with a row's key rather than its bytes.
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Layer } from "effect"
import * as path from "node:path"
import { Account, type MicroCredits } from "../../core/ledger/accounts.ts"
import { Ledger } from "../../core/ledger/Ledger.ts"
import { ledgerStoreSuite } from "../../core/ledger/ledgerSuite.ts"
import type { IdempotencyKey } from "../../core/ledger/requests.ts"
import { sqliteLedgerStoreLayer } from "./sqliteLedgerStore.ts"
import { scopedTempDir } from "../testing/tempDir.ts"

const tempFile = scopedTempDir("ledger").pipe(Effect.map((dir) => path.join(dir, "ledger.sqlite")))

/** Raw SQL against the file, through a connection of its own (as an attacker with file access would). */
const rawSql = <A>(filename: string, f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  Effect.orDie(Effect.scoped(Effect.flatMap(Layer.build(SqliteClient.layer({ filename })), (ctx) => f(Context.get(ctx, SqlClient.SqlClient)))))

ledgerStoreSuite({
  name: "SQLite",
  runs: 12,
  fresh: Effect.map(tempFile, (filename) => ({
    layer: sqliteLedgerStoreLayer({ filename, synchronous: "NORMAL" }),
    sizes: (seq) =>
      rawSql(filename, (sql) =>
        Effect.map(sql<{ b: number; h: number }>`SELECT length(body) AS b, length(hash) AS h FROM ledger_entries WHERE seq = ${seq}`, ([r]) => ({ body: r!.b, hash: r!.h }))
      ),
    corrupt: (seq, part, offset, xor) =>
      rawSql(filename, (sql) =>
        Effect.gen(function* () {
          const [row] = yield* sql<{ body: Uint8Array; hash: string }>`SELECT body, hash FROM ledger_entries WHERE seq = ${seq}`
          if (part === "body") {
            const body = new Uint8Array(row!.body)
            body[offset] = body[offset]! ^ xor
            yield* sql`UPDATE ledger_entries SET body = ${body} WHERE seq = ${seq}`
          } else {
            const bytes = Buffer.from(row!.hash, "latin1")
            bytes[offset] = bytes[offset]! ^ xor
            yield* sql`UPDATE ledger_entries SET hash = ${bytes.toString("latin1")} WHERE seq = ${seq}`
          }
        })
      )
  }))
})

describe("SQLite ledger store", () => {
  const key = (k: string) => k as IdempotencyKey
  const user = Account.user("ann")

  it.effect("migrates once, runs in WAL mode, and keeps the ledger across reopenings", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const layer = Ledger.layer().pipe(Layer.provide(sqliteLedgerStoreLayer({ filename })))
      yield* Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* ledger.submit({ _tag: "Grant", key: key("g"), to: user, amount: 5_000_000 as MicroCredits })
        yield* ledger.submit({ _tag: "Hold", key: key("h"), job: 1, payer: user, amount: 2_000_000 as MicroCredits })
      }).pipe(Effect.provide(layer))
      const reopened = yield* Effect.gen(function* () {
        const ledger = yield* Ledger
        return { balance: yield* ledger.balance(user), head: yield* ledger.head, escrow: yield* ledger.escrow(1) }
      }).pipe(Effect.provide(layer))
      expect(reopened.balance).toBe(3_000_000)
      expect(reopened.head.seq).toBe(2)
      expect(reopened.escrow._tag).toBe("Some")
      const meta = yield* rawSql(filename, (sql) =>
        Effect.all({
          mode: sql<{ journal_mode: string }>`PRAGMA journal_mode`,
          migrations: sql<{ migration_id: number }>`SELECT migration_id FROM ledger_migrations`,
          balances: sql<{ account: string; balance: number }>`SELECT account, balance FROM ledger_balances ORDER BY account`
        })
      )
      expect(meta.mode[0]!.journal_mode).toBe("wal")
      expect(meta.migrations.map((m) => m.migration_id)).toEqual([1])
      expect(meta.balances).toEqual([
        { account: "escrow:1", balance: 2_000_000 },
        { account: "issuance", balance: -5_000_000 },
        { account: "user:ann", balance: 3_000_000 }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("a row moved to another seq, or a balance edited behind the ledger's back, is caught", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const layer = Ledger.layer().pipe(Layer.provide(sqliteLedgerStoreLayer({ filename })))
      const build = Effect.gen(function* () {
        const ledger = yield* Ledger
        for (let i = 0; i < 5; i++) yield* ledger.submit({ _tag: "Grant", key: key(`g${i}`), to: user, amount: 1_000_000 as MicroCredits })
      })
      yield* Effect.provide(build, layer)
      yield* rawSql(filename, (sql) => sql`UPDATE ledger_entries SET seq = 9 WHERE seq = 5`)
      const moved = yield* Effect.flip(Effect.provide(Ledger, layer))
      expect(moved._tag).toBe("LedgerCorrupted")
      if (moved._tag === "LedgerCorrupted") expect(moved.tampered?.seq).toBe(9)
      yield* rawSql(filename, (sql) => sql`UPDATE ledger_entries SET seq = 5 WHERE seq = 9`)
      const ok = yield* Effect.provide(Effect.flatMap(Ledger, (l) => l.verify), layer)
      expect(Either.isRight(ok)).toBe(true)
      yield* rawSql(filename, (sql) => sql`UPDATE ledger_balances SET balance = balance + 1 WHERE account = 'user:ann'`)
      const edited = yield* Effect.flip(Effect.provide(Ledger, layer))
      expect(edited.message).toMatch(/user:ann/)
    }).pipe(Effect.scoped)
  )
})
