// The QEMU sandbox with real QEMU: jobs in both images, inputs and outputs, streaming, metering, the
// warm pool, core's Sandbox port, and containment (host files, network, fork bomb, memory, disk,
// timeout), each stopped with a clear reason while the sandbox goes on serving. All VM tests share
// one sandbox (at most 2 VMs at once, the machine's budget). Needs live/sandbox/setup.sh to have run:
// without it the layer fails with GuestArtifactsMissing, whose message says so.
import { describe, expect, it, layer } from "@effect/vitest"
import { Deferred, Effect, Either, Exit, Fiber } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { JobId, NodeId, RegionId, UserId } from "../../core/domain/ids.ts"
import type { JobSpec } from "../../core/domain/job.ts"
import type { NodeSpec } from "../../core/domain/node.ts"
import { Sandbox } from "../../core/services/Sandbox.ts"
import { GuestArtifactsMissing } from "./errors.ts"
import { findGuestArtifacts } from "./guestArtifacts.ts"
import type { SandboxJob } from "./job.ts"
import { layerQemu, sandboxOf } from "./layerQemu.ts"
import { layerQemuSandbox, makeQemuSandbox, QemuSandbox } from "./QemuSandbox.ts"

const busybox = { image: "busybox", vcpus: 1, memoryMiB: 64, diskMiB: 32, network: false } as const
const python = { image: "python", vcpus: 1, memoryMiB: 128, diskMiB: 32, network: false } as const
const job = (shape: typeof busybox | typeof python, command: ReadonlyArray<string>, extra: Partial<SandboxJob> = {}): SandboxJob => ({
  ...shape,
  command,
  timeoutMs: 20_000,
  maxProcesses: 64,
  inputs: [],
  ...extra
})
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8")

/** The sandbox still runs an ordinary job after a bad one. */
const stillServes = Effect.gen(function* () {
  const sandbox = yield* QemuSandbox
  const after = yield* sandbox.run(job(busybox, ["echo", "still serving"]))
  expect(after.exitCode).toBe(0)
  expect(after.stdout).toBe("still serving\n")
})

describe("guest artifacts", () => {
  it.effect("a sandbox without guest artifacts fails to build, saying to run setup.sh", () =>
    Effect.gen(function* () {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-noguest-"))
      const exit = yield* Effect.exit(Effect.scoped(makeQemuSandbox({ guestDir: empty, accelerator: "tcg" })))
      fs.rmSync(empty, { recursive: true, force: true })
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        expect(exit.cause.error).toBeInstanceOf(GuestArtifactsMissing)
        expect(exit.cause.error.message).toContain("live/sandbox/setup.sh")
      }
    }))

  it("setup.sh has built the guest images these tests use (else: run `bash live/sandbox/setup.sh`)", () => {
    const found = findGuestArtifacts()
    if (Either.isLeft(found)) throw new Error(found.left.message)
    expect(Object.keys(found.right.images).sort()).toEqual(["busybox", "python"])
  })
})

