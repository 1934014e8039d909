// One attempt of a job on this agent, from inputs to exit: fetch the job's input objects from the
// coordinator, run it in a QEMU microVM while its stdout and stderr stream out as JobLog frames,
// store each file it wrote under /out, and report the exit as the sandbox saw it (JobExit). Whatever
// goes wrong (an input refused, a sandbox that cannot run the job, an output refused) is this
// attempt's failure with a reason, never the agent's.
import { Data, Effect } from "effect"
import type { JobSpec } from "../../core/domain/job.ts"
import type { Usage } from "../../core/domain/messages.ts"
import { type AgentFrame, type InputFetch, type JobExit, liveFrameBytesMax, type ObjectReply, type OutputStore } from "../protocol/messages.ts"
import type { SandboxInput, SandboxJob, SandboxResult } from "../sandbox/job.ts"
import { resultDigest } from "../sandbox/layerQemu.ts"
import type { QemuSandboxService } from "../sandbox/QemuSandbox.ts"

export type ObjectResult = ObjectReply["result"]
/** The agent's requests to the coordinator's object gateway. */
export type ObjectRequest = typeof InputFetch.Type | typeof OutputStore.Type

export interface AttemptIO {
  /** Sends a request (built around the id it is given) and waits for the coordinator's ObjectReply. */
  readonly request: (make: (requestId: number) => ObjectRequest) => Effect.Effect<ObjectResult>
  /** Sends a frame in order with the agent's other messages. */
  readonly emit: (frame: AgentFrame) => void
}

export interface AttemptOptions {
  /** The lender allows jobs that ask for it to have a network interface. */
  readonly allowNetwork: boolean
  /** Processes a job may have at once (core's spec has no such limit); default 256. */
  readonly maxProcesses?: number
}

/** What core's Agent needs to report the attempt (JobFinished). */
export interface AttemptReport {
  readonly outcome: "succeeded" | "failed"
  readonly usage: Usage
  readonly resultDigest?: string
}

/** The attempt could not run, or its results could not be delivered. */
export class AttemptFailed extends Data.TaggedError("AttemptFailed")<{
  readonly reason: string
}> {
  override get message() {
    return this.reason
  }
}

// The sandbox's floors (a spec may ask for 0 MiB); the same as core's port over the sandbox uses.
const memoryMiBMin = 64
const diskMiBMin = 64

/** The largest output file that fits one frame (base64 takes 4 bytes per 3; a margin for the rest of the frame). */
export const outputBytesMax = Math.floor((liveFrameBytesMax - 65536) / 4) * 3
const mib = (bytes: number) => (bytes / 1048576).toFixed(1)

const noUsage: JobExit["usage"] = { cpuMs: 0, hostCpuMs: 0, memoryPeakMiB: 0, bytesIn: 0, bytesOut: 0, wallMs: 0 }

const fetchInputs = (job: JobSpec, attempt: number, io: AttemptIO) =>
  Effect.forEach(job.io?.inputs ?? [], (input) =>
    io.request((requestId) => ({ _tag: "InputFetch", requestId, jobId: job.id, attempt, bucket: input.bucket, key: input.key })).pipe(
      Effect.flatMap((reply): Effect.Effect<SandboxInput, AttemptFailed> =>
        reply._tag === "Bytes"
          ? Effect.succeed({ path: input.path, bytes: reply.data })
          : new AttemptFailed({
            reason: `input ${input.bucket}/${input.key}: ${reply._tag === "Refused" ? reply.reason : "the coordinator answered with something other than its bytes"}`
          })
      )
    ))

