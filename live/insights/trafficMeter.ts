// TrafficMeter over SQLite: the router's calls only add to counters in memory; a fiber writes them
// out at most once a second (and once more when the scope closes), so a request never waits on disk.
// Counts are per user, UTC day and route, added to what the table already holds.
import * as SqlClient from "@effect/sql/SqlClient"
import { Clock, Duration, Effect, Layer } from "effect"
import type { UserId } from "../../core/domain/ids.ts"
import { TrafficMeter, type TrafficMeterShape } from "../api/Principal.ts"
import { dayOf } from "./figures.ts"
import { migrateInsightsStore } from "./store.ts"

export interface SqliteTrafficMeter extends TrafficMeterShape {
  /** Writes what is counted so far; readers call it to see every request up to now. */
  readonly flush: Effect.Effect<void>
}

interface Pending {
  readonly user: string
  readonly day: string
  readonly route: string
  requests: number
  bytesIn: number
  bytesOut: number
}

export const trafficFlushIntervalMs = 1000

export const makeSqliteTrafficMeter = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* migrateInsightsStore
  let pending = new Map<string, Pending>()
  const lock = yield* Effect.makeSemaphore(1)

  const record = (user: UserId, route: string, bytesIn: number, bytesOut: number) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      const day = dayOf(now)
      const id = `${user}\u0000${day}\u0000${route}`
      const p = pending.get(id)
      if (p === undefined) pending.set(id, { user, day, route, requests: 1, bytesIn, bytesOut })
      else {
        p.requests += 1
        p.bytesIn += bytesIn
        p.bytesOut += bytesOut
      }
    })

  const write = (batch: ReadonlyArray<Pending>) =>
    sql.withTransaction(Effect.forEach(batch, (p) =>
      sql`INSERT INTO traffic (user, day, route, requests, bytes_in, bytes_out)
        VALUES (${p.user}, ${p.day}, ${p.route}, ${p.requests}, ${p.bytesIn}, ${p.bytesOut})
        ON CONFLICT (user, day, route) DO UPDATE SET requests = requests + excluded.requests,
          bytes_in = bytes_in + excluded.bytes_in, bytes_out = bytes_out + excluded.bytes_out`, { discard: true }))

  // One flush at a time, so a reader's flush also waits for the timer's batch to land.
  const flush = lock.withPermits(1)(Effect.suspend(() => {
    if (pending.size === 0) return Effect.void
    const batch = [...pending.values()]
    pending = new Map()
    return write(batch).pipe(Effect.catchAll((error) => Effect.zipRight(
      // Keep the counts for the next try: a busy database must not lose traffic.
      Effect.sync(() => {
        for (const p of batch) {
          const id = `${p.user}\u0000${p.day}\u0000${p.route}`
          const q = pending.get(id)
          if (q === undefined) pending.set(id, p)
          else { q.requests += p.requests; q.bytesIn += p.bytesIn; q.bytesOut += p.bytesOut }
        }
      }),
      Effect.logWarning("traffic meter: could not write counts; will retry", error))))
  }))

  yield* Effect.forkScoped(Effect.forever(Effect.delay(flush, Duration.millis(trafficFlushIntervalMs))))
  yield* Effect.addFinalizer(() => flush)
  return { record, flush } satisfies SqliteTrafficMeter
})

export const layerSqliteTrafficMeter = Layer.scoped(TrafficMeter, makeSqliteTrafficMeter)
