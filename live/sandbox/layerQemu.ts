// Core's Sandbox port on top of the QEMU sandbox, for the live agent: a JobSpec's image, command,
// resources and requested time become a sandbox job (no network, no inputs: core's spec has none
// yet); the result digest covers the exit code, stdout and the /out files, for replica comparison.
import { createHash } from "node:crypto"
import { Effect, Layer } from "effect"
import { Sandbox, SandboxError, type SandboxRun } from "../../core/services/Sandbox.ts"
import type { GuestArtifactsMissing } from "./errors.ts"
import type { SandboxJob, SandboxResult } from "./job.ts"
import { QemuSandbox, type QemuSandboxOptions, type QemuSandboxService, layerQemuSandbox } from "./QemuSandbox.ts"

export interface LayerQemuOptions extends QemuSandboxOptions {
  /** Process limit for jobs (core's JobSpec has none); default 256. */
  readonly maxProcesses?: number
  /** Floors for specs that ask for 0 MiB (default 64 MiB memory, 64 MiB disk). */
  readonly memoryMiBMin?: number
  readonly diskMiBMin?: number
}

export const sandboxJobOf = (run: SandboxRun, options: LayerQemuOptions = {}): SandboxJob => ({
  image: run.job.image,
  command: run.job.command,
  vcpus: run.job.resources.vcpus,
  memoryMiB: Math.max(options.memoryMiBMin ?? 64, run.job.resources.memoryMiB),
  diskMiB: Math.max(options.diskMiBMin ?? 64, run.job.resources.diskMiB),
  timeoutMs: run.job.requestedTimeMs,
  maxProcesses: options.maxProcesses ?? 256,
  network: false,
  inputs: []
})

/** sha256 over the exit code, stdout and the outputs sorted by path, each length-prefixed. */
export const resultDigest = (result: SandboxResult): string => {
  const hash = createHash("sha256")
  const field = (bytes: Uint8Array) => {
    hash.update(`${bytes.length}:`)
    hash.update(bytes)
  }
  field(Buffer.from(String(result.exitCode)))
  field(Buffer.from(result.stdout))
  for (const output of [...result.outputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    field(Buffer.from(output.path))
    field(output.bytes)
  }
  return hash.digest("hex")
}

export const sandboxOf = (qemu: QemuSandboxService, options: LayerQemuOptions = {}): Sandbox["Type"] => ({
  run: (run) =>
    qemu.run(sandboxJobOf(run, options)).pipe(
      Effect.map((result) => ({
        outcome: result.outcome === "succeeded" ? "succeeded" as const : "failed" as const,
        usage: { cpuMs: result.usage.cpuMs, wallMs: result.usage.wallMs, memoryMiBMax: result.usage.memoryPeakMiB },
        resultDigest: resultDigest(result)
      })),
      Effect.mapError((e) => new SandboxError({ jobId: run.job.id, reason: e.message }))
    )
})

/** core's Sandbox, live: every attempt runs in a QEMU microVM. */
export const layerQemu = (options: LayerQemuOptions = {}): Layer.Layer<Sandbox, GuestArtifactsMissing> =>
  Layer.effect(Sandbox, Effect.map(QemuSandbox, (qemu) => sandboxOf(qemu, options))).pipe(Layer.provide(layerQemuSandbox(options)))
