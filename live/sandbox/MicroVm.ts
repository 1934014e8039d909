// One QEMU microVM (-M microvm) running the guest supervisor (guest/init): booted or restored from a
// snapshot, pinged until the supervisor answers, then given exactly one job and thrown away.
// No NIC unless the shape asks for network (the pool only builds such shapes when the lender allows
// it), no host file system: the guest sees the kernel, the initramfs, the read-only image, a blank
// per-VM job disk and three virtio-serial ports (ctl, stdout, stderr) backed by unix sockets here.
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { VmFailed } from "./errors.ts"
import type { GuestArtifacts } from "./guestArtifacts.ts"
import type { SandboxJob, SandboxLimit, SandboxResult, VmShape } from "./job.ts"
import { encodeTar, TarReader } from "./tar.ts"

export type Accelerator = "kvm" | "tcg"

/** Memory the guest kernel, initramfs and supervisor need on top of the job's limit. */
export const guestOverheadMiB = 96

export interface MicroVmOptions {
  readonly artifacts: GuestArtifacts
  readonly shape: VmShape
  readonly accelerator: Accelerator
  /** Restore this snapshot (made by `snapshot` from a VM of the same shape) instead of booting. */
  readonly restoreFrom?: string
  /** Formatted ext4 image of shape.diskMiB bytes, copied as the VM's job disk (with restoreFrom: the snapshot's .disk). */
  readonly diskTemplate: string
  /** Where the VM's sockets, disk and console log live (a fresh directory is made inside). */
  readonly runDir: string
  /** Give up if the guest does not answer within this time. */
  readonly readyTimeoutMs: number
  /** At most this many bytes of stdout and of stderr are kept in the result. */
  readonly captureBytesMax?: number
}

let tscKhzCache: number | undefined
/** The host TSC rate: microvm has no PIT calibration path that works under TCG without it. */
export const hostTscKhz = (): number => {
  if (tscKhzCache === undefined) {
    const mhz = /cpu MHz\s*:\s*([\d.]+)/.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))
    tscKhzCache = mhz ? Math.round(parseFloat(mhz[1]!) * 1000) : 2_000_000
  }
  return tscKhzCache
}

/**
 * tsc_early_khz: microvm under TCG hangs calibrating the TSC without it. init_on_free: freed pages
 * are zeroed, so snapshots (which skip zero pages) stay small and restore fast.
 */
export const kernelCommandLine = (): string =>
  `console=ttyS0 quiet loglevel=3 panic=-1 tsc_early_khz=${hostTscKhz()} cryptomgr.notests init_on_free=1 rdinit=/init`

interface QmpReply {
  readonly return?: unknown
  readonly error?: { readonly desc: string }
}

let vmCounter = 0

let setprivPath: string | null | undefined
/** util-linux setpriv, if present (Debian: always, it is in util-linux). */
const pdeathsigWrapper = (): string | undefined => {
  if (setprivPath === undefined) setprivPath = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => fs.existsSync(p)) ?? null
  return setprivPath ?? undefined
}

/** Every QEMU this process started and that still runs: killed when the process exits, whatever the cause. */
const running = new Set<ChildProcess>()
let exitHookInstalled = false
const killAllOnExit = () => {
  for (const child of running) child.kill("SIGKILL")
}

/** Host CPU time (user + system) of a process, in ms; 0 when it is gone. */
const processCpuMs = (pid: number | undefined): number => {
  if (pid === undefined) return 0
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return 0
  }
}

const connectWithRetry = async (socketPath: string, deadline: number, alive: () => boolean): Promise<net.Socket> => {
  for (;;) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const s = net.createConnection(socketPath)
        s.once("connect", () => {
          s.removeAllListeners("error")
          resolve(s)
        })
        s.once("error", reject)
      })
    } catch (e) {
      if (!alive() || Date.now() > deadline) throw e
      await new Promise((r) => setTimeout(r, 10))
    }
  }
}

const formatSeconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`)

/** Scans a stream for the end marker the supervisor writes after the job's last byte. */
class MarkedStream {
  ended = false
  private pending = Buffer.alloc(0)
  private captured: Array<Buffer> = []
  private capturedBytes = 0
  bytes = 0
  constructor(
    private readonly marker: Buffer,
    private readonly captureMax: number,
    private readonly emit: (chunk: Uint8Array) => void,
    private readonly onEnd: () => void
  ) {}
  push(chunk: Buffer) {
    if (this.ended) return
    this.pending = Buffer.concat([this.pending, chunk])
    const at = this.pending.indexOf(this.marker)
    if (at >= 0) {
      this.deliver(this.pending.subarray(0, at))
      this.pending = Buffer.alloc(0)
      this.ended = true
      this.onEnd()
      return
    }
    // Hold back only a tail that could be the start of the marker (usually nothing: the marker is
    // random hex and text rarely ends in a run of hex digits matching it).
    let keep = Math.min(this.pending.length, this.marker.length - 1)
    while (keep > 0 && !this.pending.subarray(this.pending.length - keep).equals(this.marker.subarray(0, keep))) keep--
    this.deliver(this.pending.subarray(0, this.pending.length - keep))
    this.pending = this.pending.subarray(this.pending.length - keep)
  }
  private deliver(data: Buffer) {
    if (data.length === 0) return
    this.bytes += data.length
    if (this.capturedBytes < this.captureMax) {
      const part = data.subarray(0, this.captureMax - this.capturedBytes)
      this.captured.push(Buffer.from(part))
      this.capturedBytes += part.length
    }
    this.emit(new Uint8Array(data))
  }
  text() {
    return Buffer.concat(this.captured).toString("utf8")
  }
}

export class MicroVm {
  readonly id: string
  readonly dir: string
  /** From spawning QEMU to the supervisor's first PONG. */
  readyMs = 0
  private readonly process: ChildProcess
  private exited = false
  private exitWaiters: Array<() => void> = []
  private ctl!: net.Socket
  private stdout!: net.Socket
  private stderr!: net.Socket
  private qemuStderr = ""
  private used = false

  private constructor(readonly options: MicroVmOptions) {
    this.id = `vm${process.pid}-${++vmCounter}`
    this.dir = fs.mkdtempSync(path.join(options.runDir, `${this.id}-`))
    const { artifacts, shape } = options
    execFileSync("cp", ["--sparse=always", options.diskTemplate, path.join(this.dir, "job.ext4")])
    const sock = (name: string) => path.join(this.dir, `${name}.sock`)
    const args = [
      "-M", "microvm,pit=on,pic=on,rtc=on,isa-serial=on",
      "-accel", options.accelerator,
      "-cpu", options.accelerator === "kvm" ? "host" : "max",
      "-smp", String(shape.vcpus),
      "-m", `${shape.memoryMiB + guestOverheadMiB}M`,
      "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
      "-serial", `file:${path.join(this.dir, "console.log")}`,
      "-kernel", artifacts.kernel,
      "-initrd", artifacts.initramfs,
      "-append", kernelCommandLine(),
      "-drive", `id=image,file=${artifacts.images[shape.image]},format=raw,if=none,readonly=on`,
      "-device", "virtio-blk-device,drive=image,serial=image",
      "-drive", `id=job,file=${path.join(this.dir, "job.ext4")},format=raw,if=none,cache=unsafe`,
      "-device", "virtio-blk-device,drive=job,serial=job",
      "-device", "virtio-serial-device,max_ports=4",
      ...["ctl", "stdout", "stderr"].flatMap((name) => [
        "-chardev", `socket,id=${name},path=${sock(name)},server=on,wait=off`,
        "-device", `virtserialport,chardev=${name},name=${name}`
      ]),
      "-qmp", `unix:${sock("qmp")},server=on,wait=off`,
      ...(shape.network ? ["-netdev", "user,id=net0", "-device", "virtio-net-device,netdev=net0"] : []),
      ...(options.restoreFrom ? ["-incoming", `exec:cat ${options.restoreFrom}`] : [])
    ]
    // setpriv --pdeathsig: QEMU dies with the process that started it, even on SIGKILL (no exit hook runs then).
    this.process = pdeathsigWrapper() === undefined
      ? spawn(artifacts.qemu, args, { stdio: ["ignore", "ignore", "pipe"] })
      : spawn(pdeathsigWrapper()!, ["--pdeathsig", "KILL", artifacts.qemu, ...args], { stdio: ["ignore", "ignore", "pipe"] })
    this.process.stderr!.on("data", (d: Buffer) => {
      this.qemuStderr = (this.qemuStderr + d.toString()).slice(-4000)
    })
    running.add(this.process)
    if (!exitHookInstalled) {
      exitHookInstalled = true
      process.once("exit", killAllOnExit)
    }
    this.process.on("exit", () => {
      running.delete(this.process)
      this.exited = true
      for (const w of this.exitWaiters.splice(0)) w()
    })
  }

  get pid(): number | undefined {
    return this.process.pid
  }
  get alive(): boolean {
    return !this.exited
  }

  consoleTail(): string {
    try {
      const text = fs.readFileSync(path.join(this.dir, "console.log"), "utf8")
      return (text.slice(-2000) + (this.qemuStderr ? `\nqemu: ${this.qemuStderr}` : "")).trim()
    } catch {
      return this.qemuStderr
    }
  }

  private failure(stage: VmFailed["stage"], reason: string) {
    return new VmFailed({ stage, reason, consoleTail: this.consoleTail() })
  }

  /** Boots (or restores) a VM and resolves once its supervisor answers; rejects with VmFailed. */
  static async start(options: MicroVmOptions): Promise<MicroVm> {
    const vm = new MicroVm(options)
    const stage = options.restoreFrom ? "restore" : "boot"
    const started = Date.now()
    const deadline = started + options.readyTimeoutMs
    try {
      const connect = (name: string) => connectWithRetry(path.join(vm.dir, `${name}.sock`), deadline, () => vm.alive)
      vm.ctl = await connect("ctl")
      vm.stdout = await connect("stdout")
      vm.stderr = await connect("stderr")
      for (const s of [vm.ctl, vm.stdout, vm.stderr]) s.on("error", () => undefined)
      await new Promise<void>((resolve, reject) => {
        let buffered = ""
        const timer = setTimeout(() => done(new Error(`the guest did not answer within ${options.readyTimeoutMs} ms`)), Math.max(0, deadline - Date.now()))
        const onExit = () => done(new Error("QEMU exited"))
        const onData = (d: Buffer) => {
          buffered += d.toString("latin1")
          if (buffered.includes("PONG\n")) done()
        }
        const done = (error?: Error) => {
          clearTimeout(timer)
          vm.ctl.off("data", onData)
          vm.exitWaiters = vm.exitWaiters.filter((w) => w !== onExit)
          if (error) reject(error)
          else resolve()
        }
        vm.exitWaiters.push(onExit)
        if (vm.exited) return onExit()
        vm.ctl.on("data", onData)
        vm.ctl.write(`PING ${Math.floor(Date.now() / 1000)}\n`)
      })
      vm.readyMs = Date.now() - started
      return vm
    } catch (e) {
      const error = vm.failure(stage, e instanceof Error ? e.message : String(e))
      vm.kill()
      throw error
    }
  }

  /** Migrates the VM's state into `file` over QMP, runs `whilePaused` once it is complete, then resumes it. */
  private async migrateToFile(file: string, whilePaused: () => void): Promise<void> {
    const socket = await connectWithRetry(path.join(this.dir, "qmp.sock"), Date.now() + 5000, () => this.alive)
    try {
      let buffer = ""
      const replies: Array<QmpReply> = []
      const waiters: Array<() => void> = []
      socket.on("data", (d) => {
        buffer += d.toString()
        let nl: number
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const message = JSON.parse(buffer.slice(0, nl)) as QmpReply & { event?: string }
          buffer = buffer.slice(nl + 1)
          // Events (and the greeting) interleave with replies; only replies answer commands.
          if ("return" in message || "error" in message) {
            replies.push(message)
            waiters.shift()?.()
          }
        }
      })
      const send = async (command: object): Promise<unknown> => {
        const got = new Promise<void>((r) => waiters.push(r))
        socket.write(JSON.stringify(command) + "\n")
        await got
        const reply = replies.shift()!
        if (reply.error) throw new Error(`QMP ${JSON.stringify(command)}: ${reply.error.desc}`)
        return reply.return
      }
      await send({ execute: "qmp_capabilities" })
      await send({ execute: "migrate", arguments: { uri: `exec:cat > ${file}` } })
      for (let attempt = 0; ; attempt++) {
        const status = (await send({ execute: "query-migrate" })) as { status?: string; "error-desc"?: string }
        if (status.status === "completed") break
        if (status.status === "failed" || status.status === "cancelled") throw new Error(`migration ${status.status}: ${status["error-desc"] ?? "no detail"}`)
        if (attempt > 1500) throw new Error(`migration did not complete within 30 s (status ${status.status})`)
        await new Promise((r) => setTimeout(r, 20))
      }
      whilePaused()
      await send({ execute: "cont" })
    } finally {
      socket.destroy()
    }
  }

  /**
   * Saves this idle, ready VM's memory to `file` and its job disk (which the guest has mounted and
   * synced) to `file`.disk, the pair `restoreFrom` needs, then lets the VM run on.
   */
  async snapshot(file: string): Promise<void> {
    const partial = `${file}.${this.id}.partial`
    try {
      await this.migrateToFile(partial, () => {
        execFileSync("cp", ["--sparse=always", path.join(this.dir, "job.ext4"), `${partial}.disk`])
      })
      fs.renameSync(`${partial}.disk`, `${file}.disk`)
      fs.renameSync(partial, file)
    } catch (e) {
      fs.rmSync(partial, { force: true })
      fs.rmSync(`${partial}.disk`, { force: true })
      throw this.failure("snapshot", e instanceof Error ? e.message : String(e))
    }
  }

  /** Runs the job to its end; the VM is single-use and is killed afterwards. */
  async run(job: SandboxJob, warm: boolean): Promise<SandboxResult> {
    if (this.used) throw this.failure("run", "a VM runs one job only")
    this.used = true
    try {
      return await this.runOnce(job, warm)
    } finally {
      this.kill()
    }
  }

  private runOnce(job: SandboxJob, warm: boolean): Promise<SandboxResult> {
    const nonce = randomBytes(16).toString("hex")
    const marker = Buffer.from(nonce)
    const env: Record<string, string> = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/tmp", LANG: "C.UTF-8", ...job.env }
    const argv = [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...job.command]
    const argvBytes = Buffer.from(argv.map((a) => `${a}\0`).join(""))
    const archive = job.inputs.length === 0 ? new Uint8Array(0) : encodeTar(job.inputs.map((i) => ({ path: `in/${i.path}`, bytes: i.bytes })))
    const seed = [...randomBytes(16)].map((b) => `\\0${b.toString(8).padStart(3, "0")}`).join("")
    const header = `JOB ${argv.length} ${archive.length} ${job.timeoutMs} ${job.maxProcesses} ${job.memoryMiB * 1024 * 1024} ${nonce} ${job.network ? 1 : 0} ${seed}\n`
    const bytesIn = argvBytes.length + archive.length
    const captureMax = this.options.captureBytesMax ?? 1 << 20
    const started = Date.now()
    const cpuBefore = processCpuMs(this.pid)

    return new Promise<SandboxResult>((resolve, reject) => {
      let settled = false
      let resultLine: Array<string> | undefined
      let ctlText = Buffer.alloc(0)
      const tar = new TarReader()
      const streamsEnded = () => out.ended && err.ended
      const emit = (stream: "stdout" | "stderr") => (chunk: Uint8Array) => job.onOutput?.(stream, chunk)
      const out = new MarkedStream(marker, captureMax, emit("stdout"), () => maybeFinish())
      const err = new MarkedStream(marker, captureMax, emit("stderr"), () => maybeFinish())
      this.stdout.on("data", (d: Buffer) => out.push(d))
      this.stderr.on("data", (d: Buffer) => err.push(d))

      const cleanup = () => {
        clearTimeout(hardDeadline)
        clearTimeout(streamGrace)
        this.exitWaiters = this.exitWaiters.filter((w) => w !== onExit)
      }
      const usage = (cpuMs: number | undefined, memoryPeakMiB: number) => {
        const hostCpuMs = Math.max(0, processCpuMs(this.pid) - cpuBefore)
        return {
          cpuMs: cpuMs ?? hostCpuMs,
          hostCpuMs,
          memoryPeakMiB,
          bytesIn,
          bytesOut: out.bytes + err.bytes + tar.files.reduce((n, f) => n + f.bytes.length, 0),
          wallMs: Date.now() - started
        }
      }
      let streamGrace: ReturnType<typeof setTimeout> | undefined
      const maybeFinish = (force = false) => {
        if (settled || resultLine === undefined || !tar.done) return
        if (!streamsEnded() && !force) {
          // The ports are independent queues: give the last stdout/stderr bytes a moment to arrive.
          streamGrace ??= setTimeout(() => maybeFinish(true), 2000)
          return
        }
        settled = true
        cleanup()
        const [code, limitWord, diskFull, cpuUsec, memoryPeakBytes, oomKills] = resultLine
        const exitCode = Number(code)
        let limit: SandboxLimit | undefined
        if (limitWord === "timeout") limit = "timeout"
        else if (limitWord === "processes") limit = "processes"
        else if (Number(oomKills) > 0) limit = "memory"
        else if (diskFull === "1" && exitCode !== 0) limit = "disk"
        const reason =
          limit === "timeout" ? `timed out after ${formatSeconds(job.timeoutMs)}`
          : limit === "processes" ? `process limit reached (${job.maxProcesses} processes)`
          : limit === "memory" ? `out of memory (limit ${job.memoryMiB} MiB)`
          : limit === "disk" ? `disk quota exceeded (limit ${job.diskMiB} MiB)`
          : exitCode === 0 ? undefined
          : exitCode > 128 ? `killed by signal ${exitCode - 128}`
          : `exited with code ${exitCode}`
        resolve({
          exitCode,
          outcome: limit !== undefined && limit !== "disk" ? "stopped" : exitCode === 0 ? "succeeded" : "failed",
          ...(limit !== undefined ? { limit } : {}),
          ...(reason !== undefined ? { reason } : {}),
          outputs: tar.files,
          stdout: out.text(),
          stderr: err.text(),
          usage: usage(Number(cpuUsec) / 1000, Math.round((Number(memoryPeakBytes) / 1048576) * 10) / 10),
          warm
        })
      }
      this.ctl.on("data", (d: Buffer) => {
        if (settled) return
        if (resultLine === undefined) {
          ctlText = Buffer.concat([ctlText, d])
          for (;;) {
            const nl = ctlText.indexOf(10)
            if (nl < 0) return
            const line = ctlText.subarray(0, nl).toString("latin1")
            ctlText = ctlText.subarray(nl + 1)
            if (line === "STARTED") job.onStarted?.()
            else if (line.startsWith("RESULT ")) {
              resultLine = line.split(" ").slice(1)
              tar.push(ctlText)
              break
            }
          }
        } else {
          tar.push(d)
        }
        maybeFinish()
      })
      // The guest enforces the timeout itself and still reports; this is for a guest that cannot.
      const hardDeadline = setTimeout(() => {
        if (settled) return
        settled = true
        cleanup()
        resolve({
          exitCode: null,
          outcome: "stopped",
          limit: "timeout",
          reason: `timed out after ${formatSeconds(job.timeoutMs)} (the VM was killed)`,
          outputs: [],
          stdout: out.text(),
          stderr: err.text(),
          usage: usage(undefined, 0),
          warm
        })
      }, job.timeoutMs + 10_000)
      const onExit = () => {
        if (settled) return
        settled = true
        cleanup()
        reject(this.failure("run", "QEMU exited while the job ran"))
      }
      this.exitWaiters.push(onExit)
      if (this.exited) return onExit()
      this.ctl.write(header)
      this.ctl.write(argvBytes)
      if (archive.length > 0) this.ctl.write(archive)
    })
  }

  kill(): void {
    for (const s of [this.ctl, this.stdout, this.stderr]) s?.destroy()
    if (!this.exited) this.process.kill("SIGKILL")
    const dir = this.dir
    const remove = () => fs.rmSync(dir, { recursive: true, force: true })
    if (this.exited) remove()
    else this.process.once("exit", remove)
  }

  /** Resolves once QEMU has exited. */
  exitedPromise(): Promise<void> {
    return this.exited ? Promise.resolve() : new Promise((r) => this.exitWaiters.push(r))
  }
}

/** A formatted, journal-less ext4 image of `diskMiB`, made once and copied per VM (byte-identical copies keep snapshots valid). */
export const diskTemplate = (cacheDir: string, diskMiB: number): string => {
  const file = path.join(cacheDir, `job-disk-${diskMiB}M.ext4`)
  if (fs.existsSync(file)) return file
  fs.mkdirSync(cacheDir, { recursive: true })
  const partial = `${file}.${process.pid}.partial`
  fs.rmSync(partial, { force: true })
  execFileSync("mkfs.ext4", [
    "-q", "-F", "-m", "0", "-O", "^has_journal", "-U", "c0ffee00-0000-4000-8000-000000000001",
    "-E", "lazy_itable_init=0,hash_seed=c0ffee00-0000-4000-8000-000000000002,root_owner=0:0",
    partial, `${diskMiB}M`
  ], { stdio: "pipe" })
  fs.renameSync(partial, file)
  return file
}

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** The shared run directory, cleared of what VMs of dead processes left behind (their disks, sockets). */
export const defaultRunDir = (): string => {
  const dir = path.join(os.tmpdir(), "crowdcloud-sandbox")
  fs.mkdirSync(dir, { recursive: true })
  for (const entry of fs.readdirSync(dir)) {
    const owner = /^vm(\d+)-/.exec(entry)
    if (owner && !processAlive(Number(owner[1]))) fs.rmSync(path.join(dir, entry), { recursive: true, force: true })
  }
  return dir
}
