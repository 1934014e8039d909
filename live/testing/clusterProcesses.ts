// A whole local cluster as real processes, for end-to-end tests and the live benchmark: one
// coordinator and N agents, each with its own data directory and ports, driven over the HTTP API.
// Processes can be killed (SIGKILL) and the coordinator restarted on the same data and ports.
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { createInterface } from "node:readline"

const root = path.resolve(import.meta.dirname, "../..")
const tsx = [process.execPath, "--import", "tsx"]

export interface ClusterOptions {
  readonly agents: number
  /** Default 1 warm VM per agent. */
  readonly warmPool?: number
  readonly heartbeatTimeoutMs?: number
  readonly repairIntervalMs?: number
  readonly auditIntervalMs?: number
  readonly policy?: string
  readonly seed?: number
  readonly agentVcpus?: number
  readonly agentMemoryMiB?: number
  readonly agentDiskMiB?: number
}

export interface Ready {
  readonly api: string
  readonly agentPort: number
  readonly joinPort: number
  readonly adminToken: string
}

export interface AgentProcess {
  readonly nodeId: number
  readonly dataDir: string
  process: ChildProcess
}

/** Starts `args` and resolves with the first stdout line that parses as JSON with `ready: true`. */
const startProcess = (args: ReadonlyArray<string>, name: string, logFile: string): Promise<{ child: ChildProcess; ready: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const log = fs.openSync(logFile, "a")
    const child = spawn(args[0]!, args.slice(1), { cwd: root, stdio: ["ignore", "pipe", log] })
    fs.closeSync(log)
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${name} was not ready within 120 s; see ${logFile}`))
    }, 120_000)
    const lines = createInterface({ input: child.stdout! })
    lines.on("line", (line) => {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>
        if (parsed.ready === true) {
          clearTimeout(timer)
          resolve({ child, ready: parsed })
        }
      } catch {
        // not the ready line
      }
    })
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready; see ${logFile}:\n${fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(-2000) : ""}`))
    })
  })

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
  })

export class ClusterProcesses {
  coordinator!: ChildProcess
  ready!: Ready
  readonly agents: Array<AgentProcess> = []
  readonly dir: string

  private constructor(readonly options: ClusterOptions, dir?: string) {
    this.dir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-cluster-"))
  }

  static async start(options: ClusterOptions, dir?: string): Promise<ClusterProcesses> {
    const cluster = new ClusterProcesses(options, dir)
    try {
      await cluster.startCoordinator()
      for (let i = 0; i < options.agents; i++) await cluster.addAgent()
      await cluster.waitFor(async () => (await cluster.nodes()).filter((n) => n.online).length === options.agents, 60_000, "every agent online")
    } catch (e) {
      await cluster.stop()
      throw e
    }
    return cluster
  }

  get api(): string {
    return this.ready.api
  }

  async startCoordinator(ports?: { api: number; agent: number; join: number }): Promise<void> {
    const o = this.options
    const args = [
      ...tsx, "live/coordinator/main.ts", "--data-dir", path.join(this.dir, "coordinator"),
      "--heartbeat-timeout-ms", String(o.heartbeatTimeoutMs ?? 5000),
      "--repair-interval-ms", String(o.repairIntervalMs ?? 2000),
      "--audit-interval-ms", String(o.auditIntervalMs ?? 30_000),
      "--policy", o.policy ?? "easy",
      ...(o.seed !== undefined ? ["--seed", String(o.seed)] : []),
      ...(ports !== undefined ? ["--api-port", String(ports.api), "--agent-port", String(ports.agent), "--join-port", String(ports.join)] : [])
    ]
    const { child, ready } = await startProcess(args, "coordinator", path.join(this.dir, "coordinator.log"))
    this.coordinator = child
    this.ready = ready as unknown as Ready
  }

  /** Kills the coordinator with SIGKILL and starts it again on the same data directory and ports. */
  async restartCoordinator(): Promise<void> {
    const port = Number(new URL(this.ready.api).port)
    this.coordinator.kill("SIGKILL")
    await exited(this.coordinator)
    await this.startCoordinator({ api: port, agent: this.ready.agentPort, join: this.ready.joinPort })
  }

  async addAgent(): Promise<AgentProcess> {
    const { nodeId, token } = await this.request<{ nodeId: number; token: string }>("POST", "/api/nodes/join-token")
    const dataDir = path.join(this.dir, `agent-${nodeId}`)
    const o = this.options
    const args = [
      ...tsx, "live/agent/main.ts", "--join", `127.0.0.1:${this.ready.joinPort}`, `--token=${token}`, "--data-dir", dataDir,
      "--cpus", String(o.agentVcpus ?? 2), "--memory", String(o.agentMemoryMiB ?? 1024), "--disk", String(o.agentDiskMiB ?? 2048),
      "--warm-pool", String(o.warmPool ?? 1)
    ]
    const { child } = await startProcess(args, `agent ${nodeId}`, path.join(this.dir, `agent-${nodeId}.log`))
    const agent = { nodeId, dataDir, process: child }
    this.agents.push(agent)
    return agent
  }

  /** SIGKILL, as a lender's machine that vanishes. */
  async killAgent(nodeId: number): Promise<void> {
    const agent = this.agents.find((a) => a.nodeId === nodeId)!
    agent.process.kill("SIGKILL")
    await exited(agent.process)
  }

  async request<A>(method: string, route: string, body?: unknown, token = this.ready.adminToken): Promise<A> {
    const response = await fetch(`${this.ready.api}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && !(body instanceof Uint8Array) ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: body instanceof Uint8Array ? body : JSON.stringify(body) } : {})
    })
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`)
    const type = response.headers.get("content-type") ?? ""
    return (type.includes("json") ? await response.json() : new Uint8Array(await response.arrayBuffer())) as A
  }

  async nodes(): Promise<Array<{ id: number; online: boolean; runningJobs: number }>> {
    return (await this.request<{ nodes: Array<{ id: number; online: boolean; runningJobs: number }> }>("GET", "/api/nodes")).nodes
  }

  async waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      try {
        if (await check()) return
      } catch {
        // not yet reachable
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; logs in ${this.dir}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  /** SIGTERM to everyone, agents first; SIGKILL whoever is still there after 10 s. */
  async stop(): Promise<void> {
    const children = [...this.agents.map((a) => a.process), ...(this.coordinator ? [this.coordinator] : [])]
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
    const timer = setTimeout(() => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL")), 10_000)
    await Promise.all(children.map(exited))
    clearTimeout(timer)
  }

  /** Removes the cluster's directory (keep it when a test failed, for its logs). */
  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true })
  }
}
