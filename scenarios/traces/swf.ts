// Reader for the Standard Workload Format (SWF v2.2) of the Parallel Workloads Archive.
// Real and synthetic HPC job logs (KTH SP2, Lublin model) drive scheduling scenarios; this turns
// them into typed jobs, streaming, and reports malformed lines with file, line and field.
import { Data, Effect, Either, Stream } from "effect"
import type { TraceFileError } from "./errors.ts"
import { streamParsedLines } from "./lines.ts"

export { TraceFileError } from "./errors.ts"

/** One SWF job record. Every field is a number; -1 means unknown, exactly as in the file. */
export interface SwfJob {
  /** 1: job number. */
  readonly jobId: number
  /** 2: submit time, seconds since the log's start (UnixStartTime). */
  readonly submitS: number
  /** 3: wait time in the queue, seconds. */
  readonly waitS: number
  /** 4: run time (wall clock), seconds. */
  readonly runS: number
  /** 5: number of allocated processors. */
  readonly allocatedProcs: number
  /** 6: average CPU time used per processor, seconds (may be fractional). */
  readonly avgCpuS: number
  /** 7: used memory per processor, KiB. */
  readonly usedMemKiB: number
  /** 8: requested number of processors. */
  readonly requestedProcs: number
  /** 9: requested time (user runtime estimate), seconds. */
  readonly requestedTimeS: number
  /** 10: requested memory per processor, KiB. */
  readonly requestedMemKiB: number
  /** 11: status: 1 completed, 0 failed, 5 cancelled, 2/3/4 checkpoint/partial records, -1 unknown. */
  readonly status: number
  /** 12: user id. */
  readonly user: number
  /** 13: group id. */
  readonly group: number
  /** 14: executable (application) number. */
  readonly executable: number
  /** 15: queue number. */
  readonly queue: number
  /** 16: partition number. */
  readonly partition: number
  /** 17: preceding job number (dependency). */
  readonly precedingJob: number
  /** 18: think time from the preceding job's end, seconds. */
  readonly thinkTimeS: number
}

/** A `; Key: value` header comment line. */
export interface SwfHeaderLine {
  readonly _tag: "Header"
  readonly key: string
  readonly value: string
}

/** The header of an SWF file, assembled from its `; Key: value` comment lines. */
export interface SwfHeader {
  /** Every header key with its value; a key repeated (e.g. `Note`) has its values joined by "\n". */
  readonly fields: Readonly<Record<string, string>>
  readonly maxProcs?: number
  readonly maxNodes?: number
  readonly unixStartTime?: number
}

export class SwfParseError extends Data.TaggedError("SwfParseError")<{
  readonly file: string
  /** 1-based line number. */
  readonly line: number
  readonly reason: string
  readonly text: string
}> {
  override get message() {
    return `${this.file}:${this.line}: ${this.reason} (got "${this.text}")`
  }
}

/** The 18 SWF fields in file order, with their names as used in error messages. */
export const swfFields = [
  { key: "jobId", name: "job id" },
  { key: "submitS", name: "submit time" },
  { key: "waitS", name: "wait time" },
  { key: "runS", name: "run time" },
  { key: "allocatedProcs", name: "allocated processors" },
  { key: "avgCpuS", name: "average CPU time" },
  { key: "usedMemKiB", name: "used memory" },
  { key: "requestedProcs", name: "requested processors" },
  { key: "requestedTimeS", name: "requested time" },
  { key: "requestedMemKiB", name: "requested memory" },
  { key: "status", name: "status" },
  { key: "user", name: "user id" },
  { key: "group", name: "group id" },
  { key: "executable", name: "executable" },
  { key: "queue", name: "queue" },
  { key: "partition", name: "partition" },
  { key: "precedingJob", name: "preceding job" },
  { key: "thinkTimeS", name: "think time" }
] as const satisfies ReadonlyArray<{ key: keyof SwfJob; name: string }>

/** Fields that are counts or identifiers, so must be whole numbers. */
const integerFields: ReadonlySet<keyof SwfJob> = new Set<keyof SwfJob>([
  "jobId",
  "allocatedProcs",
  "requestedProcs",
  "status",
  "user",
  "group",
  "executable",
  "queue",
  "partition",
  "precedingJob"
])

const validStatuses: ReadonlySet<number> = new Set([-1, 0, 1, 2, 3, 4, 5])

/** Header keys exposed as numbers on SwfHeader, so their value must be a number when present. */
const numericHeaderKeys: ReadonlySet<string> = new Set(["MaxProcs", "MaxNodes", "UnixStartTime"])

const numberPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/
const headerPattern = /^;\s*([A-Za-z][\w-]*)\s*:(?:\s+(.*))?$/
const maxTextInError = 200

const clip = (text: string): string => (text.length > maxTextInError ? `${text.slice(0, maxTextInError - 3)}...` : text)

const fail = (file: string, line: number, text: string, reason: string) =>
  Either.left(new SwfParseError({ file, line, reason, text: clip(text) }))

