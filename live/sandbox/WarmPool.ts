// Booted VMs waiting for a job, per shape (image, vCPUs, memory, disk, network), refilled in the
// background. The first VM of a shape is booted (~3 s under TCG) and snapshotted while idle; later
// ones are restored from that snapshot with -incoming (~0.3 s). A cap on live VMs (ready, starting
// and running together) keeps a small machine from being swamped; a job that finds no ready VM of
// its shape evicts a ready VM of another shape if it needs the slot, and jobs go before refills.
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import type { GuestArtifacts } from "./guestArtifacts.ts"
import { shapeKey, type VmShape } from "./job.ts"
import { type Accelerator, diskTemplate, guestOverheadMiB, kernelCommandLine, MicroVm } from "./MicroVm.ts"

export interface WarmPoolOptions {
  readonly artifacts: GuestArtifacts
  readonly accelerator: Accelerator
  /** Sockets, job disks and console logs of running VMs. */
  readonly runDir: string
  /** Disk templates and snapshots (kept across runs). */
  readonly cacheDir: string
  /** Ready VMs kept per warmed shape (0: no pool, every job starts a VM). */
  readonly sizePerShape: number
  /** Live VMs at most: ready + starting + running. */
  readonly maxVms: number
  /** Restore from per-shape snapshots instead of booting (default true). */
  readonly snapshots: boolean
  readonly readyTimeoutMs: number
  readonly captureBytesMax?: number
  /** Background refill failures land here (default: console.error). */
  readonly onBackgroundError?: (error: unknown) => void
  /**
   * After a warm hand-out the replacement starts when the caller calls `replenish` (the job has
   * started) or after this long (default 500 ms), whichever is first: a restore burns a core, and
   * under TCG it would otherwise compete with the job's own start.
   */
  readonly refillDelayMs?: number
}

export interface WarmPoolStats {
  readonly ready: Readonly<Record<string, number>>
  readonly starting: number
  readonly live: number
  /** The most VMs that were live at once (never above maxVms). */
  readonly liveMax: number
  readonly boots: number
  readonly restores: number
  readonly snapshotsTaken: number
  /** Jobs that got a VM that was already booted and waiting. */
  readonly warmHandOuts: number
  readonly coldHandOuts: number
}

const shapeSlug = (shape: VmShape): string => shapeKey(shape).replaceAll("/", "_")

export class WarmPool {
  private readonly ready = new Map<string, Array<MicroVm>>()
  private readonly warmed = new Map<string, VmShape>()
  private readonly startingByShape = new Map<string, number>()
  private readonly refillFailures = new Map<string, number>()
  private readonly snapshotting = new Set<string>()
  /** Every VM this pool started that has not exited, ready or handed out: close() kills them all. */
  private readonly started = new Set<MicroVm>()
  private live = 0
  /** Jobs waiting for a slot go before refills. */
  private waitingForSlot = 0
  private liveMax = 0
  private starting = 0
  private closed = false
  private waiters: Array<() => void> = []
  private counts = { boots: 0, restores: 0, snapshotsTaken: 0, warmHandOuts: 0, coldHandOuts: 0 }

  constructor(readonly options: WarmPoolOptions) {}

  stats(): WarmPoolStats {
    return {
      ready: Object.fromEntries([...this.ready].map(([k, vms]) => [k, vms.length])),
      starting: this.starting,
      live: this.live,
      liveMax: this.liveMax,
      ...this.counts
    }
  }

  /** Keeps `sizePerShape` VMs of this shape booted and waiting from now on. */
  warm(shape: VmShape): void {
    this.warmed.set(shapeKey(shape), shape)
    this.refill()
  }

