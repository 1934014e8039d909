import { join } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import * as TestClock from "effect/TestClock"
import type { UserId } from "../../core/domain/ids.ts"
import { TrafficMeter } from "../api/Principal.ts"
import { scopedTempDir } from "../testing/tempDir.ts"
import { layerSqliteTrafficMeter, makeSqliteTrafficMeter, trafficFlushIntervalMs } from "./trafficMeter.ts"

const alice = "alice" as UserId
const bob = "bob" as UserId
const day1 = Date.UTC(2026, 2, 1, 23, 59)

interface Row { user: string; day: string; route: string; requests: number; bytes_in: number; bytes_out: number }

const rows = (file: string) =>
  Effect.scoped(Effect.flatMap(SqlClient.SqlClient, (sql) => sql<Row>`SELECT * FROM traffic ORDER BY user, day, route`).pipe(
    Effect.provide(SqliteClient.layer({ filename: file }))))

describe("the SQLite traffic meter", () => {
  it.scoped("counts survive a flush, the scope's close and a reopen; later calls add to them, per user, UTC day and route", () =>
    Effect.gen(function* () {
      const file = join(yield* scopedTempDir("traffic"), "t.sqlite")
      const sqlite = SqliteClient.layer({ filename: file })
      yield* TestClock.setTime(day1)

      const first = yield* Scope.make()
      const meter = Context.get(yield* Layer.buildWithScope(layerSqliteTrafficMeter.pipe(Layer.provide(sqlite)), first), TrafficMeter)
      yield* meter.record(alice, "GET /api/jobs", 0, 100)
      yield* meter.record(alice, "GET /api/jobs", 0, 50)
      yield* meter.record(alice, "POST /api/jobs", 300, 200)
      yield* meter.record(bob, "GET /api/jobs", 0, 7)
      // Nothing is on disk before the flush interval has passed...
      expect(yield* rows(file)).toEqual([])
      yield* TestClock.adjust(trafficFlushIntervalMs)
      expect(yield* rows(file)).toEqual([
        { user: "alice", day: "2026-03-01", route: "GET /api/jobs", requests: 2, bytes_in: 0, bytes_out: 150 },
        { user: "alice", day: "2026-03-01", route: "POST /api/jobs", requests: 1, bytes_in: 300, bytes_out: 200 },
        { user: "bob", day: "2026-03-01", route: "GET /api/jobs", requests: 1, bytes_in: 0, bytes_out: 7 }
      ])
      // ...and what came after the last flush is written when the scope closes.
      yield* TestClock.adjust(2 * 60_000) // past midnight: a new day
      yield* meter.record(alice, "GET /api/jobs", 10, 1)
      yield* Scope.close(first, Exit.void)

      const second = yield* Scope.make()
      const again = yield* makeSqliteTrafficMeter.pipe(Effect.provide(yield* Layer.buildWithScope(sqlite, second)), Scope.extend(second))
      yield* again.record(alice, "GET /api/jobs", 5, 5)
      yield* again.flush
      const after = yield* rows(file)
      expect(after.filter((r) => r.day === "2026-03-02")).toEqual([
        { user: "alice", day: "2026-03-02", route: "GET /api/jobs", requests: 2, bytes_in: 15, bytes_out: 6 }
      ])
      expect(after.filter((r) => r.day === "2026-03-01").map((r) => r.requests)).toEqual([2, 1, 1])
      yield* Scope.close(second, Exit.void)
    }))
})
