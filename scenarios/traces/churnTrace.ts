// Reader for the smartphone availability (churn) trace of the STUNner measurement.
// Real device online/offline sessions drive lender churn in scenarios; this turns each
// user-week window into typed data, streaming, with malformed lines reported by file and line.
import { Data, Effect, Either, Stream } from "effect"
import type { TraceFileError } from "./errors.ts"
import { streamParsedLines } from "./lines.ts"

export { TraceFileError } from "./errors.ts"

/**
 * One user-week window: session lengths alternate online/offline starting from `firstOnline`.
 * Line format: `user-id first-state(1/0) window-start(epoch ms) tz-offset(h) d1 d2 d3 …`.
 */
export interface ChurnWindow {
  readonly user: string
  /** State of the first session (durationsMs[0]); the state flips for each following duration. */
  readonly firstOnline: boolean
  /** Window start, Unix epoch milliseconds. */
  readonly startMs: number
  /** Local time zone offset from UTC, hours. */
  readonly tzOffsetH: number
  /** Session lengths in milliseconds, alternating states. */
  readonly durationsMs: Float64Array
}

export class ChurnTraceParseError extends Data.TaggedError("ChurnTraceParseError")<{
  readonly file: string
  /** 1-based line number. */
  readonly line: number
  readonly reason: string
  /** The offending line, truncated to about 80 characters. */
  readonly text: string
}> {
  override get message() {
    return `${this.file}:${this.line}: ${this.reason} (got "${this.text}")`
  }
}

const maxTextInError = 80
const numberPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/
const headerFieldCount = 4

const clip = (text: string): string => (text.length > maxTextInError ? `${text.slice(0, maxTextInError - 3)}...` : text)

const fail = (file: string, line: number, text: string, reason: string) =>
  Either.left(new ChurnTraceParseError({ file, line, reason, text: clip(text) }))

/** Parses one line of the churn trace (pure). Blank lines give null. */
export const parseChurnLine = (
  text: string,
  line: number,
  file: string
): Either.Either<ChurnWindow | null, ChurnTraceParseError> => {
  const trimmed = text.trim()
  if (trimmed.length === 0) return Either.right(null)
  const tokens = trimmed.split(/\s+/)
  if (tokens.length < headerFieldCount) {
    return fail(
      file,
      line,
      text,
      `expected at least ${headerFieldCount} fields (user, first state, window start, tz offset), found ${tokens.length}`
    )
  }
  const [user, state, start, tz] = tokens as [string, string, string, string]
  if (state !== "0" && state !== "1") {
    return fail(file, line, text, `field 2 (first state) must be 0 (offline) or 1 (online): '${state}'`)
  }
  if (!numberPattern.test(start)) return fail(file, line, text, `field 3 (window start) is not a number: '${start}'`)
  const startMs = Number(start)
  if (!Number.isSafeInteger(startMs) || startMs < 0) {
    return fail(file, line, text, `field 3 (window start) must be a non-negative whole number of ms: ${start}`)
  }
  if (!numberPattern.test(tz)) return fail(file, line, text, `field 4 (tz offset) is not a number: '${tz}'`)
  const tzOffsetH = Number(tz)
  if (tzOffsetH < -12 || tzOffsetH > 14) {
    return fail(file, line, text, `field 4 (tz offset) must be between -12 and 14 hours: ${tz}`)
  }
  const count = tokens.length - headerFieldCount
  if (count === 0) return fail(file, line, text, "no session durations after the 4 leading fields")
  const durationsMs = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    const token = tokens[headerFieldCount + i]!
    const where = `duration ${i + 1} (field ${headerFieldCount + i + 1})`
    if (!numberPattern.test(token)) return fail(file, line, text, `${where} is not a number: '${token}'`)
    const value = Number(token)
    if (!Number.isFinite(value)) return fail(file, line, text, `${where} is out of range: '${token}'`)
    if (value < 0) return fail(file, line, text, `${where} is negative: ${token}`)
    durationsMs[i] = value
  }
  return Either.right({ user, firstOnline: state === "1", startMs, tzOffsetH: tzOffsetH === 0 ? 0 : tzOffsetH, durationsMs })
}

/** The windows of a churn trace file, streamed (the file is read incrementally, never whole). */
export const streamChurnTrace = (path: string): Stream.Stream<ChurnWindow, ChurnTraceParseError | TraceFileError> =>
  streamParsedLines(path, parseChurnLine)

/** Reads every window of a churn trace file. */
export const readChurnTrace = (
  path: string
): Effect.Effect<ReadonlyArray<ChurnWindow>, ChurnTraceParseError | TraceFileError> =>
  Effect.suspend(() => {
    const windows: Array<ChurnWindow> = []
    return streamChurnTrace(path).pipe(
      Stream.runForEachChunk((chunk) =>
        Effect.sync(() => {
          for (const w of chunk) windows.push(w)
        })
      ),
      Effect.as(windows)
    )
  })

/** Online milliseconds of one window. */
export const onlineMs = (window: ChurnWindow): number => {
  let online = 0
  const d = window.durationsMs
  for (let i = window.firstOnline ? 0 : 1; i < d.length; i += 2) online += d[i]!
  return online
}

/** Total milliseconds covered by one window's sessions. */
export const totalMs = (window: ChurnWindow): number => {
  let total = 0
  for (const d of window.durationsMs) total += d
  return total
}

/** Fraction of all session time spent online (online ms / total ms); 0 when there is no time at all. */
export const onlineFraction = (windows: Iterable<ChurnWindow>): number => {
  let online = 0
  let total = 0
  for (const w of windows) {
    online += onlineMs(w)
    total += totalMs(w)
  }
  return total > 0 ? online / total : 0
}
