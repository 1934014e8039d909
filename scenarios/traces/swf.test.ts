// Tests for the SWF reader: the real KTH SP2 and Lublin logs, malformed input with exact
// line numbers and reasons, file errors, and a format/parse round trip property.
// The real traces live beside the checkout in ../shared/traces (never copied into the repo).
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import fc from "fast-check"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import {
  SwfParseError,
  TraceFileError,
  formatSwfJob,
  parseSwfLine,
  readSwf,
  streamSwf,
  swfFields,
  type SwfJob
} from "./index.ts"

const traces = path.resolve(import.meta.dirname, "../../../shared/traces")
const kth = path.join(traces, "KTH-SP2-1996-2.1-cln.swf")
const lublin = path.join(traces, "lublin_256.swf")

const tmp = mkdtempSync(path.join(tmpdir(), "crowdcloud-swf-"))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
let fileCount = 0
const tempFile = (content: string): string => {
  const file = path.join(tmp, `t${fileCount++}.swf`)
  writeFileSync(file, content)
  return file
}

const goodLine = "1 0 10 100 4 -1 -1 4 3600 -1 1 1 1 -1 -1 -1 -1 -1"

describe("readSwf on real traces", () => {
  it.effect("KTH SP2: 28,476 jobs with header", () =>
    Effect.gen(function*() {
      const { header, jobs } = yield* readSwf(kth)
      expect(jobs.length).toBe(28_476)
      expect(header.maxProcs).toBe(100)
      expect(header.maxNodes).toBe(100)
      expect(header.unixStartTime).toBe(843_480_031)
      expect(header.fields["Computer"]).toBe("IBM SP2")
      expect(header.fields["Note"]).toContain("EASY")
      expect(jobs[0]).toMatchObject({ jobId: 15, submitS: 599_850, waitS: 192_180, runS: 3477, allocatedProcs: 4 })
      expect(jobs[0]!.requestedTimeS).toBe(53_940)
      // sorted by submit time, real (known) wait times
      for (let i = 1; i < jobs.length; i++) expect(jobs[i]!.submitS).toBeGreaterThanOrEqual(jobs[i - 1]!.submitS)
      expect(jobs.every((j) => j.waitS >= 0)).toBe(true)
      expect(jobs.every((j) => j.allocatedProcs <= 100)).toBe(true)
    }))

  it.effect("Lublin 256: 10,000 jobs, wait and requested time unknown", () =>
    Effect.gen(function*() {
      const { header, jobs } = yield* readSwf(lublin)
      expect(jobs.length).toBe(10_000)
      expect(header.maxNodes).toBe(256)
      expect(header.maxProcs).toBeUndefined()
      expect(jobs.every((j) => j.waitS === -1 && j.requestedTimeS === -1)).toBe(true)
      expect(jobs[0]).toMatchObject({ jobId: 1, submitS: 5094, runS: 12_072, allocatedProcs: 16 })
    }))

  it.effect("streamSwf is lazy: taking a few jobs stops early", () =>
    Effect.gen(function*() {
      const first = yield* streamSwf(kth).pipe(Stream.take(3), Stream.runCollect)
      expect(Chunk.toReadonlyArray(first).map((j) => j.jobId)).toEqual([15, 16, 17])
      const count = yield* Stream.runCount(streamSwf(lublin))
      expect(count).toBe(10_000)
    }))
})

describe("parseSwfLine", () => {
  it("blank lines give null, header lines give key/value, plain comments give null", () => {
    expect(parseSwfLine("   ", 1, "f")).toEqual(Either.right(null))
    expect(parseSwfLine("; MaxProcs: 100", 2, "f")).toEqual(Either.right({ _tag: "Header", key: "MaxProcs", value: "100" }))
    expect(parseSwfLine("; UnixStartTime: 843480031", 3, "f")).toEqual(
      Either.right({ _tag: "Header", key: "UnixStartTime", value: "843480031" })
    )
    expect(parseSwfLine(";              http://www.cs.huji.ac.il/", 4, "f")).toEqual(Either.right(null))
    expect(parseSwfLine(";", 5, "f")).toEqual(Either.right(null))
  })

  it("accepts fractional average CPU time", () => {
    const parsed = parseSwfLine("1 0 10 100 4 37.25 -1 4 3600 -1 1 1 1 -1 -1 -1 -1 -1", 1, "f")
    expect(Either.isRight(parsed) && parsed.right !== null && "avgCpuS" in parsed.right && parsed.right.avgCpuS).toBe(37.25)
  })

  const reasonOf = (text: string): string => {
    const parsed = parseSwfLine(text, 7, "x.swf")
    if (Either.isRight(parsed)) throw new Error(`expected a parse error for: ${text}`)
    expect(parsed.left).toBeInstanceOf(SwfParseError)
    expect(parsed.left.line).toBe(7)
    expect(parsed.left.file).toBe("x.swf")
    return parsed.left.reason
  }

  it("gives specific reasons", () => {
    expect(reasonOf("1 2 3 4 5 6 7 8 9 10 11 12")).toBe("expected 18 fields, found 12")
    expect(reasonOf("1 0 10 abc 4 -1 -1 4 3600 -1 1 1 1 -1 -1 -1 -1 -1")).toBe("field 4 (run time) is not a number: 'abc'")
    expect(reasonOf("1 0 -5 100 4 -1 -1 4 3600 -1 1 1 1 -1 -1 -1 -1 -1")).toMatch(/^field 3 \(wait time\) is negative: -5/)
    expect(reasonOf("1 0 10 100 2.5 -1 -1 4 3600 -1 1 1 1 -1 -1 -1 -1 -1")).toMatch(
      /^field 5 \(allocated processors\) must be a whole number/
    )
    expect(reasonOf("1 0 10 100 4 -1 -1 4 3600 -1 9 1 1 -1 -1 -1 -1 -1")).toMatch(/^field 11 \(status\)/)
    expect(reasonOf("-1 0 10 100 4 -1 -1 4 3600 -1 1 1 1 -1 -1 -1 -1 -1")).toMatch(/^field 1 \(job id\)/)
    expect(reasonOf("1 0 10 0x10 4 -1 -1 4 3600 -1 1 1 1 -1 -1 -1 -1 -1")).toMatch(/^field 4 \(run time\) is not a number/)
    expect(reasonOf("; MaxProcs: lots")).toBe("header MaxProcs is not a number: 'lots'")
  })

  it("error message names file, line, reason and text", () => {
    const parsed = parseSwfLine("1 2 3", 12, "a.swf")
    expect(Either.isLeft(parsed) && parsed.left.message).toBe('a.swf:12: expected 18 fields, found 3 (got "1 2 3")')
  })
})

