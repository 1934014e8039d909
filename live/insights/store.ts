// The insights' own SQLite tables, beside the coordinator's: API traffic per user, day and route,
// and which user each lender node (by its join token) belongs to.
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

const migrations = Migrator.fromRecord({
  "1_insights": Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE traffic (
      user TEXT NOT NULL, day TEXT NOT NULL, route TEXT NOT NULL,
      requests INTEGER NOT NULL, bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL,
      PRIMARY KEY (user, day, route)) WITHOUT ROWID`
    yield* sql`CREATE TABLE node_owners (node INTEGER PRIMARY KEY, owner TEXT NOT NULL, created_at_ms INTEGER NOT NULL)`
    yield* sql`CREATE INDEX node_owners_by_owner ON node_owners (owner, node)`
  })
})

export const migrateInsightsStore = Effect.flatMap(SqlClient.SqlClient, () =>
  Migrator.make({})({ loader: migrations, table: "insights_migrations" }))