  /** Resolves once every warmed shape has its ready VMs (or cannot get them). */
  async whenWarm(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!this.closed && Date.now() < deadline) {
      const missing = [...this.warmed.keys()].some((k) => (this.ready.get(k)?.length ?? 0) < this.options.sizePerShape && (this.refillFailures.get(k) ?? 0) < 3)
      if (!missing) return
      await this.nextEvent(Math.max(1, deadline - Date.now()))
    }
  }

  /**
   * A VM of this shape for one job: a ready one if any (warm), else a freshly started one. The VM is
   * the caller's: it dies when its job ends (MicroVm.run) or when the caller kills it.
   */
  async acquire(shape: VmShape, signal?: AbortSignal): Promise<{ readonly vm: MicroVm; readonly warm: boolean }> {
    const key = shapeKey(shape)
    for (;;) {
      if (this.closed) throw new Error("the warm pool is closed")
      signal?.throwIfAborted()
      const vm = this.takeReady(key)
      if (vm !== undefined) {
        this.counts.warmHandOuts++
        setTimeout(() => this.refill(), this.options.refillDelayMs ?? 500).unref()
        return { vm, warm: true }
      }
      const slot = this.freeSlot(key)
      if (slot instanceof MicroVm) {
        // Evicted: wait until it has really exited, so the cap holds for processes, not just counts.
        this.waitingForSlot++
        await slot.exitedPromise().finally(() => this.waitingForSlot--)
        continue
      }
      if (slot) {
        this.counts.coldHandOuts++
        const cold = await this.start(shape)
        if (signal?.aborted) {
          cold.kill()
          signal.throwIfAborted()
        }
        this.refill()
        return { vm: cold, warm: false }
      }
      this.waitingForSlot++
      await this.nextEvent(1000).finally(() => this.waitingForSlot--)
    }
  }

  async close(): Promise<void> {
    this.closed = true
    const all = [...this.started]
    this.ready.clear()
    for (const vm of all) vm.kill()
    await Promise.all(all.map((vm) => vm.exitedPromise()))
    this.wake()
  }

  private takeReady(key: string): MicroVm | undefined {
    const list = this.ready.get(key)
    while (list !== undefined && list.length > 0) {
      const vm = list.shift()!
      if (vm.alive) return vm
    }
    return undefined
  }

  /** true: a slot is free; a VM: a ready VM of another shape, evicted to make room (its slot frees when it exits). */
  private freeSlot(key: string): boolean | MicroVm {
    if (this.live < this.options.maxVms) return true
    for (const [other, vms] of this.ready) {
      if (other !== key && vms.length > 0) {
        const evicted = vms.shift()!
        evicted.kill()
        return evicted
      }
    }
    return false
  }

  private snapshotFile(shape: VmShape): string {
    const { artifacts, accelerator } = this.options
    const qemu = fs.statSync(artifacts.qemu)
    const key = createHash("sha256")
      .update([artifacts.recipe, accelerator, qemu.size, qemu.mtimeMs, kernelCommandLine(), guestOverheadMiB, shapeKey(shape)].join("|"))
      .digest("hex")
      .slice(0, 16)
    return path.join(this.options.cacheDir, "snapshots", `${shapeSlug(shape)}-${key}.vmstate`)
  }

  /** Snapshots of this shape made under another QEMU, kernel command line or accelerator are dead weight. */
  private dropOtherSnapshots(shape: VmShape, keep: string): void {
    const dir = path.dirname(keep)
    for (const entry of fs.readdirSync(dir)) {
      if (entry.startsWith(`${shapeSlug(shape)}-`) && !path.join(dir, entry).startsWith(keep)) fs.rmSync(path.join(dir, entry), { force: true })
    }
  }

  /** Starts one VM (restore if a snapshot exists, else boot and snapshot it); takes a slot until the VM exits. */
  private async start(shape: VmShape): Promise<MicroVm> {
    const key = shapeKey(shape)
    this.live++
    this.liveMax = Math.max(this.liveMax, this.live)
    this.starting++
    this.startingByShape.set(key, (this.startingByShape.get(key) ?? 0) + 1)
    try {
      const vm = await this.startVm(shape)
      if (this.closed) {
        vm.kill()
        throw new Error("the warm pool is closed")
      }
      this.started.add(vm)
      void vm.exitedPromise().then(() => {
        this.started.delete(vm)
        this.live--
        const list = this.ready.get(key)
        if (list?.includes(vm)) list.splice(list.indexOf(vm), 1)
        this.refill()
        this.wake()
      })
      return vm
    } catch (e) {
      this.live--
      throw e
    } finally {
      this.starting--
      this.startingByShape.set(key, this.startingByShape.get(key)! - 1)
      this.wake()
    }
  }

  private async startVm(shape: VmShape): Promise<MicroVm> {
    const { options } = this
    const base = {
      artifacts: options.artifacts,
      shape,
      accelerator: options.accelerator,
      diskTemplate: diskTemplate(path.join(options.cacheDir, "disks"), shape.diskMiB),
      runDir: options.runDir,
      readyTimeoutMs: options.readyTimeoutMs,
      ...(options.captureBytesMax !== undefined ? { captureBytesMax: options.captureBytesMax } : {})
    }
    const snapshot = this.snapshotFile(shape)
    if (options.snapshots && fs.existsSync(snapshot) && fs.existsSync(`${snapshot}.disk`)) {
      try {
        const vm = await MicroVm.start({ ...base, restoreFrom: snapshot, diskTemplate: `${snapshot}.disk` })
        this.counts.restores++
        return vm
      } catch (e) {
        // A snapshot that no longer restores (e.g. QEMU was upgraded in place) is dropped; boot instead.
        fs.rmSync(snapshot, { force: true })
        fs.rmSync(`${snapshot}.disk`, { force: true })
        options.onBackgroundError?.(e)
      }
    }
    const vm = await MicroVm.start(base)
    this.counts.boots++
    if (options.snapshots && !fs.existsSync(snapshot) && !this.snapshotting.has(snapshot)) {
      this.snapshotting.add(snapshot)
      try {
        fs.mkdirSync(path.dirname(snapshot), { recursive: true })
        await vm.snapshot(snapshot)
        this.counts.snapshotsTaken++
        this.dropOtherSnapshots(shape, snapshot)
      } catch (e) {
        (options.onBackgroundError ?? console.error)(e)
      } finally {
        this.snapshotting.delete(snapshot)
      }
    }
    return vm
  }

  /** Starts the VMs the warmed shapes lack now (a job handed a warm VM has started). */
  replenish(): void {
    this.refill()
  }

  private refill(): void {
    if (this.closed) return
    for (const [key, shape] of this.warmed) {
      if ((this.refillFailures.get(key) ?? 0) >= 3) continue
      while (
        (this.ready.get(key)?.length ?? 0) + (this.startingByShape.get(key) ?? 0) < this.options.sizePerShape &&
        this.live < this.options.maxVms &&
        this.waitingForSlot === 0
      ) {
        this.start(shape).then(
          (vm) => {
            this.refillFailures.delete(key)
            const list = this.ready.get(key) ?? []
            list.push(vm)
            this.ready.set(key, list)
            this.wake()
          },
          (e) => {
            if (this.closed) return
            this.refillFailures.set(key, (this.refillFailures.get(key) ?? 0) + 1);
            (this.options.onBackgroundError ?? console.error)(e)
            // Back off, then try again (up to three failures in a row per shape).
            setTimeout(() => this.refill(), 1000).unref()
          }
        )
      }
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w()
  }

  private nextEvent(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.waiters.push(done)
    })
  }
}
