import { describe, expect, it } from "vitest"
import { formatBytes, formatCredits, formatDuration } from "./format.ts"

describe("formatCredits", () => {
  it("shows 2 to 4 decimals, so a small cost still shows in a balance", () => {
    expect([100, 99.9999, 0.0334, 12.5, 1234.567, -0.25, 0, 0.00001, -0.00001, 0.00005].map(formatCredits)).toEqual([
      "100.00 cr", "99.9999 cr", "0.0334 cr", "12.50 cr", "1,234.567 cr", "−0.25 cr", "0.00 cr", "< 0.0001 cr", "> −0.0001 cr", "0.0001 cr"
    ])
  })
})

describe("formatBytes and formatDuration", () => {
  it("pick a unit a reader takes in at a glance", () => {
    expect([0, 1023, 2048, 3 * 1024 * 1024, 15 * 2 ** 30].map(formatBytes)).toEqual(["0 B", "1023 B", "2.0 KiB", "3.0 MiB", "15 GiB"])
    expect([12, 2500, 125_000, 7_380_000].map(formatDuration)).toEqual(["12 ms", "2.5 s", "2 min 5 s", "2 h 3 min"])
  })
})
