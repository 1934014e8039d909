// Runs the CLI as a real child process (`node --import tsx live/cli/main.ts ...`), for tests.
import { spawn } from "node:child_process"
import { join } from "node:path"
import { repoRoot } from "./daemon.ts"

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stdoutBytes: Buffer
  readonly stderr: string
  readonly lines: ReadonlyArray<string>
}

export interface CliRunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly stdin?: Uint8Array
  /** Called once the process is spawned (e.g. to change the stub while it polls). */
  readonly whileRunning?: () => Promise<void> | void
}

export const runCli = (args: ReadonlyArray<string>, options: CliRunOptions = {}): Promise<CliRun> =>
  new Promise((resolve, reject) => {
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries({ ...process.env, ...options.env })) if (v !== undefined) env[k] = v
    const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "live/cli/main.ts"), ...args], { cwd: repoRoot, env, stdio: "pipe" })
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout.on("data", (c: Buffer) => out.push(c))
    child.stderr.on("data", (c: Buffer) => err.push(c))
    child.on("error", reject)
    child.on("close", (code) => {
      const stdoutBytes = Buffer.concat(out)
      const stdout = stdoutBytes.toString("utf8")
      resolve({ code, stdout, stdoutBytes, stderr: Buffer.concat(err).toString("utf8"), lines: stdout.trimEnd().split("\n") })
    })
    child.stdin.end(options.stdin ?? new Uint8Array(0))
    void Promise.resolve(options.whileRunning?.()).catch(reject)
  })
