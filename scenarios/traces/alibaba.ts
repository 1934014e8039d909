// Reader for the Alibaba GPU cluster trace (cluster-trace-gpu-v2023, "openb"): the node list and the
// pod list. Heterogeneous nodes and multi-resource pod requests (CPU, memory, GPUs, GPU shares) drive
// the multi-resource placement scenarios; this turns both CSV files into typed rows, streaming, and
// reports a malformed line with its file, line number and column.
import { Data, Effect, Either, Stream } from "effect"
import type { TraceFileError } from "./errors.ts"
import { streamParsedLines } from "./lines.ts"

/** The file names in ../shared/traces. */
export const alibabaNodeListFile = "alibaba-openb_node_list_all_node.csv"
export const alibabaPodListFile = "alibaba-openb_pod_list_default.csv"

/** One machine of the node list (`sn,cpu_milli,memory_mib,gpu,model`). */
export interface AlibabaNode {
  /** `sn`: the node's serial name, e.g. openb-node-0000. */
  readonly name: string
  /** `cpu_milli`: CPU capacity in thousandths of a core. */
  readonly cpuMilli: number
  /** `memory_mib`: memory capacity, MiB. */
  readonly memoryMiB: number
  /** `gpu`: number of GPUs. */
  readonly gpus: number
  /** `model`: GPU model (e.g. V100M16, T4, G2); null when the column is empty (nodes without GPUs). */
  readonly gpuModel: string | null
}

/** Quality of service class: latency-sensitive, best-effort, and Kubernetes' Burstable/Guaranteed. */
export type AlibabaQos = "LS" | "BE" | "Burstable" | "Guaranteed"
/** Kubernetes pod phase at the end of the trace. */
export type AlibabaPodPhase = "Running" | "Pending" | "Failed" | "Succeeded"

/** One pod request of the pod list. Times are seconds from the trace's start. */
export interface AlibabaPod {
  /** `name`, e.g. openb-pod-0000. */
  readonly name: string
  /** `cpu_milli`: requested CPU, thousandths of a core. */
  readonly cpuMilli: number
  /** `memory_mib`: requested memory, MiB. */
  readonly memoryMiB: number
  /** `num_gpu`: number of GPUs requested. */
  readonly gpus: number
  /** `gpu_milli`: share of each requested GPU, thousandths (0..1000; below 1000 is a shared GPU). */
  readonly gpuMilli: number
  /** `gpu_spec`: required GPU model(s), as written; null when any GPU will do (empty column). */
  readonly gpuSpec: string | null
  readonly qos: AlibabaQos
  readonly phase: AlibabaPodPhase
  /** `creation_time`, s. */
  readonly creationS: number
  /** `deletion_time`, s; at or after creation. */
  readonly deletionS: number
  /** `scheduled_time`, s; null for pods never scheduled (empty column, the Pending ones). */
  readonly scheduledS: number | null
}

export class AlibabaTraceParseError extends Data.TaggedError("AlibabaTraceParseError")<{
  readonly file: string
  /** 1-based line number. */
  readonly line: number
  /** The CSV column at fault (its header name); null when the line as a whole is wrong (extra fields). */
  readonly column: string | null
  readonly reason: string
  /** The offending line, truncated to about 200 characters. */
  readonly text: string
}> {
  override get message() {
    const where = this.column === null ? "" : ` column ${this.column}:`
    return `${this.file}:${this.line}:${where} ${this.reason} (got "${this.text}")`
  }
}

const nodeColumns = ["sn", "cpu_milli", "memory_mib", "gpu", "model"] as const
const podColumns = [
  "name",
  "cpu_milli",
  "memory_mib",
  "num_gpu",
  "gpu_milli",
  "gpu_spec",
  "qos",
  "pod_phase",
  "creation_time",
  "deletion_time",
  "scheduled_time"
] as const

const qosClasses: ReadonlySet<string> = new Set<AlibabaQos>(["LS", "BE", "Burstable", "Guaranteed"])
const podPhases: ReadonlySet<string> = new Set<AlibabaPodPhase>(["Running", "Pending", "Failed", "Succeeded"])