/**
 * Parses one line of an SWF file (pure).
 * - blank lines and comment lines without a `Key: value` give null;
 * - `; Key: value` lines give a SwfHeaderLine;
 * - anything else must be a job of 18 numeric fields.
 */
export const parseSwfLine = (
  text: string,
  line: number,
  file: string
): Either.Either<SwfJob | SwfHeaderLine | null, SwfParseError> => {
  const trimmed = text.trim()
  if (trimmed.length === 0) return Either.right(null)
  if (trimmed.startsWith(";")) {
    const m = headerPattern.exec(trimmed)
    if (m === null) return Either.right(null)
    const key = m[1]!
    const value = (m[2] ?? "").trim()
    if (numericHeaderKeys.has(key) && value.length > 0 && !numberPattern.test(value)) {
      return fail(file, line, text, `header ${key} is not a number: '${value}'`)
    }
    return Either.right({ _tag: "Header", key, value })
  }
  const tokens = trimmed.split(/\s+/)
  if (tokens.length !== swfFields.length) {
    return fail(file, line, text, `expected ${swfFields.length} fields, found ${tokens.length}`)
  }
  const job: Record<string, number> = {}
  for (let i = 0; i < swfFields.length; i++) {
    const { key, name } = swfFields[i]!
    const token = tokens[i]!
    const where = `field ${i + 1} (${name})`
    if (!numberPattern.test(token)) return fail(file, line, text, `${where} is not a number: '${token}'`)
    const raw = Number(token)
    const value = raw === 0 ? 0 : raw // no -0
    if (!Number.isFinite(value)) return fail(file, line, text, `${where} is out of range: '${token}'`)
    if (value < 0 && value !== -1) {
      return fail(file, line, text, `${where} is negative: ${token} (only -1, meaning unknown, is allowed)`)
    }
    if (integerFields.has(key) && !Number.isInteger(value)) {
      return fail(file, line, text, `${where} must be a whole number: ${token}`)
    }
    job[key] = value
  }
  if (job.jobId === -1) return fail(file, line, text, "field 1 (job id) must be known, not -1")
  if (!validStatuses.has(job.status!)) {
    return fail(file, line, text, `field 11 (status) must be -1 or 0..5: ${tokens[10]}`)
  }
  return Either.right(job as unknown as SwfJob)
}

/** True for the header lines produced by parseSwfLine / streamSwfRecords. */
export const isSwfHeaderLine = (record: SwfJob | SwfHeaderLine): record is SwfHeaderLine => "_tag" in record

/** Formats a job as one SWF line (the inverse of parseSwfLine for jobs). */
export const formatSwfJob = (job: SwfJob): string => swfFields.map(({ key }) => String(job[key])).join(" ")

/** Every job and header line of an SWF file, in file order, streamed. */
export const streamSwfRecords = (path: string): Stream.Stream<SwfJob | SwfHeaderLine, SwfParseError | TraceFileError> =>
  streamParsedLines(path, parseSwfLine)

/** The jobs of an SWF file, streamed (the file is read incrementally, never whole). */
export const streamSwf = (path: string): Stream.Stream<SwfJob, SwfParseError | TraceFileError> =>
  streamSwfRecords(path).pipe(Stream.filter((r): r is SwfJob => !isSwfHeaderLine(r)))

const headerNumber = (fields: Readonly<Record<string, string>>, key: string): number | undefined => {
  const value = fields[key]
  return value !== undefined && numberPattern.test(value) ? Number(value) : undefined
}

/** Builds the typed header from `Key: value` pairs (repeated keys are joined by "\n"). */
export const swfHeaderFromLines = (lines: Iterable<SwfHeaderLine>): SwfHeader => {
  const fields: Record<string, string> = {}
  for (const { key, value } of lines) {
    const previous = fields[key]
    fields[key] = previous === undefined ? value : `${previous}\n${value}`
  }
  const maxProcs = headerNumber(fields, "MaxProcs")
  const maxNodes = headerNumber(fields, "MaxNodes")
  const unixStartTime = headerNumber(fields, "UnixStartTime")
  return {
    fields,
    ...(maxProcs !== undefined ? { maxProcs } : {}),
    ...(maxNodes !== undefined ? { maxNodes } : {}),
    ...(unixStartTime !== undefined ? { unixStartTime } : {})
  }
}

/** Reads a whole SWF file: its header (from the `;` lines) and all its jobs. */
export const readSwf = (
  path: string
): Effect.Effect<{ header: SwfHeader; jobs: ReadonlyArray<SwfJob> }, SwfParseError | TraceFileError> =>
  Effect.suspend(() => {
    const headerLines: Array<SwfHeaderLine> = []
    const jobs: Array<SwfJob> = []
    return streamSwfRecords(path).pipe(
      Stream.runForEachChunk((chunk) =>
        Effect.sync(() => {
          for (const record of chunk) {
            if (isSwfHeaderLine(record)) headerLines.push(record)
            else jobs.push(record)
          }
        })
      ),
      Effect.map(() => ({ header: swfHeaderFromLines(headerLines), jobs }))
    )
  })