layer(layerQemuSandbox({ warmPoolSize: 1, maxVms: 2, warmShapes: [busybox] }), { timeout: 120_000 })("QEMU sandbox", (it) => {
  it.effect("a python job prints 42 and exits 0", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const result = yield* sandbox.run(job(python, ["python3", "-c", "print(6*7)"]))
      expect(result).toMatchObject({ exitCode: 0, outcome: "succeeded", stdout: "42\n", stderr: "" })
      expect(result.reason).toBeUndefined()
    }))

  it.effect("a busybox job's exit code 3 comes back as 3", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const result = yield* sandbox.run(job(busybox, ["sh", "-c", "echo to stderr >&2; exit 3"]))
      expect(result).toMatchObject({ exitCode: 3, outcome: "failed", reason: "exited with code 3", stderr: "to stderr\n" })
    }))

  it.effect("files written under /out come back as outputs; inputs are readable (not writable) under /in", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const secret = `input-${Math.random().toString(36).slice(2)}`
      const result = yield* sandbox.run(job(busybox, [
        "sh", "-c",
        "cat /in/data/message.txt > /out/a.txt && mkdir -p /out/sub && echo nested > /out/sub/b.txt && " +
        "if echo x > /in/data/message.txt; then echo writable; else echo read-only; fi"
      ], { inputs: [{ path: "data/message.txt", bytes: Buffer.from(secret) }] }))
      expect(result.exitCode).toBe(0)
      expect(result.stdout).toContain("read-only")
      const outputs = Object.fromEntries(result.outputs.map((o) => [o.path, text(o.bytes)]))
      expect(outputs).toEqual({ "a.txt": secret, "sub/b.txt": "nested\n" })
      expect(result.usage.bytesIn).toBeGreaterThanOrEqual(secret.length)
      expect(result.stderr).toMatch(/Read-only file system/)
      expect(result.usage.bytesOut).toBe(result.stdout.length + result.stderr.length + secret.length + "nested\n".length)
    }))

  it.effect("the job runs as an unprivileged user with only the image, /in, /out and /tmp", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const result = yield* sandbox.run(job(busybox, ["sh", "-c", "id -u; ls /; ls /proc | grep -c '^[0-9]'"]))
      const [uid, ...rest] = result.stdout.trim().split("\n")
      expect(uid).toBe("1000")
      expect(rest.slice(0, -1).sort()).toEqual(["bin", "dev", "etc", "in", "out", "proc", "tmp", "usr"])
      // hidepid: the job sees its own processes only (sh, ls/grep), not the supervisor's.
      expect(Number(rest.at(-1))).toBeLessThanOrEqual(3)
    }))

  it.effect("the job holds no channel to the host but its stdout and stderr", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const result = yield* sandbox.run(job(busybox, ["sh", "-c",
        "for fd in 3 4 5 6 7 8 9; do (echo 'RESULT 0 none 0 0 0 0' >&$fd) 2>/dev/null && echo open $fd; done; ls /dev; exit 5"]))
      expect(result.exitCode).toBe(5)
      expect(result.stdout).not.toContain("open")
      expect(result.stdout.trim().split("\n").sort()).toEqual(["fd", "full", "null", "random", "urandom", "zero"])
    }))

  it.effect("stdout is streamed while the job runs, after the guest says the job started", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const chunks: Array<string> = []
      const result = yield* sandbox.run(job(busybox, ["sh", "-c", "echo first; sleep 2; echo second"], {
        onStarted: () => chunks.push("started"),
        onOutput: (stream, chunk) => chunks.push(`${stream}:${text(chunk)}`)
      }))
      expect(result.stdout).toBe("first\nsecond\n")
      // Two separate deliveries, the first before the job slept: not one buffer at the end.
      expect(chunks).toEqual(["started", "stdout:first\n", "stdout:second\n"])
    }))

  it.effect("metering: a busy job uses more CPU than an idle one, and memory peaks are measured", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const idle = yield* sandbox.run(job(busybox, ["sleep", "1"]))
      const busy = yield* sandbox.run(job(busybox, ["sh", "-c", "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done"]))
      const big = yield* sandbox.run(job(busybox, ["dd", "if=/dev/zero", "of=/dev/null", "bs=30M", "count=1"]))
      expect(busy.usage.cpuMs).toBeGreaterThan(idle.usage.cpuMs + 200)
      expect(busy.usage.hostCpuMs).toBeGreaterThan(idle.usage.hostCpuMs)
      expect(big.stderr).toContain("1+0 records out")
      expect(big.usage.memoryPeakMiB).toBeGreaterThan(28)
      expect(big.usage.memoryPeakMiB).toBeLessThan(busybox.memoryMiB)
      expect(idle.usage.memoryPeakMiB).toBeLessThan(10)
    }))

  it.effect("the warm pool hands out a VM that was booted before the job came", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      yield* sandbox.whenWarm
      const before = yield* sandbox.stats
      expect(before.ready["busybox/1cpu/64M/32D/nonet"]).toBe(1)
      const result = yield* sandbox.run(job(busybox, ["true"]))
      const after = yield* sandbox.stats
      expect(result.warm).toBe(true)
      expect(after.warmHandOuts).toBe(before.warmHandOuts + 1)
      expect(after.coldHandOuts).toBe(before.coldHandOuts)
      // Refills come from the shape's snapshot rather than a boot.
      yield* sandbox.whenWarm
      const refilled = yield* sandbox.stats
      expect(refilled.restores).toBeGreaterThan(before.restores)
      expect(refilled.ready["busybox/1cpu/64M/32D/nonet"]).toBe(1)
    }))

  it.effect("concurrent jobs all run, never more than maxVms VMs at once", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const results = yield* Effect.all(
        [1, 2, 3, 4].map((i) => sandbox.run(job(busybox, ["sh", "-c", `sleep 1; echo job ${i}`]))),
        { concurrency: "unbounded" }
      )
      expect(results.map((r) => r.stdout)).toEqual(["job 1\n", "job 2\n", "job 3\n", "job 4\n"])
      expect((yield* sandbox.stats).liveMax).toBe(2)
    }))

  it.effect("core's Sandbox port runs a JobSpec in a microVM, with a digest that identifies the result", () =>
    Effect.gen(function* () {
      const sandbox: Sandbox["Type"] = sandboxOf(yield* QemuSandbox)
      const node: NodeSpec = { id: NodeId.make(1), resources: { vcpus: 2, memoryMiB: 1024, diskMiB: 1024 }, speed: 1, region: RegionId.make("local"), askingPrice: 0 }
      const spec = (id: number, command: ReadonlyArray<string>): JobSpec => ({
        id: JobId.make(id), owner: UserId.make("borrower"), resources: { vcpus: 1, memoryMiB: 64, diskMiB: 32 },
        requestedTimeMs: 20_000, workMs: 0, image: "busybox", command, replication: 1
      })
      const a = yield* sandbox.run({ job: spec(1, ["sh", "-c", "echo 7 > /out/r; echo done"]), attempt: 0, node })
      const b = yield* sandbox.run({ job: spec(2, ["sh", "-c", "echo 7 > /out/r; echo done"]), attempt: 0, node })
      const c = yield* sandbox.run({ job: spec(3, ["sh", "-c", "echo 8 > /out/r; echo done; exit 1"]), attempt: 0, node })
      expect(a.outcome).toBe("succeeded")
      expect(c.outcome).toBe("failed")
      expect(a.resultDigest).toBe(b.resultDigest)
      expect(a.resultDigest).not.toBe(c.resultDigest)
      expect(a.usage.wallMs).toBeGreaterThan(0)
    }))

  it.effect("refuses what it will not run: unknown image, network the lender does not allow, paths out of /in", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const refused = (j: SandboxJob) => Effect.flip(sandbox.run(j)).pipe(Effect.map((e) => (e._tag === "SandboxJobRefused" ? e.reason : `unexpected ${e._tag}`)))
      expect(yield* refused({ ...job(busybox, ["true"]), image: "windows" })).toContain('unknown image "windows"')
      expect(yield* refused({ ...job(busybox, ["true"]), network: true })).toBe("network not allowed by this lender")
      expect(yield* refused(job(busybox, ["true"], { inputs: [{ path: "../etc/passwd", bytes: new Uint8Array() }] }))).toContain("input path")
      expect(yield* refused(job(busybox, ["true"], { inputs: [{ path: "big", bytes: new Uint8Array(40 * 1048576) }] }))).toContain("do not fit the job's disk of 32 MiB")
    }))

  it.effect("interrupting a run kills its VM, and the sandbox serves the next job", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const started = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(sandbox.run(job(busybox, ["sh", "-c", "echo started; sleep 60"], {
        onOutput: () => Deferred.unsafeDone(started, Exit.void)
      })))
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      const stats = yield* sandbox.stats
      // The interrupted job's VM is gone: what lives is at most the pool's ready and starting VMs.
      expect(stats.live).toBeLessThanOrEqual(Object.values(stats.ready).reduce((a, b) => a + b, 0) + stats.starting)
      yield* stillServes
    }))

  it.effect("containment: a host file is not visible in the guest", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const marker = path.join("/tmp", `crowdcloud-marker-${process.pid}-${Date.now()}`)
      const secret = `host-secret-${Math.random().toString(36).slice(2)}`
      fs.writeFileSync(marker, secret)
      try {
        const result = yield* sandbox.run(job(busybox, ["sh", "-c", `cat ${marker}; ls -a /tmp /in /out; find / -name '${path.basename(marker)}*' 2>/dev/null; exit 0`]))
        expect(result.stdout + result.stderr).not.toContain(secret)
        expect(result.stderr).toContain("No such file")
        expect(result.stdout).not.toContain(path.basename(marker))
      } finally {
        fs.rmSync(marker, { force: true })
      }
      yield* stillServes
    }))

  it.effect("containment: opening a network connection fails (no network device)", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const result = yield* sandbox.run(job(busybox, ["sh", "-c", "cat /proc/net/dev; nc -w 3 10.0.2.2 22 </dev/null || exit 7"]))
      expect(result.exitCode).toBe(7)
      expect(result.stderr).toMatch(/unreachable/i)
      expect(result.stdout).not.toMatch(/eth0/)
      yield* stillServes
    }))

  it.effect("containment: a fork bomb is stopped at the process limit", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const result = yield* sandbox.run(job(busybox, ["sh", "-c", "bomb() { bomb | bomb & }; bomb; sleep 15; echo not stopped"], { maxProcesses: 32 }))
      expect(result).toMatchObject({ outcome: "stopped", limit: "processes", reason: "process limit reached (32 processes)" })
      expect(result.stdout).not.toContain("not stopped")
      yield* stillServes
    }))

  it.effect("containment: allocating past the memory limit is stopped as out of memory", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      // 1 MiB at a time up to 400 MiB, against a limit of 128 MiB.
      const result = yield* sandbox.run(job(python, ["python3", "-c", "b = [bytearray(1 << 20) for _ in range(400)]; print('survived')"]))
      expect(result).toMatchObject({ outcome: "stopped", limit: "memory", reason: "out of memory (limit 128 MiB)" })
      expect(result.stdout).not.toContain("survived")
      yield* stillServes
    }))

  it.effect("containment: filling the disk hits the quota", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const result = yield* sandbox.run(job(busybox, ["dd", "if=/dev/zero", "of=/tmp/fill", "bs=1M", "count=200"]))
      expect(result).toMatchObject({ outcome: "failed", limit: "disk", reason: "disk quota exceeded (limit 32 MiB)" })
      expect(result.stderr).toMatch(/No space left/)
      yield* stillServes
    }))

  it.effect("containment: a job running past its timeout is killed", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const result = yield* sandbox.run(job(busybox, ["sh", "-c", "echo partial > /out/p.txt; echo started; sleep 60; echo never"], { timeoutMs: 2000 }))
      expect(result).toMatchObject({ outcome: "stopped", limit: "timeout", reason: "timed out after 2 s", stdout: "started\n" })
      // The guest stops the job itself, so what it wrote so far still comes back.
      expect(result.outputs.map((o) => [o.path, text(o.bytes)])).toEqual([["p.txt", "partial\n"]])
      yield* stillServes
    }))
})