const wholeNumberPattern = /^\d+$/
const maxTextInError = 200

const clip = (text: string): string => (text.length > maxTextInError ? `${text.slice(0, maxTextInError - 3)}...` : text)

/** Fails a line; `column` is an index into `columns`, or null for the whole line. */
const failWith = (columns: ReadonlyArray<string>) =>
(file: string, line: number, text: string, column: number | null, reason: string) =>
  Either.left(
    new AlibabaTraceParseError({
      file,
      line,
      column: column === null ? null : `${column + 1} (${columns[column]})`,
      reason,
      text: clip(text)
    })
  )

/**
 * Splits a data line into exactly `columns.length` fields, or explains why not. The files hold no
 * quoted fields (names and codes only), so a comma always separates.
 */
const splitFields = (
  columns: ReadonlyArray<string>,
  text: string,
  line: number,
  file: string
): Either.Either<ReadonlyArray<string>, AlibabaTraceParseError> => {
  const fail = failWith(columns)
  const fields = text.split(",")
  if (fields.length < columns.length) {
    return fail(file, line, text, fields.length, `missing: expected ${columns.length} comma-separated fields, found ${fields.length}`)
  }
  if (fields.length > columns.length) {
    return fail(file, line, text, null, `expected ${columns.length} comma-separated fields, found ${fields.length}`)
  }
  return Either.right(fields)
}

/** The first line must be the header, exactly; a different one means a different file or version. */
const checkHeader = (
  columns: ReadonlyArray<string>,
  text: string,
  line: number,
  file: string
): Either.Either<null, AlibabaTraceParseError> => {
  const fail = failWith(columns)
  const fields = text.split(",").map((f) => f.trim())
  for (let i = 0; i < columns.length; i++) {
    if (fields[i] !== columns[i]) {
      return fail(file, line, text, i, `header must be '${columns.join(",")}', column ${i + 1} is '${fields[i] ?? ""}'`)
    }
  }
  if (fields.length > columns.length) return fail(file, line, text, null, `header has ${fields.length} columns, expected ${columns.length}`)
  return Either.right(null)
}

/** A whole, non-negative number in column i, or the reason it is not. */
const wholeNumber = (fields: ReadonlyArray<string>, i: number): number | string => {
  const token = fields[i]!.trim()
  if (token.length === 0) return "is empty, expected a whole number"
  if (!wholeNumberPattern.test(token)) return `is not a whole non-negative number: '${token}'`
  const value = Number(token)
  return Number.isSafeInteger(value) ? value : `is too large: '${token}'`
}

/**
 * What both lists share: line 1 is the checked header and blank lines are skipped (both give null);
 * otherwise the line's fields, its non-empty name (column 1), and the failure builder for its columns.
 */
const rowOf = (columns: ReadonlyArray<string>, kind: string, text: string, line: number, file: string) => {
  if (line === 1) return Either.map(checkHeader(columns, text, line, file), () => null)
  if (text.trim().length === 0) return Either.right(null)
  const fail = failWith(columns)
  return Either.flatMap(splitFields(columns, text, line, file), (fields) => {
    const name = fields[0]!.trim()
    return name.length === 0 ? fail(file, line, text, 0, `${kind} name is empty`) : Either.right({ fields, name, fail })
  })
}

/** Parses one line of the node list (pure). Line 1 is the header (checked, gives null); blank lines give null. */
export const parseAlibabaNodeLine = (
  text: string,
  line: number,
  file: string
): Either.Either<AlibabaNode | null, AlibabaTraceParseError> => {
  const row = rowOf(nodeColumns, "node", text, line, file)
  if (Either.isLeft(row) || row.right === null) return row as Either.Either<null, AlibabaTraceParseError>
  const { fields, name, fail } = row.right
  const numbers: Array<number> = []
  for (const i of [1, 2, 3]) {
    const value = wholeNumber(fields, i)
    if (typeof value === "string") return fail(file, line, text, i, value)
    numbers.push(value)
  }
  const model = fields[4]!.trim()
  return Either.right({
    name,
    cpuMilli: numbers[0]!,
    memoryMiB: numbers[1]!,
    gpus: numbers[2]!,
    gpuModel: model.length === 0 ? null : model
  })
}

