// How a job's spec becomes a sandbox job (floors, environment, the lender's say over the network), and
// how an attempt's results are delivered, over a stand-in sandbox: outputs in path order, an output
// refused or too large for a frame, a sandbox that breaks.
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { AgentFrame } from "../protocol/messages.ts"
import type { SandboxResult } from "../sandbox/job.ts"
import type { QemuSandboxService } from "../sandbox/QemuSandbox.ts"
import { type AttemptIO, type ObjectRequest, type ObjectResult, outputBytesMax, runAttempt, sandboxJobFor } from "./runAttempt.ts"
import { busyboxJob } from "./testSupport.ts"

const io = { env: { A: "1" }, inputs: [], output: { bucket: "outputs", prefix: "p/" }, network: true }

describe("sandboxJobFor", () => {
  it("a job that asks for the network gets it only where the lender allows it", () => {
    const job = busyboxJob(1, ["true"], io)
    expect(sandboxJobFor(job, [], { allowNetwork: false }).network).toBe(false)
    expect(sandboxJobFor(job, [], { allowNetwork: true }).network).toBe(true)
    expect(sandboxJobFor(busyboxJob(2, ["true"]), [], { allowNetwork: true }).network).toBe(false)
  })

  it("carries the image, command, resources, environment and timeout; zero memory or disk get the sandbox's floor", () => {
    const job = { ...busyboxJob(1, ["sh", "-c", "x"], io), resources: { vcpus: 2, memoryMiB: 0, diskMiB: 300 }, requestedTimeMs: 1234 }
    const inputs = [{ path: "a", bytes: new Uint8Array([1]) }]
    expect(sandboxJobFor(job, inputs, { allowNetwork: false, maxProcesses: 9 })).toEqual({
      image: "busybox", command: ["sh", "-c", "x"], vcpus: 2, memoryMiB: 64, diskMiB: 300, network: false,
      env: { A: "1" }, timeoutMs: 1234, maxProcesses: 9, inputs
    })
  })
})

const result = (outputs: SandboxResult["outputs"]): SandboxResult => ({
  exitCode: 0, outcome: "succeeded", outputs, stdout: "", stderr: "", warm: true,
  usage: { cpuMs: 5, hostCpuMs: 9, memoryPeakMiB: 3, bytesIn: 1, bytesOut: 2, wallMs: 40 }
})

/** A sandbox that answers every job with `run`, and an IO that records frames and answers requests with `answer`. */
const standIn = (run: QemuSandboxService["run"], answer: (request: ObjectRequest) => ObjectResult) => {
  const frames: Array<AgentFrame> = []
  const sandbox = { run } as QemuSandboxService
  const io: AttemptIO = {
    request: (make) => Effect.sync(() => {
      const request = make(frames.length)
      frames.push(request)
      return answer(request)
    }),
    emit: (frame) => frames.push(frame)
  }
  return { sandbox, io, frames }
}

describe("runAttempt over a stand-in sandbox", () => {
  const bytes = (text: string) => new Uint8Array(Buffer.from(text))

  it.effect("stores the outputs in path order, then reports the exit; a refused output fails the attempt with the reason", () =>
    Effect.gen(function* () {
      const { sandbox, io, frames } = standIn(
        () => Effect.succeed(result([{ path: "z.txt", bytes: bytes("z") }, { path: "a/b.txt", bytes: bytes("ab") }])),
        (request) => (request._tag === "OutputStore" && request.path === "z.txt" ? { _tag: "Refused", reason: "quota exceeded" } : { _tag: "Stored", key: "k" })
      )
      const report = yield* runAttempt(sandbox, busyboxJob(1, ["true"]), 2, io, { allowNetwork: false })
      expect(frames.map((f) => (f._tag === "OutputStore" ? `${f._tag} ${f.path}` : f._tag))).toEqual(["OutputStore a/b.txt", "OutputStore z.txt", "JobExit"])
      expect(frames[2]).toMatchObject({ exitCode: 0, outcome: "failed", reason: "output z.txt was not stored: quota exceeded", warm: true, attempt: 2 })
      expect(report).toMatchObject({ outcome: "failed", usage: { cpuMs: 5, wallMs: 40, memoryMiBMax: 3 } })
    }))

  it.effect("an output too large for one frame is not sent, and fails the attempt", () =>
    Effect.gen(function* () {
      const { sandbox, io, frames } = standIn(
        () => Effect.succeed(result([{ path: "big.bin", bytes: new Uint8Array(outputBytesMax + 1) }, { path: "small", bytes: bytes("s") }])),
        () => ({ _tag: "Stored", key: "k" })
      )
      const report = yield* runAttempt(sandbox, busyboxJob(1, ["true"]), 0, io, { allowNetwork: false })
      expect(frames.map((f) => f._tag)).toEqual(["OutputStore", "JobExit"])
      expect(frames[1]).toMatchObject({ outcome: "failed", reason: expect.stringContaining("output big.bin is too large to store") })
      expect(report.outcome).toBe("failed")
    }))

  it.effect("a sandbox that breaks is the attempt's failure, with a reason", () =>
    Effect.gen(function* () {
      const { sandbox, io, frames } = standIn(() => Effect.die(new Error("qemu vanished")), () => ({ _tag: "Stored", key: "k" }))
      const report = yield* runAttempt(sandbox, busyboxJob(1, ["true"]), 0, io, { allowNetwork: false })
      expect(frames).toEqual([expect.objectContaining({ _tag: "JobExit", exitCode: null, outcome: "failed", reason: "the sandbox broke: qemu vanished" })])
      expect(report).toEqual({ outcome: "failed", usage: { cpuMs: 0, wallMs: 0, memoryMiBMax: 0 } })
    }))

  it.effect("a job that succeeds in the sandbox and stores its outputs succeeds, with the result's digest", () =>
    Effect.gen(function* () {
      const { sandbox, io } = standIn(() => Effect.succeed(result([{ path: "o", bytes: bytes("o") }])), () => ({ _tag: "Stored", key: "k" }))
      const report = yield* runAttempt(sandbox, busyboxJob(1, ["true"]), 0, io, { allowNetwork: false })
      expect(report.outcome).toBe("succeeded")
      expect(report.resultDigest).toMatch(/^[0-9a-f]{64}$/)
    }))
})
