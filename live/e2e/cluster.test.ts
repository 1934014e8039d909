// The live system end to end, as real processes: a coordinator and three agents (each its own data
// directory and ports), jobs in QEMU microVMs, objects as shard files on the agents' disks, SQLite
// on the coordinator. The tests run in order on one cluster and end with the destructive ones.
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { spawnSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { clusterSuite } from "../testing/clusterSuite.ts"

interface Job {
  readonly id: number
  readonly state: string
  readonly node: number | null
  readonly attempts: number
  readonly exitCode: number | null
  readonly reason: string | null
  readonly outputs: ReadonlyArray<string>
  readonly costCredits: number
  readonly startedAtMs: number | null
  readonly runningAtMs: number | null
  readonly endedAtMs: number | null
}


const submit = (body: Record<string, unknown>) =>
  suite.cluster.request<Job>("POST", "/api/jobs", { vcpus: 1, memoryMiB: 256, timeoutS: 60, ...body })
const job = (id: number) => suite.cluster.request<Job>("GET", `/api/jobs/${id}`)
const ended = (s: string) => ["succeeded", "failed", "cancelled", "lost"].includes(s)
const waitEnded = async (id: number, timeoutMs = 120_000): Promise<Job> => {
  let last: Job | undefined
  await suite.cluster.waitFor(async () => ended((last = await job(id)).state), timeoutMs, `job ${id} to end`)
  return last!
}
const logs = (id: number) => suite.cluster.request<{ stdout: string; stderr: string }>("GET", `/api/jobs/${id}/logs`)
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** Every shard file an agent keeps (the DiskShardStore's layout: <dir>/<2 hex>/<objectId>.<index>). */
const shardFiles = (dir: string): Array<string> => {
  const out: Array<string> = []
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (/^[0-9a-f]{32}\.\d+$/.test(e.name)) out.push(p)
    }
  }
  walk(dir)
  return out
}

const suite = clusterSuite({ agents: 3, warmPool: 1, heartbeatTimeoutMs: 4000, repairIntervalMs: 1000, auditIntervalMs: 2000, seed: 11 })

