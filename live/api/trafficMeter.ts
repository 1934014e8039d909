// TrafficMeter layers that keep nothing (the daemon until the insights store lands) or keep every call
// in memory (route tests that check what was recorded). The SQLite meter lives in live/insights.
import { Effect, Layer } from "effect"
import type { UserId } from "../../core/domain/ids.ts"
import { TrafficMeter } from "./Principal.ts"

/** Counts nothing. */
export const layerNoTraffic: Layer.Layer<TrafficMeter> = Layer.succeed(TrafficMeter, TrafficMeter.of({ record: () => Effect.void }))

export interface RecordedCall {
  readonly user: UserId
  readonly route: string
  readonly bytesIn: number
  readonly bytesOut: number
}

/** A meter for tests: every recorded call, in order, in `calls`. */
export const makeRecordingTrafficMeter = () => {
  const calls: Array<RecordedCall> = []
  const layer = Layer.succeed(TrafficMeter, TrafficMeter.of({
    record: (user, route, bytesIn, bytesOut) => Effect.sync(() => void calls.push({ user, route, bytesIn, bytesOut }))
  }))
  return { calls, layer }
}