// A lender who allows network: the job gets a NIC behind QEMU's user-mode NAT (10.0.2.15, gateway
// 10.0.2.2). Its own sandbox, after the suite above has closed, so at most one VM runs here.
layer(layerQemuSandbox({ allowNetwork: true, warmPoolSize: 0, maxVms: 1 }), { timeout: 120_000 })("QEMU sandbox, network allowed", (it) => {
  it.effect("a job that asks for network reaches a TCP server through the NAT", () =>
    Effect.gen(function* () {
      const sandbox = yield* QemuSandbox
      const received = yield* Effect.acquireRelease(
        Effect.async<{ port: number; data: Promise<string>; server: net.Server }>((resume) => {
          let deliver: (s: string) => void = () => undefined
          const data = new Promise<string>((r) => (deliver = r))
          const server = net.createServer((socket) => {
            let text = ""
            socket.on("data", (d) => (text += d.toString()))
            socket.on("end", () => deliver(text))
          })
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ port: (server.address() as net.AddressInfo).port, data, server })))
        }),
        ({ server }) => Effect.sync(() => server.close())
      )
      const result = yield* sandbox.run(job(busybox, ["sh", "-c", `ip -4 addr show eth0 | grep -o '10.0.2.15'; echo hello-from-guest | nc 10.0.2.2 ${received.port}`], { network: true }))
      expect(result.stdout).toBe("10.0.2.15\n")
      expect(result.exitCode).toBe(0)
      expect(yield* Effect.promise(() => received.data)).toBe("hello-from-guest\n")
    }).pipe(Effect.scoped))
})

