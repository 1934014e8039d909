// What coordinator and agents say to each other in live mode, beyond core's messages: core's
// AgentMessage/CoordinatorMessage drive the state machines; these frames carry what only a real
// cluster has: shard bytes (the coordinator is the object gateway, agents keep shards on disk),
// job inputs and outputs, streamed logs, and a job's exit as its sandbox saw it. Requests carry a
// `requestId` and get exactly one reply with the same id. Bytes travel as base64 inside the JSON
// frame: simple, and within a few percent of raw TLS throughput at the sizes shards have.
import { ParseResult, Schema } from "effect"
import { JobId } from "../../core/domain/ids.ts"
import { AgentMessage, CoordinatorMessage } from "../../core/domain/messages.ts"

const RequestId = Schema.NonNegativeInt
const Attempt = Schema.NonNegativeInt
const base64Text = /^[A-Za-z0-9+/]*={0,2}$/
/**
 * Bytes as base64 through node's Buffer: Schema.Uint8ArrayFromBase64 encodes at about 5 MB/s (a
 * string built per character), which capped every shard transfer; Buffer does over 1 GB/s.
 * Decoding refuses what Uint8ArrayFromBase64 refuses (length not a multiple of 4, other characters).
 */
const Bytes = Schema.transformOrFail(Schema.String, Schema.Uint8ArrayFromSelf, {
  strict: true,
  decode: (text, _, ast) =>
    text.length % 4 === 0 && base64Text.test(text)
      ? ParseResult.succeed(new Uint8Array(Buffer.from(text, "base64")))
      : ParseResult.fail(new ParseResult.Type(ast, text, "not base64 (length must be a multiple of 4, characters A-Z a-z 0-9 + / and = padding)")),
  encode: (bytes) => ParseResult.succeed(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"))
})
const ObjectIdHex = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{32}$/))
const ShardIndex = Schema.NonNegativeInt

// ---- coordinator -> agent: shard requests (answered by ShardReply)
export const ShardPut = Schema.TaggedStruct("ShardPut", { requestId: RequestId, objectId: ObjectIdHex, index: ShardIndex, data: Bytes })
export const ShardGet = Schema.TaggedStruct("ShardGet", { requestId: RequestId, objectId: ObjectIdHex, index: ShardIndex })
export const ShardDelete = Schema.TaggedStruct("ShardDelete", { requestId: RequestId, objectId: ObjectIdHex, index: ShardIndex })
export const ShardList = Schema.TaggedStruct("ShardList", { requestId: RequestId })
export const ShardChallenge = Schema.TaggedStruct("ShardChallenge", { requestId: RequestId, objectId: ObjectIdHex, index: ShardIndex, nonce: Bytes })
export const ShardRequest = Schema.Union(ShardPut, ShardGet, ShardDelete, ShardList, ShardChallenge)
export type ShardRequest = typeof ShardRequest.Type

/** Why an agent could not do what a shard request asked. */
export const ShardFailure = Schema.Union(
  Schema.TaggedStruct("ShardMissing", {}),
  Schema.TaggedStruct("NodeFull", { neededBytes: Schema.NonNegativeInt, freeBytes: Schema.NonNegativeInt })
)
export type ShardFailure = typeof ShardFailure.Type

/** The reply to a coordinator request from an agent: the asked-for bytes or shard list, or why not. */
export const ShardReply = Schema.TaggedStruct("ShardReply", {
  requestId: RequestId,
  result: Schema.Union(
    Schema.TaggedStruct("Done", {}),
    Schema.TaggedStruct("Bytes", { data: Bytes }),
    Schema.TaggedStruct("Shards", { shards: Schema.Array(Schema.Struct({ objectId: ObjectIdHex, index: ShardIndex })) }),
    Schema.TaggedStruct("Failed", { failure: ShardFailure })
  )
})
export type ShardReply = typeof ShardReply.Type

// ---- agent -> coordinator: job I/O
/** The agent needs an input object of a job it runs (answered by ObjectReply). */
export const InputFetch = Schema.TaggedStruct("InputFetch", { requestId: RequestId, jobId: JobId, attempt: Attempt, bucket: Schema.String, key: Schema.String })
/** A file the job wrote under /out, to be stored under the job's output prefix (answered by ObjectReply). */
export const OutputStore = Schema.TaggedStruct("OutputStore", { requestId: RequestId, jobId: JobId, attempt: Attempt, path: Schema.String, data: Bytes })
/** A piece of the job's stdout or stderr, as it runs. */
/** The guest started the attempt's process (core's JobStarted is sent earlier, when the agent admits the job). */
export const JobRunning = Schema.TaggedStruct("JobRunning", { jobId: JobId, attempt: Attempt })
export const JobLog = Schema.TaggedStruct("JobLog", { jobId: JobId, attempt: Attempt, stream: Schema.Literal("stdout", "stderr"), text: Schema.String })
/** How the sandbox saw the attempt end; sent just before core's JobFinished for the same attempt. */
export const JobExit = Schema.TaggedStruct("JobExit", {
  jobId: JobId,
  attempt: Attempt,
  exitCode: Schema.NullOr(Schema.Int),
  outcome: Schema.Literal("succeeded", "failed", "stopped"),
  /** The limit that stopped it (timeout, memory, processes, disk), when one did. */
  limit: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String),
  usage: Schema.Struct({
    cpuMs: Schema.NonNegative,
    hostCpuMs: Schema.NonNegative,
    memoryPeakMiB: Schema.NonNegative,
    bytesIn: Schema.NonNegative,
    bytesOut: Schema.NonNegative,
    wallMs: Schema.NonNegative
  }),
  warm: Schema.Boolean
})
export type JobExit = typeof JobExit.Type

/** The coordinator's answer to InputFetch or OutputStore. */
export const ObjectReply = Schema.TaggedStruct("ObjectReply", {
  requestId: RequestId,
  result: Schema.Union(
    Schema.TaggedStruct("Stored", { key: Schema.String }),
    Schema.TaggedStruct("Bytes", { data: Bytes }),
    Schema.TaggedStruct("Refused", { reason: Schema.String })
  )
})
export type ObjectReply = typeof ObjectReply.Type

/** Everything an agent may send; core's messages first. */
export const AgentFrame = Schema.Union(...AgentMessage.members, ShardReply, InputFetch, OutputStore, JobRunning, JobLog, JobExit)
export type AgentFrame = typeof AgentFrame.Type

/** Everything the coordinator may send to an agent. */
export const CoordinatorFrame = Schema.Union(...CoordinatorMessage.members, ShardPut, ShardGet, ShardDelete, ShardList, ShardChallenge, ObjectReply)
export type CoordinatorFrame = typeof CoordinatorFrame.Type

const isAgentMessage = Schema.is(AgentMessage)
const isCoordinatorMessage = Schema.is(CoordinatorMessage)
/** Whether a frame is one of core's messages (for the state machines) rather than live I/O. */
export const isCoreAgentMessage = (frame: AgentFrame): frame is AgentMessage => isAgentMessage(frame)
export const isCoreCoordinatorMessage = (frame: CoordinatorFrame): frame is CoordinatorMessage => isCoordinatorMessage(frame)

/** Frames on an authenticated link carry shards and outputs, so they may be large. */
export const liveFrameBytesMax = 96 * 1024 * 1024
