// The QEMU sandbox as an Effect service: run(job) hands the job to a VM from the warm pool (or a
// freshly started one) and returns its result; interrupting the effect kills the VM. Building the
// layer finds the guest artifacts (failing with GuestArtifactsMissing, which says to run setup.sh),
// picks KVM or TCG, and starts warming the configured shapes; closing its scope kills every VM.
import * as fs from "node:fs"
import * as path from "node:path"
import { Context, Effect, Either, Layer, type Scope } from "effect"
import { detectAccelerator } from "./accelerator.ts"
import { type GuestArtifactsMissing, SandboxJobRefused, VmFailed } from "./errors.ts"
import { findGuestArtifacts } from "./guestArtifacts.ts"
import type { SandboxJob, SandboxResult, VmShape } from "./job.ts"
import { type Accelerator, defaultRunDir, type MicroVm } from "./MicroVm.ts"
import { WarmPool, type WarmPoolStats } from "./WarmPool.ts"

export interface QemuSandboxOptions {
  /** Where setup.sh put the guest artifacts (default: $CROWDCLOUD_GUEST_DIR or ~/.cache/crowdcloud/guest). */
  readonly guestDir?: string
  /** "auto" (default) probes KVM once and falls back to TCG. */
  readonly accelerator?: "auto" | Accelerator
  /** Ready VMs kept per warmed shape (default 1). */
  readonly warmPoolSize?: number
  /** Shapes to keep warm from the start; any shape a job uses is warmed from then on. */
  readonly warmShapes?: ReadonlyArray<VmShape>
  /** Live VMs at most, ready + starting + running (default 2). */
  readonly maxVms?: number
  /** The lender's consent to jobs with network (user-mode NAT); default false. */
  readonly allowNetwork?: boolean
  /** Restore VMs from per-shape snapshots (default true). */
  readonly snapshots?: boolean
  /** Per-stream cap on the stdout/stderr kept in results (default 1 MiB). */
  readonly captureBytesMax?: number
  /** Caps on what one job may ask for. */
  readonly vcpusMax?: number
  readonly memoryMiBMax?: number
  readonly diskMiBMax?: number
  readonly timeoutMsMax?: number
}

export interface QemuSandboxService {
  /** Runs one job in its own microVM. A job that fails or hits a limit is a result, not an error. */
  readonly run: (job: SandboxJob) => Effect.Effect<SandboxResult, SandboxJobRefused | VmFailed>
  /** Keeps VMs of this shape booted and waiting from now on. */
  readonly warm: (shape: VmShape) => Effect.Effect<void, SandboxJobRefused>
  /** Waits until every warmed shape has its ready VMs. */
  readonly whenWarm: Effect.Effect<void>
  readonly stats: Effect.Effect<WarmPoolStats>
  readonly accelerator: Accelerator
  readonly images: ReadonlyArray<string>
}

export class QemuSandbox extends Context.Tag("crowdcloud/live/QemuSandbox")<QemuSandbox, QemuSandboxService>() {}

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/

const checkShape = (shape: VmShape, images: ReadonlyArray<string>, options: QemuSandboxOptions): string | undefined => {
  if (!images.includes(shape.image)) return `unknown image "${shape.image}" (this sandbox has ${images.join(", ")})`
  if (shape.network && options.allowNetwork !== true) return "network not allowed by this lender"
  if (!Number.isInteger(shape.vcpus) || shape.vcpus < 1 || shape.vcpus > (options.vcpusMax ?? 8)) return `vcpus must be 1..${options.vcpusMax ?? 8}, got ${shape.vcpus}`
  if (!Number.isInteger(shape.memoryMiB) || shape.memoryMiB < 16 || shape.memoryMiB > (options.memoryMiBMax ?? 16384)) return `memoryMiB must be 16..${options.memoryMiBMax ?? 16384}, got ${shape.memoryMiB}`
  if (!Number.isInteger(shape.diskMiB) || shape.diskMiB < 8 || shape.diskMiB > (options.diskMiBMax ?? 65536)) return `diskMiB must be 8..${options.diskMiBMax ?? 65536}, got ${shape.diskMiB}`
  return undefined
}