describe("a live cluster of real processes", () => {
  it("runs a python job and a busybox job in microVMs with their output and exit codes", suite.track(async () => {
    const py = await submit({ image: "python", command: ["python3", "-c", "print(6*7)"] })
    const bb = await submit({ image: "busybox", command: ["sh", "-c", "echo from busybox; exit 3"] })
    const [pyDone, bbDone] = [await waitEnded(py.id), await waitEnded(bb.id)]
    expect(pyDone).toMatchObject({ state: "succeeded", exitCode: 0 })
    expect((await logs(py.id)).stdout).toBe("42\n")
    expect(bbDone).toMatchObject({ state: "failed", exitCode: 3 })
    expect((await logs(bb.id)).stdout).toBe("from busybox\n")
    expect(pyDone.costCredits).toBeGreaterThan(0)
    // The agent reported when the guest started the process: after admission, before the end.
    expect(pyDone.runningAtMs).toBeGreaterThanOrEqual(pyDone.startedAtMs!)
    expect(pyDone.runningAtMs).toBeLessThanOrEqual(pyDone.endedAtMs!)
  }), 180_000)

  it("turns a job's /out files into objects, and copies named input objects in", suite.track(async () => {
    const data = new TextEncoder().encode("1\n2\n3\n")
    await suite.cluster.request("PUT", "/api/objects/inputs/numbers.txt", data)
    const j = await submit({
      image: "python",
      command: ["python3", "-c", "n = sum(int(x) for x in open('/in/numbers.txt')); open('/out/sum.txt', 'w').write(str(n))"],
      inputs: [{ bucket: "inputs", key: "numbers.txt" }]
    })
    const done = await waitEnded(j.id)
    expect(done.state).toBe("succeeded")
    expect(done.outputs).toEqual([`admin-outputs/job-${j.id}/sum.txt`])
    const out = await suite.cluster.request<Uint8Array>("GET", `/api/objects/admin-outputs/job-${j.id}/sum.txt`)
    expect(new TextDecoder().decode(out)).toBe("6")
  }), 180_000)

  it("stops a job past its timeout or its memory with a clear reason, and goes on serving", suite.track(async () => {
    const slow = await submit({ image: "busybox", command: ["sleep", "30"], timeoutS: 2 })
    const hog = await submit({ image: "python", command: ["python3", "-c", "x = bytearray(512 * 1024 * 1024)"], memoryMiB: 128 })
    const [slowDone, hogDone] = [await waitEnded(slow.id), await waitEnded(hog.id)]
    expect(slowDone.state).toBe("failed")
    expect(slowDone.reason).toMatch(/time/)
    expect(hogDone.state).toBe("failed")
    expect(hogDone.reason ?? "").toMatch(/memory|exited/)
    const after = await submit({ image: "busybox", command: ["echo", "still serving"] })
    expect((await waitEnded(after.id)).state).toBe("succeeded")
  }), 180_000)

  it("detects a shard file corrupted on an agent's disk, reads around it and repairs it", suite.track(async () => {
    const payload = new Uint8Array(300_000).map((_, i) => (i * 7) % 251)
    await suite.cluster.request("PUT", "/api/objects/data/blob.bin", payload)
    // The object's shards are the files of its size (3 nodes: Reed-Solomon 2+1, 150,000-byte shards);
    // corrupt a data shard, which every read wants first.
    const files = suite.cluster.agents.flatMap((a) => shardFiles(a.dataDir)).filter((f) => fs.statSync(f).size === 150_000)
    expect(files.length).toBe(3)
    const victim = files.find((f) => f.endsWith(".0"))!
    const original = fs.readFileSync(victim)
    const bad = Buffer.from(original)
    for (let i = 0; i < bad.length; i += 997) bad[i] = bad[i]! ^ 0xff
    fs.writeFileSync(victim, bad)
    // Reads may meet the corrupt shard: they must still return the object's exact bytes.
    for (let i = 0; i < 3; i++) expect(sha256(await suite.cluster.request<Uint8Array>("GET", "/api/objects/data/blob.bin"))).toBe(sha256(payload))
    // The read met the corrupt shard and marked it bad; the repair loop rebuilds it.
    await suite.cluster.waitFor(async () => {
      const head = await suite.cluster.request<{ healthyShards: number; n: number }>("GET", "/api/objects/data/blob.bin?meta=1")
      const repaired = suite.cluster.agents.flatMap((a) => shardFiles(a.dataDir)).some((f) => f !== victim && fs.readFileSync(f).equals(original))
      return head.healthyShards === head.n && (repaired || (fs.existsSync(victim) && fs.readFileSync(victim).equals(original)))
    }, 60_000, "the corrupt shard to be repaired")
  }), 120_000)

  it("refuses an agent with a forged token", suite.track(async () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "live/agent/main.ts", "--join", `127.0.0.1:${suite.cluster.ready.joinPort}`,
      "--token", `forged.${"0".repeat(64)}`, "--data-dir", path.join(suite.cluster.dir, "forged")], { cwd: path.resolve(import.meta.dirname, "../.."), encoding: "utf8", timeout: 60_000 })
    expect(r.status).not.toBe(0)
    expect(r.stderr).toMatch(/refused|fingerprint|token/i)
    expect((await suite.cluster.nodes()).length).toBe(3)
  }), 90_000)

  it("retries a job elsewhere when its agent is killed with SIGKILL mid-job", suite.track(async () => {
    const j = await submit({ image: "busybox", command: ["sh", "-c", "sleep 6; echo survived"] })
    let running: Job | undefined
    await suite.cluster.waitFor(async () => (running = await job(j.id)).state === "running", 60_000, "the job to run")
    await suite.cluster.killAgent(running!.node!)
    const done = await waitEnded(j.id)
    expect(done.state).toBe("succeeded")
    expect(done.attempts).toBe(2)
    expect(done.node).not.toBe(running!.node)
    expect((await logs(j.id)).stdout).toBe("survived\n")
  }), 180_000)

  it("loses no job, object or credit when the coordinator is killed and restarted; agents reconnect", suite.track(async () => {
    const longJob = await submit({ image: "busybox", command: ["sh", "-c", "sleep 5; echo after restart"] })
    await suite.cluster.waitFor(async () => (await job(longJob.id)).state === "running", 60_000, "the job to run")
    const jobsBefore = (await suite.cluster.request<{ jobs: Array<Job> }>("GET", "/api/jobs")).jobs
    const creditsBefore = await suite.cluster.request<{ balanceCredits: number; entries: Array<unknown> }>("GET", "/api/credits")
    const object = await suite.cluster.request<Uint8Array>("GET", "/api/objects/data/blob.bin")
    await suite.cluster.restartCoordinator()
    const jobsAfter = (await suite.cluster.request<{ jobs: Array<Job> }>("GET", "/api/jobs")).jobs
    expect(jobsAfter.map((j) => j.id)).toEqual(jobsBefore.map((j) => j.id))
    expect(jobsAfter.filter((j) => ended(j.state))).toEqual(jobsBefore.filter((j) => ended(j.state)))
    const creditsAfter = await suite.cluster.request<{ balanceCredits: number; entries: Array<unknown> }>("GET", "/api/credits")
    expect(creditsAfter.entries.slice(0, creditsBefore.entries.length)).toEqual(creditsBefore.entries)
    // The surviving agents reconnect; the object is read from their shards again.
    await suite.cluster.waitFor(async () => (await suite.cluster.nodes()).filter((n) => n.online).length === 2, 60_000, "the two live agents to reconnect")
    expect(sha256(await suite.cluster.request<Uint8Array>("GET", "/api/objects/data/blob.bin"))).toBe(sha256(object))
    // The job that ran through the restart finishes on its node.
    const done = await waitEnded(longJob.id)
    expect(done).toMatchObject({ state: "succeeded", attempts: 1 })
    expect((await logs(longJob.id)).stdout).toBe("after restart\n")
  }), 240_000)
})
