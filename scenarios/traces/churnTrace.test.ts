// Tests for the churn trace reader: the real STUNner smartphone trace (counts and online share),
// malformed lines reported with their line numbers, and file errors.
// The real trace lives beside the checkout in ../shared/traces (never copied into the repo).
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import {
  ChurnTraceParseError,
  TraceFileError,
  onlineFraction,
  parseChurnLine,
  readChurnTrace,
  streamChurnTrace
} from "./index.ts"
import { churnWindow as window } from "./fixtures.ts"

const trace = path.resolve(import.meta.dirname, "../../../shared/traces/smartphone-sessions-peersim_session_100.txt")

const tmp = mkdtempSync(path.join(tmpdir(), "crowdcloud-churn-"))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
let fileCount = 0
const tempFile = (content: string): string => {
  const file = path.join(tmp, `t${fileCount++}.txt`)
  writeFileSync(file, content)
  return file
}

describe("readChurnTrace on the real trace", () => {
  it.effect("4,334 windows, 318,988 durations, about 23% online", () =>
    Effect.gen(function*() {
      const windows = yield* readChurnTrace(trace)
      expect(windows.length).toBe(4334)
      expect(windows.reduce((n, w) => n + w.durationsMs.length, 0)).toBe(318_988)
      expect(onlineFraction(windows)).toBeCloseTo(0.232, 2)
      const first = windows[0]!
      expect(first.user).toBe("user_py_data_manip/00HKi69dFlK2TX5iYd9YQ214Ma2ex0PamKMYrVUCk")
      expect(first.firstOnline).toBe(true)
      expect(first.startMs).toBe(1_402_358_400_000)
      expect(first.tzOffsetH).toBe(2)
      expect(Array.from(first.durationsMs.subarray(0, 3))).toEqual([1_769_049, 10_067, 11_050_680])
      expect(windows.every((w) => w.tzOffsetH >= -12 && w.tzOffsetH <= 14)).toBe(true)
    }))

  it.effect("streamChurnTrace is lazy: taking a few windows stops early", () =>
    Effect.gen(function*() {
      const firstTwo = yield* streamChurnTrace(trace).pipe(Stream.take(2), Stream.runCollect)
      expect(Chunk.size(firstTwo)).toBe(2)
    }))
})

describe("onlineFraction", () => {
  it("alternates states from the first one", () => {
    expect(onlineFraction([window(true, [10, 30, 20])])).toBeCloseTo(30 / 60)
    expect(onlineFraction([window(false, [10, 30, 20])])).toBeCloseTo(30 / 60)
    expect(onlineFraction([window(false, [10, 30]), window(true, [60])])).toBeCloseTo(90 / 100)
    expect(onlineFraction([])).toBe(0)
  })
})

describe("parseChurnLine", () => {
  it("parses a line and ignores blank ones", () => {
    const parsed = parseChurnLine("alice 0 1000 -4 5 6 7", 1, "f")
    expect(Either.isRight(parsed)).toBe(true)
    if (Either.isLeft(parsed) || parsed.right === null) return
    expect(parsed.right).toMatchObject({ user: "alice", firstOnline: false, startMs: 1000, tzOffsetH: -4 })
    expect(Array.from(parsed.right.durationsMs)).toEqual([5, 6, 7])
    expect(parseChurnLine("  ", 2, "f")).toEqual(Either.right(null))
  })

  const reasonOf = (text: string): string => {
    const parsed = parseChurnLine(text, 3, "c.txt")
    if (Either.isRight(parsed)) throw new Error(`expected a parse error for: ${text}`)
    expect(parsed.left).toBeInstanceOf(ChurnTraceParseError)
    expect(parsed.left.line).toBe(3)
    return parsed.left.reason
  }

  it("gives specific reasons", () => {
    expect(reasonOf("alice 1 1000")).toMatch(/^expected at least 4 fields/)
    expect(reasonOf("alice 2 1000 0 5")).toBe("field 2 (first state) must be 0 (offline) or 1 (online): '2'")
    expect(reasonOf("alice 1 soon 0 5")).toBe("field 3 (window start) is not a number: 'soon'")
    expect(reasonOf("alice 1 1000 x 5")).toBe("field 4 (tz offset) is not a number: 'x'")
    expect(reasonOf("alice 1 1000 30 5")).toMatch(/^field 4 \(tz offset\) must be between/)
    expect(reasonOf("alice 1 1000 0 5 6 seven")).toBe("duration 3 (field 7) is not a number: 'seven'")
    expect(reasonOf("alice 1 1000 0 5 -6")).toBe("duration 2 (field 6) is negative: -6")
    expect(reasonOf("alice 1 1000 0")).toMatch(/no session durations/)
  })

  it("truncates the offending text to about 80 characters", () => {
    const long = `alice 1 1000 0 ${Array.from({ length: 200 }, () => "12345").join(" ")} bad`
    const parsed = parseChurnLine(long, 9, "c.txt")
    expect(Either.isLeft(parsed)).toBe(true)
    if (Either.isRight(parsed)) return
    expect(parsed.left.text.length).toBeLessThanOrEqual(80)
    expect(parsed.left.reason).toBe("duration 201 (field 205) is not a number: 'bad'")
    expect(parsed.left.message).toMatch(/^c\.txt:9: duration 201 \(field 205\) is not a number: 'bad' \(got "alice 1 1000 0 /)
  })
})

describe("bad files", () => {
  it.effect("a non-numeric duration fails with its line number", () =>
    Effect.gen(function*() {
      const file = tempFile(["a 1 1000 2 10 20", "b 0 1000 2 10 20", "c 1 1000 2 10 x20 30", "d 1 1000 2 5"].join("\n"))
      const error = yield* Effect.flip(readChurnTrace(file))
      expect(error._tag).toBe("ChurnTraceParseError")
      if (error._tag !== "ChurnTraceParseError") return
      expect(error.file).toBe(file)
      expect(error.line).toBe(3)
      expect(error.reason).toBe("duration 2 (field 6) is not a number: 'x20'")
    }))

  it.effect("a first state other than 0/1 fails with its line number", () =>
    Effect.gen(function*() {
      const file = tempFile(["a 1 1000 2 10 20", "", "b yes 1000 2 10 20"].join("\n") + "\n")
      const error = yield* Effect.flip(readChurnTrace(file))
      expect(error._tag === "ChurnTraceParseError" && error.line).toBe(3)
      expect(error._tag === "ChurnTraceParseError" && error.reason).toMatch(/^field 2 \(first state\)/)
    }))

  it.effect("a missing file gives TraceFileError", () =>
    Effect.gen(function*() {
      const missing = path.join(tmp, "nope.txt")
      const error = yield* Effect.flip(readChurnTrace(missing))
      expect(error).toBeInstanceOf(TraceFileError)
      expect(error._tag === "TraceFileError" && error.file).toBe(missing)
    }))
})
