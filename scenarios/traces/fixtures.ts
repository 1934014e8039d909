// A churn-trace window built in code, for tests of the reader and of churn replay.
import type { ChurnWindow } from "./churnTrace.ts"

export const churnWindow = (firstOnline: boolean, durationsMs: ReadonlyArray<number>): ChurnWindow => ({
  user: "u",
  firstOnline,
  startMs: 0,
  tzOffsetH: 0,
  durationsMs: Float64Array.from(durationsMs)
})