describe("bad files", () => {
  it.effect("a bad line fails with its 1-based line number and the field named", () =>
    Effect.gen(function*() {
      const file = tempFile(["; MaxProcs: 8", "", goodLine, goodLine.replace(" 100 ", " abc "), goodLine].join("\n"))
      const error = yield* Effect.flip(readSwf(file))
      expect(error._tag).toBe("SwfParseError")
      if (error._tag !== "SwfParseError") return
      expect(error.file).toBe(file)
      expect(error.line).toBe(4)
      expect(error.reason).toBe("field 4 (run time) is not a number: 'abc'")
      expect(error.text).toContain("abc")
    }))

  it.effect("streamSwf fails on the first bad line after emitting the good ones", () =>
    Effect.gen(function*() {
      const file = tempFile([goodLine, goodLine.replace(/^1 /, "2 "), "3 1 2 3"].join("\n") + "\n")
      const result = yield* streamSwf(file).pipe(Stream.either, Stream.runCollect)
      const items = Chunk.toReadonlyArray(result)
      expect(items.length).toBe(3)
      expect(items.slice(0, 2).map((e) => Either.isRight(e) && e.right.jobId)).toEqual([1, 2])
      const last = items[2]!
      expect(Either.isLeft(last) && last.left._tag === "SwfParseError" && last.left.line).toBe(3)
    }))

  it.effect("CRLF endings, a BOM and no final newline are handled", () =>
    Effect.gen(function*() {
      const file = tempFile("\uFEFF; MaxProcs: 8\r\n" + goodLine + "\r\n" + goodLine.replace(/^1 /, "2 "))
      const { header, jobs } = yield* readSwf(file)
      expect(header.maxProcs).toBe(8)
      expect(jobs.map((j) => j.jobId)).toEqual([1, 2])
    }))

  it.effect("line numbers stay right across read chunks", () =>
    Effect.gen(function*() {
      const lines = Array.from({ length: 20_000 }, (_, i) => goodLine.replace(/^1 /, `${i + 1} `))
      lines[15_000] = "oops"
      const error = yield* Effect.flip(readSwf(tempFile(lines.join("\n"))))
      expect(error._tag === "SwfParseError" && error.line).toBe(15_001)
    }))

  it.effect("a missing file gives TraceFileError", () =>
    Effect.gen(function*() {
      const missing = path.join(tmp, "does-not-exist.swf")
      const error = yield* Effect.flip(readSwf(missing))
      expect(error).toBeInstanceOf(TraceFileError)
      expect(error._tag === "TraceFileError" && error.file).toBe(missing)
      expect(error.message).toContain("ENOENT")
      const streamed = yield* Effect.flip(Stream.runDrain(streamSwf(missing)))
      expect(streamed._tag).toBe("TraceFileError")
    }))

  it.effect("a directory gives TraceFileError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(readSwf(tmp))
      expect(error._tag).toBe("TraceFileError")
    }))
})

describe("round trip", () => {
  const unknownOr = (arb: fc.Arbitrary<number>) => fc.oneof(fc.constant(-1), arb)
  const whole = unknownOr(fc.integer({ min: 0, max: 2 ** 31 - 1 }))
  const real = unknownOr(
    fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x))
  )
  const integerKeys = new Set<keyof SwfJob>([
    "allocatedProcs",
    "requestedProcs",
    "user",
    "group",
    "executable",
    "queue",
    "partition",
    "precedingJob"
  ])
  const arbitraries = Object.fromEntries(
    swfFields.map(({ key }) => [
      key,
      key === "jobId"
        ? fc.integer({ min: 0, max: 2 ** 31 - 1 })
        : key === "status"
        ? fc.constantFrom(-1, 0, 1, 2, 3, 4, 5)
        : integerKeys.has(key)
        ? whole
        : real
    ])
  ) as { [K in keyof SwfJob]: fc.Arbitrary<number> }
  const arbJob: fc.Arbitrary<SwfJob> = fc.record(arbitraries)

  it("formatting a valid job as a line and parsing it back gives the same job", () => {
    fc.assert(
      fc.property(arbJob, fc.integer({ min: 1, max: 1_000_000 }), (job, line) => {
        expect(parseSwfLine(formatSwfJob(job), line, "prop.swf")).toEqual(Either.right(job))
        // extra whitespace between and around fields changes nothing
        const padded = `  ${formatSwfJob(job).split(" ").join(" \t  ")}  `
        expect(parseSwfLine(padded, line, "prop.swf")).toEqual(Either.right(job))
      }),
      { numRuns: 500 }
    )
  })
})
