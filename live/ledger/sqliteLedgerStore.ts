// The LedgerStore on SQLite (better-sqlite3 through @effect/sql-sqlite-node): WAL journal,
// versioned migrations, and one transaction per append, so a group commit is all-or-nothing even
// when the process is killed mid-write. Entries are stored as the exact bytes their hash covers.
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Effect, Layer } from "effect"
import type { AccountId, MicroCredits } from "../../core/ledger/accounts.ts"
import type { StoredEntry } from "../../core/ledger/entry.ts"
import { LedgerStore, LedgerStoreError, type LedgerStoreShape } from "../../core/ledger/LedgerStore.ts"

export interface SqliteLedgerStoreOptions {
  readonly filename: string
  /**
   * FULL (default) syncs the WAL at every commit; NORMAL may lose the last commits on power loss
   * (never on a process crash) and is faster. Both keep every commit atomic.
   */
  readonly synchronous?: "FULL" | "NORMAL"
}

/** Statements carry at most this many rows, well under SQLite's bound-parameter limit. */
const rowsPerStatement = 300

const migrations = Migrator.fromRecord({
  "1_ledger": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE ledger_entries (seq INTEGER PRIMARY KEY, body BLOB NOT NULL, hash TEXT NOT NULL)`
    yield* sql`CREATE TABLE ledger_balances (account TEXT PRIMARY KEY, balance INTEGER NOT NULL) WITHOUT ROWID`
  })
})

const failed = (operation: string) => (cause: unknown) => new LedgerStoreError({ operation, cause })

const chunks = <A>(items: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += rowsPerStatement) out.push(items.slice(i, i + rowsPerStatement))
  return out
}

interface EntryRow {
  readonly seq: number
  readonly body: Uint8Array
  readonly hash: string
}

const toStored = (row: EntryRow): StoredEntry => ({ seq: row.seq, body: new Uint8Array(row.body), hash: row.hash })

export const makeSqliteLedgerStore = (options: Pick<SqliteLedgerStoreOptions, "synchronous"> = {}) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(`PRAGMA synchronous = ${options.synchronous === "NORMAL" ? "NORMAL" : "FULL"}`)
    yield* Migrator.make({})({ loader: migrations, table: "ledger_migrations" })

    const readRows = (fromSeq: number, limit: number) =>
      sql<EntryRow>`SELECT seq, body, hash FROM ledger_entries WHERE seq >= ${fromSeq} ORDER BY seq LIMIT ${limit}`

    const store: LedgerStoreShape = {
      load: Effect.gen(function* () {
        const rows = yield* sql<EntryRow>`SELECT seq, body, hash FROM ledger_entries ORDER BY seq`
        const balances = yield* sql<{ account: AccountId; balance: MicroCredits }>`SELECT account, balance FROM ledger_balances`
        return { entries: rows.map(toStored), balances: balances.map((b) => [b.account, b.balance] as const) }
      }).pipe(Effect.mapError(failed("load the ledger"))),
      append: (entries, balances) =>
        sql
          .withTransaction(
            Effect.gen(function* () {
              if (entries.length > 0) {
                const [last] = yield* sql<{ seq: number | null }>`SELECT max(seq) AS seq FROM ledger_entries`
                const expected = (last?.seq ?? 0) + 1
                if (entries[0]!.seq !== expected) return yield* Effect.fail(new Error(`entry ${entries[0]!.seq} does not follow ${expected - 1}`))
              }
              for (const rows of chunks(entries)) {
                yield* sql`INSERT INTO ledger_entries ${sql.insert(rows.map((e) => ({ seq: e.seq, body: e.body, hash: e.hash })))}`
              }
              for (const rows of chunks(balances.filter(([, b]) => b !== 0))) {
                yield* sql`INSERT INTO ledger_balances ${sql.insert(rows.map(([account, balance]) => ({ account, balance })))}
                  ON CONFLICT(account) DO UPDATE SET balance = excluded.balance`
              }
              for (const rows of chunks(balances.filter(([, b]) => b === 0))) {
                yield* sql`DELETE FROM ledger_balances WHERE ${sql.in("account", rows.map(([account]) => account))}`
              }
            })
          )
          .pipe(Effect.mapError(failed("append entries"))),
      read: (fromSeq, limit) => readRows(fromSeq, limit).pipe(Effect.map((rows) => rows.map(toStored)), Effect.mapError(failed("read entries")))
    }
    return store
  }).pipe(Effect.mapError(failed("open the ledger database")))

/** LedgerStore over the SQLite file `filename` (created and migrated on first open). */
export const sqliteLedgerStoreLayer = (options: SqliteLedgerStoreOptions): Layer.Layer<LedgerStore, LedgerStoreError> =>
  Layer.effect(LedgerStore, makeSqliteLedgerStore(options)).pipe(
    Layer.provide(SqliteClient.layer({ filename: options.filename })),
    Layer.mapError(failed("open the ledger database"))
  )
