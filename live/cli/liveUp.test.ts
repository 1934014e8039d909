// `crowdcloud live up` as a real process, with stand-in daemons (fakeCoordinator/fakeAgent.testSupport.ts)
// that keep the real daemons' command-line and ready-line contract: start order, join tokens on the
// first start only, reused ports, cli.json, Ctrl-C stopping agents before the coordinator (exit 0),
// and an agent's death stopping the rest (exit 1, naming it).
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { describe, expect, it } from "vitest"
import { repoRoot } from "./daemon.ts"

interface LiveUp {
  readonly child: ChildProcessWithoutNullStreams
  readonly stdout: Array<string>
  stderr: string
  /** Resolves once the CLI has printed that the cluster is up. */
  readonly up: Promise<void>
  readonly exited: Promise<number | null>
}

const startLiveUp = (args: ReadonlyArray<string>, home: string): LiveUp => {
  const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "live/cli/main.ts"), "live", "up", ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      CROWDCLOUD_HOME: home,
      CROWDCLOUD_COORDINATOR_ENTRY: "live/cli/fakeCoordinator.testSupport.ts",
      CROWDCLOUD_AGENT_ENTRY: "live/cli/fakeAgent.testSupport.ts"
    }
  })
  const run: LiveUp = {
    child,
    stdout: [],
    stderr: "",
    up: new Promise((resolve, reject) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        run.stdout.push(line)
        if (line === "Ctrl-C stops the cluster.") resolve()
      })
      child.on("exit", (code) => reject(new Error(`live up exited (${code}) before the cluster was up: ${run.stderr}`)))
    }),
    exited: new Promise((resolve) => child.on("exit", (code) => resolve(code)))
  }
  child.stderr.on("data", (c: Buffer) => (run.stderr += c.toString()))
  // A run that is expected to fail never comes up; only the tests that await `up` care.
  run.up.catch(() => {})
  return run
}

const events = (dataDir: string) => readFileSync(join(dataDir, "events.log"), "utf8").trimEnd().split("\n")

describe("crowdcloud live up", () => {
  it("starts a coordinator and agents, writes cli.json, and stops agents then the coordinator on Ctrl-C; a restart reuses agents and ports", async () => {
    const home = mkdtempSync(join(tmpdir(), "crowdcloud-home-"))
    const dataDir = join(home, "cluster")

    const first = startLiveUp(["--agents", "2", "--warm-pool", "0"], home)
    await first.up
    const api = first.stdout.find((l) => l.startsWith("API:"))!.split(/\s+/)[1]!
    expect(api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(first.stdout).toContain(`portal: ${api}/`)
    const adminToken = readFileSync(join(dataDir, "coordinator", "admin.token"), "utf8")
    expect(first.stdout).toContain(`export CROWDCLOUD_API=${api} CROWDCLOUD_TOKEN=${adminToken}`)
    expect(JSON.parse(readFileSync(join(home, "cli.json"), "utf8"))).toEqual({ api, token: adminToken })
    // The API named in cli.json answers with the operator's token.
    const credits = await fetch(`${api}/api/credits`, { headers: { authorization: `Bearer ${adminToken}` } })
    expect(credits.status).toBe(200)

    const started = events(dataDir)
    expect(started[0]).toMatch(/^coordinator started/)
    const agentStarts = started.filter((l) => l.startsWith("agent-"))
    expect(agentStarts).toHaveLength(2)
    for (const line of agentStarts) {
      expect(line).toMatch(/token=join-\d+/)
      expect(line).toContain('"warm-pool":"0"')
      expect(line).toMatch(/"join":"127\.0\.0\.1:\d+"/)
    }

    first.child.kill("SIGINT")
    expect(await first.exited).toBe(0)
    const stops = events(dataDir).slice(started.length)
    expect(stops.slice(0, 2).sort()).toEqual(["agent-0 stopped", "agent-1 stopped"])
    expect(stops[2]).toBe("coordinator stopped")
    const ports = JSON.parse(readFileSync(join(dataDir, "live-up.json"), "utf8"))

    const second = startLiveUp(["--agents", "2"], home)
    await second.up
    const restarted = events(dataDir).slice(started.length + stops.length)
    expect(restarted[0]).toContain(`"api-port":"${ports.apiPort}","agent-port":"${ports.agentPort}","join-port":"${ports.joinPort}"`)
    const rejoined = restarted.filter((l) => l.startsWith("agent-"))
    expect(rejoined).toHaveLength(2)
    for (const line of rejoined) {
      expect(line).toContain("token=none")
      expect(line).not.toContain('"join"')
    }
    expect(second.stdout).toContain(`API:    ${api}   (operator token saved in ${join(home, "cli.json")})`)
    second.child.kill("SIGTERM")
    expect(await second.exited).toBe(0)
  }, 120_000)

  it("stops the rest and exits 1, naming the agent, when an agent dies", async () => {
    const home = mkdtempSync(join(tmpdir(), "crowdcloud-home-"))
    const dataDir = join(home, "elsewhere")
    const run = startLiveUp(["--agents", "2", "--data-dir", dataDir], home)
    await run.up
    writeFileSync(join(dataDir, "agent-1", "die"), "")
    expect(await run.exited).toBe(1)
    expect(run.stderr).toMatch(/^error: agent 1 exited with code 3 unexpectedly/)
    const log = events(dataDir)
    const died = log.indexOf("agent-1 died")
    expect(died).toBeGreaterThan(0)
    expect(log.slice(died + 1)).toEqual(["agent-0 stopped", "coordinator stopped"])
    expect(existsSync(join(home, "cli.json"))).toBe(true)
  }, 120_000)

  it("says which daemon failed to start, with the end of its log, and exits 1", async () => {
    const home = mkdtempSync(join(tmpdir(), "crowdcloud-home-"))
    const run = startLiveUp(["--agents", "1", "--policy", "no-such-policy"], home)
    expect(await run.exited).toBe(1)
    expect(run.stderr).toMatch(/^error: the coordinator exited with code 2 before it was ready/)
    expect(run.stderr).toContain("unknown policy no-such-policy")
    expect(existsSync(join(home, "cli.json"))).toBe(false)
  }, 120_000)
})