// core's Sandbox port as the live agent builds it: layerQemu, one VM at a time, no pool.
layer(layerQemu({ warmPoolSize: 0, maxVms: 1 }), { timeout: 120_000 })("layerQemu", (it) => {
  it.effect("provides core's Sandbox; a spec asking for 0 MiB gets the floors and runs", () =>
    Effect.gen(function* () {
      const sandbox = yield* Sandbox
      const node: NodeSpec = { id: NodeId.make(1), resources: { vcpus: 1, memoryMiB: 512, diskMiB: 512 }, speed: 1, region: RegionId.make("local"), askingPrice: 0 }
      const spec: JobSpec = {
        id: JobId.make(7), owner: UserId.make("borrower"), resources: { vcpus: 1, memoryMiB: 0, diskMiB: 0 },
        requestedTimeMs: 20_000, workMs: 0, image: "busybox", command: ["sh", "-c", "exit 4"], replication: 1
      }
      const failed = yield* sandbox.run({ job: spec, attempt: 0, node })
      expect(failed.outcome).toBe("failed")
      const refused = yield* Effect.flip(sandbox.run({ job: { ...spec, image: "nope" }, attempt: 1, node }))
      expect(refused.jobId).toBe(7)
      expect(refused.message).toContain('unknown image "nope"')
    }))
})
