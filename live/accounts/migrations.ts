// The accounts tables, in the coordinator's SQLite database beside its own, migrated separately
// (`accounts_migrations`). Secrets (session ids, API tokens, invitation codes) are stored only as
// their SHA-256; passwords only as scrypt hashes.
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

const migrations = Migrator.fromRecord({
  "1_accounts": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE accounts (
      user TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE, kind TEXT NOT NULL CHECK (kind IN ('personal', 'company')),
      password_hash TEXT NOT NULL, created_at_ms INTEGER NOT NULL) WITHOUT ROWID`
    yield* sql`CREATE TABLE orgs (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, created_at_ms INTEGER NOT NULL) WITHOUT ROWID`
    // A user belongs to one organisation at most (it pays for their jobs).
    yield* sql`CREATE TABLE org_members (
      user TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs (id), role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
      joined_at_ms INTEGER NOT NULL) WITHOUT ROWID`
    yield* sql`CREATE INDEX org_members_by_org ON org_members (org_id, joined_at_ms)`
    yield* sql`CREATE TABLE invitations (
      id INTEGER PRIMARY KEY, code_sha256 TEXT NOT NULL UNIQUE, org_id TEXT NOT NULL REFERENCES orgs (id), email TEXT COLLATE NOCASE,
      role TEXT NOT NULL CHECK (role IN ('admin', 'member')), created_by TEXT NOT NULL, created_at_ms INTEGER NOT NULL,
      expires_at_ms INTEGER NOT NULL, used_by TEXT, used_at_ms INTEGER)`
    yield* sql`CREATE INDEX invitations_by_org ON invitations (org_id, id)`
    yield* sql`CREATE TABLE sessions (
      id_sha256 TEXT PRIMARY KEY, user TEXT NOT NULL, csrf_token TEXT NOT NULL, created_at_ms INTEGER NOT NULL,
      expires_at_ms INTEGER NOT NULL) WITHOUT ROWID`
    yield* sql`CREATE INDEX sessions_by_expiry ON sessions (expires_at_ms)`
    yield* sql`CREATE TABLE api_tokens (
      id INTEGER PRIMARY KEY, user TEXT NOT NULL, label TEXT NOT NULL, token_sha256 TEXT NOT NULL UNIQUE,
      created_at_ms INTEGER NOT NULL, last_used_at_ms INTEGER)`
    yield* sql`CREATE INDEX api_tokens_by_user ON api_tokens (user, id)`
  })
})

export const migrateAccounts = Effect.flatMap(SqlClient.SqlClient, () =>
  Migrator.make({})({ loader: migrations, table: "accounts_migrations" }))