/** Stores the outputs in path order; the first refusal is the attempt's failure (the rest are still tried). */
const storeOutputs = (job: JobSpec, attempt: number, result: SandboxResult, io: AttemptIO) =>
  Effect.gen(function* () {
    const problems: Array<string> = []
    const outputs = [...result.outputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    for (const output of outputs) {
      if (output.bytes.length > outputBytesMax) {
        problems.push(`output ${output.path} is too large to store (${mib(output.bytes.length)} MiB; at most ${mib(outputBytesMax)} MiB per file)`)
        continue
      }
      const reply = yield* io.request((requestId) => ({ _tag: "OutputStore", requestId, jobId: job.id, attempt, path: output.path, data: output.bytes }))
      if (reply._tag === "Refused") problems.push(`output ${output.path} was not stored: ${reply.reason}`)
      else if (reply._tag !== "Stored") problems.push(`output ${output.path}: the coordinator did not confirm storing it`)
    }
    return problems
  })

export const sandboxJobFor = (job: JobSpec, inputs: ReadonlyArray<SandboxInput>, options: AttemptOptions): Omit<SandboxJob, "onOutput"> => ({
  image: job.image,
  command: job.command,
  vcpus: job.resources.vcpus,
  memoryMiB: Math.max(memoryMiBMin, job.resources.memoryMiB),
  diskMiB: Math.max(diskMiBMin, job.resources.diskMiB),
  // Network is the lender's to grant: without consent the job runs without a NIC.
  network: (job.io?.network ?? false) && options.allowNetwork,
  env: job.io?.env ?? {},
  timeoutMs: job.requestedTimeMs,
  maxProcesses: options.maxProcesses ?? 256,
  inputs
})

/** Runs the attempt to its end and emits its JobLog and JobExit frames; interrupting it kills the VM. */
export const runAttempt = (
  sandbox: QemuSandboxService,
  job: JobSpec,
  attempt: number,
  io: AttemptIO,
  options: AttemptOptions
): Effect.Effect<AttemptReport> => {
  const streams = { stdout: new TextDecoder(), stderr: new TextDecoder() }
  const log = (stream: "stdout" | "stderr", text: string) => {
    if (text.length > 0) io.emit({ _tag: "JobLog", jobId: job.id, attempt, stream, text })
  }
  return Effect.gen(function* () {
    const inputs = yield* fetchInputs(job, attempt, io)
    const result = yield* sandbox.run({
      ...sandboxJobFor(job, inputs, options),
      onStarted: () => io.emit({ _tag: "JobRunning", jobId: job.id, attempt }),
      // A UTF-8 character split across chunks is held back until its rest arrives.
      onOutput: (stream, chunk) => log(stream, streams[stream].decode(chunk, { stream: true }))
    }).pipe(
      Effect.mapError((e) => new AttemptFailed({ reason: e.message })),
      Effect.catchAllDefect((defect) => new AttemptFailed({ reason: `the sandbox broke: ${defect instanceof Error ? defect.message : String(defect)}` }))
    )
    log("stdout", streams.stdout.decode())
    log("stderr", streams.stderr.decode())
    const problems = yield* storeOutputs(job, attempt, result, io)
    const succeeded = result.exitCode === 0 && result.outcome !== "stopped" && problems.length === 0
    io.emit({
      _tag: "JobExit",
      jobId: job.id,
      attempt,
      exitCode: result.exitCode,
      outcome: problems.length > 0 ? "failed" : result.outcome,
      ...(result.limit !== undefined ? { limit: result.limit } : {}),
      ...(problems.length > 0 ? { reason: problems.join("; ") } : result.reason !== undefined ? { reason: result.reason } : {}),
      usage: result.usage,
      warm: result.warm
    })
    return {
      outcome: succeeded ? "succeeded" : "failed",
      usage: { cpuMs: result.usage.cpuMs, wallMs: result.usage.wallMs, memoryMiBMax: result.usage.memoryPeakMiB },
      resultDigest: resultDigest(result)
    } satisfies AttemptReport
  }).pipe(
    Effect.catchAll((failure) =>
      Effect.sync((): AttemptReport => {
        io.emit({ _tag: "JobExit", jobId: job.id, attempt, exitCode: null, outcome: "failed", reason: failure.reason, usage: noUsage, warm: false })
        return { outcome: "failed", usage: { cpuMs: 0, wallMs: 0, memoryMiBMax: 0 } }
      })
    )
  )
}
