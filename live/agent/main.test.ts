// The agent daemon as a real process (tsx live/agent/main.ts): it joins, prints its ready line once
// registered, logs to stderr, keeps shards on its disk, and exits 0 on SIGTERM; a bad flag is a message and exit 2.
import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import { busyboxJob, startTestCoordinator, tagged, tempDir } from "./testSupport.ts"

const repoRoot = path.resolve(import.meta.dirname, "../..")
const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx")

interface Daemon {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Effect.Effect<number | null>
}

const startDaemon = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.sync((): Daemon => {
      const child = spawn(tsx, ["live/agent/main.ts", ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] })
      let out = ""
      let err = ""
      child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")))
      child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")))
      const exitCode = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
      return { child, stdout: () => out, stderr: () => err, exited: Effect.promise(() => exitCode) }
    }),
    (daemon) => Effect.sync(() => daemon.child.exitCode === null && daemon.child.kill("SIGKILL"))
  )

/** The process's descendants (children first), from /proc. */
const descendantsOf = (pid: number): Array<number> => {
  let children: Array<number> = []
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter((s) => s !== "").map(Number)
  } catch {
    return []
  }
  return children.flatMap((child) => [child, ...descendantsOf(child)])
}

const commandLineOf = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8")
  } catch {
    return ""
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const until = (what: string, check: () => boolean) =>
  Effect.gen(function* () {
    while (!check()) yield* Effect.sleep(50)
  }).pipe(Effect.timeoutFail({ duration: 60_000, onTimeout: () => new Error(`no ${what} within 60 s`) }))

describe("agent daemon process", () => {
  it.live("joins, prints its ready line once registered, and on SIGTERM stops its job's VM and exits 0", () =>
    Effect.gen(function* () {
      const coordinator = yield* startTestCoordinator(yield* tempDir)
      yield* Effect.addFinalizer(() => coordinator.close)
      const token = yield* coordinator.endpoint.createJoinToken(4 as NodeId)
      const dataDir = yield* tempDir
      const daemon = yield* startDaemon([
        "--join", `127.0.0.1:${coordinator.endpoint.joinPort}`, "--token", token, "--data-dir", dataDir,
        "--warm-pool", "0", "--cpus", "1", "--memory", "512", "--disk", "2048", "--region", "desk"
      ])
      const register = yield* coordinator.waitFor("Register", tagged("Register"))
      expect(register.frame.node).toEqual({ id: 4, resources: { vcpus: 1, memoryMiB: 512, diskMiB: 2048 }, speed: 1, region: "desk", askingPrice: 1 })
      expect(daemon.stdout()).toBe("")
      yield* coordinator.endpoint.send(4 as NodeId, { _tag: "Registered", nodeId: 4 as NodeId, session: register.frame.session })
      yield* until("ready line", () => daemon.stdout().includes("\n"))
      expect(JSON.parse(daemon.stdout())).toEqual({ ready: true, nodeId: 4 })
      expect(daemon.stderr()).toContain("registered with the coordinator as node 4")

      // Shards land on the agent's disk, in live/storage's store under the data directory.
      const objectId = "ffeeddccbbaa99887766554433221100"
      yield* coordinator.endpoint.send(4 as NodeId, { _tag: "ShardPut", requestId: 1, objectId, index: 0, data: Buffer.from("on disk") })
      expect((yield* coordinator.waitFor("ShardReply", tagged("ShardReply", (f) => f.requestId === 1))).frame.result).toEqual({ _tag: "Done" })
      expect(fs.readFileSync(path.join(dataDir, "shards", "ff", `${objectId}.0`), "utf8")).toBe("on disk")

      // A job is running in a VM (a QEMU process under the daemon) when the signal comes.
      yield* coordinator.endpoint.send(4 as NodeId, { _tag: "Assign", job: busyboxJob(1, ["sh", "-c", "echo up; sleep 60"]), attempt: 0, session: register.frame.session })
      yield* coordinator.waitFor("the job's first line", tagged("JobLog", (f) => f.jobId === 1))
      const processes = descendantsOf(daemon.child.pid!)
      expect(processes.some((pid) => commandLineOf(pid).includes("qemu-system"))).toBe(true)

      daemon.child.kill("SIGTERM")
      expect(yield* daemon.exited).toBe(0)
      yield* until("every process of the daemon gone", () => !processes.some(alive))
      expect(daemon.stdout().trim().split("\n")).toHaveLength(1)
    }).pipe(Effect.scoped), { timeout: 90_000 })

  it.live("a refused join is one sentence on stderr and exit code 1, and nothing is saved", () =>
    Effect.gen(function* () {
      const coordinator = yield* startTestCoordinator(yield* tempDir)
      yield* Effect.addFinalizer(() => coordinator.close)
      const dataDir = yield* tempDir
      const daemon = yield* startDaemon([
        "--join", `127.0.0.1:${coordinator.endpoint.joinPort}`, "--token", `not-issued.${coordinator.endpoint.caFingerprint}`, "--data-dir", dataDir
      ])
      expect(yield* daemon.exited).toBe(1)
      expect(daemon.stderr()).toContain("crowdcloud agent: joining the cluster failed (refused): the join token is unknown")
      expect(daemon.stdout()).toBe("")
      expect(fs.existsSync(path.join(dataDir, "agent-credentials.json"))).toBe(false)
    }).pipe(Effect.scoped), { timeout: 60_000 })

  it.live("a bad flag is a message on stderr and exit code 2", () =>
    Effect.gen(function* () {
      const daemon = yield* startDaemon(["--data-dir", "/nonexistent", "--cpus", "many"])
      expect(yield* daemon.exited).toBe(2)
      expect(daemon.stderr()).toContain(`--cpus must be an integer of at least 1, got "many"`)
      expect(daemon.stdout()).toBe("")
    }).pipe(Effect.scoped), { timeout: 60_000 })
})
