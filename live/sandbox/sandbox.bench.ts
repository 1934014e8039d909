// Start-up figures of the QEMU sandbox (run by bench/run.ts into bench/results/sandbox.json): microVM
// boot to a ready supervisor, restore from a snapshot, and submit-to-running latency (run() called ->
// the job's first stdout byte) with a warm pool and from a cold start (boot, or snapshot restore).
// At most two VMs live at once (the pool's cap), as on the shared 2-core machines.
import * as path from "node:path"
import { Effect, Either } from "effect"
import { detectAccelerator } from "./accelerator.ts"
import { findGuestArtifacts } from "./guestArtifacts.ts"
import type { SandboxJob, VmShape } from "./job.ts"
import { defaultRunDir, diskTemplate, MicroVm } from "./MicroVm.ts"
import { QemuSandbox, type QemuSandboxOptions, layerQemuSandbox } from "./QemuSandbox.ts"

const shape: VmShape = { image: "busybox", vcpus: 1, memoryMiB: 64, diskMiB: 32, network: false }

const quantile = (values: ReadonlyArray<number>, q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}
const round = (n: number) => Math.round(n * 10) / 10

/** Boots `count` VMs one after another: QEMU spawn -> the guest supervisor answers. */
const bootTimes = async (count: number) => {
  const artifacts = Either.getOrThrowWith(findGuestArtifacts(), (e) => new Error(e.message))
  const runDir = defaultRunDir()
  const accelerator = await detectAccelerator(artifacts, runDir)
  const template = diskTemplate(path.join(artifacts.guestRoot, "runtime", artifacts.recipe, "disks"), shape.diskMiB)
  const times: Array<number> = []
  for (let i = 0; i < count; i++) {
    const vm = await MicroVm.start({ artifacts, shape, accelerator, diskTemplate: template, runDir, readyTimeoutMs: 60_000 })
    times.push(vm.readyMs)
    vm.kill()
    await vm.exitedPromise()
  }
  return { accelerator, times }
}

/** Submits `count` trivial jobs one after another, waiting for the pool to refill in between. */
const submitToRunning = (options: QemuSandboxOptions, count: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const latencies: Array<number> = []
      const walls: Array<number> = []
      let warm = 0
      for (let i = 0; i < count; i++) {
        yield* sandbox.whenWarm
        const submitted = performance.now()
        let running = 0
        const job: SandboxJob = {
          ...shape, command: ["echo", "running"], timeoutMs: 10_000, maxProcesses: 16, inputs: [],
          onOutput: () => {
            running ||= performance.now() - submitted
          }
        }
        const result = yield* sandbox.run(job)
        if (result.exitCode !== 0 || running === 0) return yield* Effect.dieMessage(`benchmark job failed: ${JSON.stringify(result)}`)
        latencies.push(running)
        walls.push(result.usage.wallMs)
        if (result.warm) warm++
      }
      const stats = yield* sandbox.stats
      return { latencies, walls, warm, stats, accelerator: sandbox.accelerator }
    }).pipe(Effect.provide(layerQemuSandbox(options)))
  )

export const benchSandbox = async (smoke: boolean) => {
  const n = smoke ? 3 : 10
  const boots = await bootTimes(smoke ? 2 : 5)
  // Boot: snapshots off, no pool -> every job boots a VM. The first run also measures a snapshot-less start.
  const boot = await Effect.runPromise(submitToRunning({ warmPoolSize: 0, snapshots: false, maxVms: 2 }, smoke ? 2 : 5))
  // Cold restore: no pool, snapshots on -> every job restores a VM (the first job makes the snapshot).
  const restore = await Effect.runPromise(submitToRunning({ warmPoolSize: 0, snapshots: true, maxVms: 2 }, n + 1))
  const warm = await Effect.runPromise(submitToRunning({ warmPoolSize: 1, snapshots: true, maxVms: 2, warmShapes: [shape] }, smoke ? 5 : 30))
  const restoreLatencies = restore.latencies.slice(1)
  const targets = { warmStartMsP50Max: 100 }
  const warmStartMsP50 = round(quantile(warm.latencies, 0.5))
  return {
    targets,
    withinTargets: warmStartMsP50 < targets.warmStartMsP50Max,
    accelerator: warm.accelerator,
    shape,
    job: "echo running",
    note: "boot: QEMU spawned -> guest supervisor answers; submit-to-running: run() called -> the job's first stdout byte on the host",
    bootMsP50: round(quantile(boots.times, 0.5)),
    bootMs: boots.times,
    bootSubmitToRunningMsP50: round(quantile(boot.latencies, 0.5)),
    coldStartMsP50: round(quantile(restoreLatencies, 0.5)),
    coldStartMsP95: round(quantile(restoreLatencies, 0.95)),
    warmStartMsP50,
    warmStartMsP95: round(quantile(warm.latencies, 0.95)),
    warmJobWallMsP50: round(quantile(warm.walls, 0.5)),
    warmHandOuts: warm.stats.warmHandOuts,
    jobs: { boot: boot.latencies.length, coldRestore: restoreLatencies.length, warm: warm.latencies.length },
    bootsInBootRun: boot.stats.boots
  }
}
