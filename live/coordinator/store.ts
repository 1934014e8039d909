// The coordinator's SQLite tables besides the ledger's and the object catalog's: the input log the
// state is rebuilt from, and what the API reads (jobs, their logs and exits, nodes, users).
// Everything a step writes goes in one transaction with its input.
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

const migrations = Migrator.fromRecord({
  "1_coordinator": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`
    yield* sql`CREATE TABLE inputs (seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, body TEXT NOT NULL)`
    yield* sql`CREATE TABLE jobs (
      id INTEGER PRIMARY KEY, owner TEXT NOT NULL, state TEXT NOT NULL, spec TEXT NOT NULL,
      submitted_at_ms INTEGER NOT NULL, started_at_ms INTEGER, ended_at_ms INTEGER, node INTEGER,
      attempts INTEGER NOT NULL DEFAULT 0, exit_code INTEGER, reason TEXT, usage TEXT,
      cost_micro INTEGER NOT NULL DEFAULT 0, outputs TEXT NOT NULL DEFAULT '[]')`
    yield* sql`CREATE INDEX jobs_by_owner ON jobs (owner, id)`
    yield* sql`CREATE TABLE job_logs (job_id INTEGER NOT NULL, attempt INTEGER NOT NULL, stream TEXT NOT NULL, text TEXT NOT NULL)`
    yield* sql`CREATE INDEX job_logs_by_job ON job_logs (job_id, attempt)`
    yield* sql`CREATE TABLE nodes (id INTEGER PRIMARY KEY, spec TEXT NOT NULL, enrolled_at_ms INTEGER NOT NULL)`
    yield* sql`CREATE TABLE users (name TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL UNIQUE, operator INTEGER NOT NULL, created_at_ms INTEGER NOT NULL) WITHOUT ROWID`
  }),
  // When the guest started the job's process (the agent's JobRunning), as the coordinator's clock read it.
  "3_job_running_at": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE jobs ADD COLUMN running_at_ms INTEGER`
  }),
  // Whose credits pay for a job, read from its spec, so an organisation's admin finds its jobs by index.
  "4_job_payer": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE jobs ADD COLUMN payer TEXT GENERATED ALWAYS AS (coalesce(json_extract(spec, '$.payer'), owner)) VIRTUAL`
    yield* sql`CREATE INDEX jobs_by_payer ON jobs (payer, id)`
  })
})

export const migrateCoordinatorStore = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe("PRAGMA journal_mode = WAL")
  yield* sql.unsafe("PRAGMA synchronous = NORMAL")
  yield* Migrator.make({})({ loader: migrations, table: "coordinator_migrations" })
})

export interface JobRow {
  readonly id: number
  readonly owner: string
  /** Generated from the spec: its payer, else its owner. */
  readonly payer: string
  readonly state: string
  readonly spec: string
  readonly submitted_at_ms: number
  readonly started_at_ms: number | null
  readonly running_at_ms: number | null
  readonly ended_at_ms: number | null
  readonly node: number | null
  readonly attempts: number
  readonly exit_code: number | null
  readonly reason: string | null
  readonly usage: string | null
  readonly cost_micro: number
  readonly outputs: string
}

export interface InputRow {
  readonly seq: number
  readonly at_ms: number
  readonly body: string
}