/** Parses one line of the pod list (pure). Line 1 is the header (checked, gives null); blank lines give null. */
export const parseAlibabaPodLine = (
  text: string,
  line: number,
  file: string
): Either.Either<AlibabaPod | null, AlibabaTraceParseError> => {
  const row = rowOf(podColumns, "pod", text, line, file)
  if (Either.isLeft(row) || row.right === null) return row as Either.Either<null, AlibabaTraceParseError>
  const { fields, name, fail } = row.right
  const numbers: Array<number> = []
  for (const i of [1, 2, 3, 4, 8, 9]) {
    const value = wholeNumber(fields, i)
    if (typeof value === "string") return fail(file, line, text, i, value)
    numbers.push(value)
  }
  const [cpuMilli, memoryMiB, gpus, gpuMilli, creationS, deletionS] = numbers as [number, number, number, number, number, number]
  if (gpuMilli > 1000) return fail(file, line, text, 4, `GPU share must be at most 1000 thousandths: ${gpuMilli}`)
  const gpuSpec = fields[5]!.trim()
  const qos = fields[6]!.trim()
  if (!qosClasses.has(qos)) return fail(file, line, text, 6, `unknown QoS class '${qos}' (expected LS, BE, Burstable or Guaranteed)`)
  const phase = fields[7]!.trim()
  if (!podPhases.has(phase)) {
    return fail(file, line, text, 7, `unknown pod phase '${phase}' (expected Running, Pending, Failed or Succeeded)`)
  }
  if (deletionS < creationS) return fail(file, line, text, 9, `deletion time ${deletionS} is before creation time ${creationS}`)
  let scheduledS: number | null = null
  if (fields[10]!.trim().length > 0) {
    const value = wholeNumber(fields, 10)
    if (typeof value === "string") return fail(file, line, text, 10, value)
    if (value < creationS || value > deletionS) {
      return fail(file, line, text, 10, `scheduled time ${value} is outside the pod's life [${creationS}, ${deletionS}]`)
    }
    scheduledS = value
  }
  return Either.right({
    name,
    cpuMilli,
    memoryMiB,
    gpus,
    gpuMilli,
    gpuSpec: gpuSpec.length === 0 ? null : gpuSpec,
    qos: qos as AlibabaQos,
    phase: phase as AlibabaPodPhase,
    creationS,
    deletionS,
    scheduledS
  })
}

/** The nodes of a node list file, streamed (the file is read incrementally, never whole). */
export const streamAlibabaNodes = (path: string): Stream.Stream<AlibabaNode, AlibabaTraceParseError | TraceFileError> =>
  streamParsedLines(path, parseAlibabaNodeLine)

/** The pods of a pod list file, streamed, in file order (by creation time in the published files). */
export const streamAlibabaPods = (path: string): Stream.Stream<AlibabaPod, AlibabaTraceParseError | TraceFileError> =>
  streamParsedLines(path, parseAlibabaPodLine)

const collect = <A, E>(stream: Stream.Stream<A, E>): Effect.Effect<ReadonlyArray<A>, E> =>
  Effect.suspend(() => {
    const rows: Array<A> = []
    return stream.pipe(
      Stream.runForEachChunk((chunk) =>
        Effect.sync(() => {
          for (const row of chunk) rows.push(row)
        })
      ),
      Effect.as(rows)
    )
  })

/** Reads every node of a node list file. */
export const readAlibabaNodes = (path: string): Effect.Effect<ReadonlyArray<AlibabaNode>, AlibabaTraceParseError | TraceFileError> =>
  collect(streamAlibabaNodes(path))

/** Reads every pod of a pod list file. */
export const readAlibabaPods = (path: string): Effect.Effect<ReadonlyArray<AlibabaPod>, AlibabaTraceParseError | TraceFileError> =>
  collect(streamAlibabaPods(path))