const checkJob = (job: SandboxJob, images: ReadonlyArray<string>, options: QemuSandboxOptions): string | undefined => {
  const shapeProblem = checkShape(job, images, options)
  if (shapeProblem) return shapeProblem
  if (job.command.length === 0) return "empty command"
  if (job.command[0]!.includes("=")) return `the program name may not contain "=" (got ${JSON.stringify(job.command[0])})`
  if ([...job.command, ...Object.values(job.env ?? {})].some((a) => a.includes("\0"))) return "arguments and environment values may not contain NUL"
  for (const name of Object.keys(job.env ?? {})) if (!envName.test(name)) return `bad environment variable name ${JSON.stringify(name)}`
  if (!(job.timeoutMs > 0) || job.timeoutMs > (options.timeoutMsMax ?? 24 * 3600_000)) return `timeoutMs must be 1..${options.timeoutMsMax ?? 24 * 3600_000}, got ${job.timeoutMs}`
  if (!Number.isInteger(job.maxProcesses) || job.maxProcesses < 1) return `maxProcesses must be a positive integer, got ${job.maxProcesses}`
  const inputBytes = job.inputs.reduce((n, i) => n + i.bytes.length, 0)
  // The inputs live on the job's disk; leave room for the file system's own blocks.
  if (inputBytes > job.diskMiB * 1048576 * 0.9) return `inputs of ${(inputBytes / 1048576).toFixed(1)} MiB do not fit the job's disk of ${job.diskMiB} MiB`
  for (const input of job.inputs) {
    const parts = input.path.split("/")
    if (input.path === "" || input.path.startsWith("/") || parts.some((p) => p === "" || p === "." || p === "..") || input.path.includes("\0")) {
      return `input path must be relative without "." or ".." parts, got ${JSON.stringify(input.path)}`
    }
  }
  return undefined
}

const asVmFailed = (e: unknown): VmFailed =>
  e instanceof VmFailed ? e : new VmFailed({ stage: "run", reason: e instanceof Error ? e.message : String(e), consoleTail: "" })

export const makeQemuSandbox = (options: QemuSandboxOptions = {}): Effect.Effect<QemuSandboxService, GuestArtifactsMissing, Scope.Scope> =>
  Effect.gen(function* () {
    const artifacts = yield* Either.match(findGuestArtifacts(options.guestDir), { onLeft: Effect.fail, onRight: Effect.succeed })
    const runDir = defaultRunDir()
    const accelerator = options.accelerator === undefined || options.accelerator === "auto"
      ? yield* Effect.promise(() => detectAccelerator(artifacts, runDir))
      : options.accelerator
    const cacheDir = path.join(artifacts.guestRoot, "runtime", artifacts.recipe)
    fs.mkdirSync(cacheDir, { recursive: true })
    const images = Object.keys(artifacts.images)
    const pool = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new WarmPool({
          artifacts, accelerator, runDir, cacheDir,
          sizePerShape: options.warmPoolSize ?? 1,
          maxVms: options.maxVms ?? 2,
          snapshots: options.snapshots ?? true,
          readyTimeoutMs: accelerator === "kvm" ? 15_000 : 60_000,
          ...(options.captureBytesMax !== undefined ? { captureBytesMax: options.captureBytesMax } : {})
        })
      ),
      (pool) => Effect.promise(() => pool.close())
    )
    const warm = (shape: VmShape) =>
      Effect.suspend(() => {
        const problem = checkShape(shape, images, options)
        if (problem) return Effect.fail(new SandboxJobRefused({ reason: problem }))
        if ((options.warmPoolSize ?? 1) > 0) pool.warm({ image: shape.image, vcpus: shape.vcpus, memoryMiB: shape.memoryMiB, diskMiB: shape.diskMiB, network: shape.network })
        return Effect.void
      })
    for (const shape of options.warmShapes ?? []) yield* Effect.orDie(warm(shape))

    const run = (job: SandboxJob): Effect.Effect<SandboxResult, SandboxJobRefused | VmFailed> =>
      Effect.suspend((): Effect.Effect<SandboxResult, SandboxJobRefused | VmFailed> => {
        const problem = checkJob(job, images, options)
        if (problem) return Effect.fail(new SandboxJobRefused({ reason: problem }))
        // Interrupting waits until the job's VM has exited, so a cancelled job is really gone.
        return Effect.async<SandboxResult, VmFailed>((resume, signal) => {
          let vm: MicroVm | undefined
          let cancelled = false
          pool.acquire(job, signal).then(
            (acquired) => {
              vm = acquired.vm
              if (cancelled) return vm.kill()
              const started = () => {
                pool.replenish()
                job.onStarted?.()
              }
              return vm.run({ ...job, onStarted: started }, acquired.warm).then((result) => resume(Effect.succeed(result)))
            }
          ).catch((e) => {
            if (!cancelled) resume(Effect.fail(asVmFailed(e)))
          })
          return Effect.promise(async () => {
            cancelled = true
            if (vm !== undefined) {
              vm.kill()
              await vm.exitedPromise()
            }
          })
        }).pipe(Effect.tap(() => warm(job).pipe(Effect.ignore)))
      })

    return {
      run,
      warm,
      whenWarm: Effect.promise(() => pool.whenWarm()),
      stats: Effect.sync(() => pool.stats()),
      accelerator,
      images
    }
  })

export const layerQemuSandbox = (options: QemuSandboxOptions = {}): Layer.Layer<QemuSandbox, GuestArtifactsMissing> =>
  Layer.scoped(QemuSandbox, makeQemuSandbox(options))
