// A daemon (coordinator or agent) as a child process running a TypeScript entry under tsx's loader:
// its stdout is read for the `{"ready":true,...}` line and, like its stderr, kept in a log file.
// Children get their own process group, so a terminal's Ctrl-C reaches only the CLI, which then
// stops them in order; should the CLI itself die, an exit hook still sends them SIGTERM.
import { type ChildProcess, spawn } from "node:child_process"
import { closeSync, createWriteStream, openSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Deferred, Duration, Effect, Option } from "effect"
import { DaemonFailed } from "./errors.ts"

/** The repository root: daemons run with it as their working directory. */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
/** tsx's loader, for `node --import`: the daemon runs in the spawned process itself, so signals reach it directly. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href

export interface DaemonExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface Daemon {
  readonly name: string
  readonly pid: number
  readonly logFile: string
  /** The first stdout line that is a JSON object with `ready: true`; fails if the daemon exits or the time runs out first. */
  readonly ready: (timeoutMs: number) => Effect.Effect<Record<string, unknown>, DaemonFailed>
  /** Completes when the process has exited. */
  readonly exited: Effect.Effect<DaemonExit>
  /** SIGTERM, then SIGKILL to its whole process group (VMs included) if it has not exited within `graceMs`. */
  readonly stop: (graceMs: number) => Effect.Effect<void>
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false
const installExitHook = () => {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on("exit", () => {
    for (const child of running) child.kill("SIGTERM")
  })
}

export const describeExit = (exit: DaemonExit): string =>
  exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`

const logTail = (file: string, lines = 20) =>
  Effect.promise(() => readFile(file, "utf8").then((text) => text.trimEnd().split("\n").slice(-lines).join("\n"), () => ""))

export interface StartOptions {
  readonly name: string
  /** Relative to the repository root, e.g. `live/coordinator/main.ts`. */
  readonly script: string
  readonly args: ReadonlyArray<string>
  /** Appended to: stdout and stderr of the daemon. */
  readonly logFile: string
}

export const startDaemon = (options: StartOptions): Effect.Effect<Daemon, DaemonFailed> =>
  Effect.gen(function* () {
    installExitHook()
    const stderrFd = yield* Effect.try({
      try: () => openSync(options.logFile, "a"),
      catch: (e) => new DaemonFailed({ daemon: options.name, reason: `could not open its log file: ${e instanceof Error ? e.message : String(e)}` })
    })
    const child = yield* Effect.try({
      try: () =>
        spawn(process.execPath, ["--import", tsxLoader, join(repoRoot, options.script), ...options.args], {
          cwd: repoRoot,
          stdio: ["ignore", "pipe", stderrFd],
          detached: true
        }),
      catch: (e) => new DaemonFailed({ daemon: options.name, reason: `could not be started: ${e instanceof Error ? e.message : String(e)}` })
    }).pipe(Effect.ensuring(Effect.sync(() => closeSync(stderrFd))))
    running.add(child)

    const exited = yield* Deferred.make<DaemonExit>()
    const readyLine = yield* Deferred.make<Record<string, unknown>>()
    const log = createWriteStream(options.logFile, { flags: "a" })
    child.on("exit", (code, signal) => {
      running.delete(child)
      Deferred.unsafeDone(exited, Effect.succeed({ code, signal }))
    })
    child.on("error", () => {
      // A spawn failure also ends in "exit" (code null), reported by whoever waits on it.
    })
    createInterface({ input: child.stdout! }).on("line", (line) => {
      log.write(`${line}\n`)
      if (!line.startsWith("{")) return
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>
        if (parsed["ready"] === true) Deferred.unsafeDone(readyLine, Effect.succeed(parsed))
      } catch {
        // not the ready line
      }
    }).on("close", () => log.end())

    const failed = (reason: string) =>
      Effect.flatMap(logTail(options.logFile), (tail) => Effect.fail(new DaemonFailed({ daemon: options.name, reason, logFile: options.logFile, logTail: tail })))

    const stop = (graceMs: number) =>
      Effect.gen(function* () {
        if (yield* Deferred.isDone(exited)) return
        child.kill("SIGTERM")
        const inTime = yield* Deferred.await(exited).pipe(Effect.timeoutOption(Duration.millis(graceMs)))
        if (Option.isSome(inTime)) return
        try {
          process.kill(-child.pid!, "SIGKILL")
        } catch {
          child.kill("SIGKILL")
        }
        yield* Deferred.await(exited)
      })

    return {
      name: options.name,
      pid: child.pid ?? -1,
      logFile: options.logFile,
      exited: Deferred.await(exited),
      stop,
      ready: (timeoutMs) =>
        Effect.raceFirst(
          Deferred.await(readyLine),
          Effect.flatMap(Deferred.await(exited), (exit) => failed(`${describeExit(exit)} before it was ready`))
        ).pipe(
          Effect.timeoutFail({ duration: Duration.millis(timeoutMs), onTimeout: () => new DaemonFailed({ daemon: options.name, reason: `was not ready within ${Math.round(timeoutMs / 1000)} s`, logFile: options.logFile }) })
        )
    } satisfies Daemon
  })

/** Runs a TypeScript entry in the foreground (stdio inherited) until it exits; interrupting stops it. Yields its exit code. */
export const runForeground = (script: string, args: ReadonlyArray<string>): Effect.Effect<number> =>
  Effect.acquireUseRelease(
    Effect.gen(function* () {
      installExitHook()
      const exited = yield* Deferred.make<DaemonExit>()
      const child = spawn(process.execPath, ["--import", tsxLoader, join(repoRoot, script), ...args], { cwd: repoRoot, stdio: "inherit", detached: true })
      running.add(child)
      child.on("exit", (code, signal) => {
        running.delete(child)
        Deferred.unsafeDone(exited, Effect.succeed({ code, signal }))
      })
      child.on("error", () => {})
      return { child, exited }
    }),
    ({ exited }) => Effect.map(Deferred.await(exited), (exit) => exit.code ?? 128 + (exit.signal === "SIGKILL" ? 9 : 15)),
    ({ child, exited }) =>
      Effect.gen(function* () {
        if (yield* Deferred.isDone(exited)) return
        child.kill("SIGTERM")
        if (Option.isNone(yield* Deferred.await(exited).pipe(Effect.timeoutOption(Duration.seconds(15))))) {
          try {
            process.kill(-child.pid!, "SIGKILL")
          } catch {
            child.kill("SIGKILL")
          }
          yield* Deferred.await(exited)
        }
      })
  )
