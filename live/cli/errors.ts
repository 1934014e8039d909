// What can stop a CLI command, each with the facts to act on. main.ts turns them into exit codes:
// a usage error is 2 (with the usage text), everything else 1, always as `error: <message>` on stderr.
import { Data } from "effect"

/** The command line is wrong: unknown command or flag, missing or malformed value. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly problem: string; readonly usage: string }> {
  override get message() {
    return this.problem
  }
}

/** The API answered with an error (`{ error, message }` body). */
export class ApiError extends Data.TaggedError("ApiError")<{ readonly status: number; readonly error: string; readonly detail: string }> {
  override get message() {
    return this.detail
  }
}

/** The API could not be reached at all. */
export class ApiUnreachable extends Data.TaggedError("ApiUnreachable")<{ readonly api: string; readonly reason: string }> {
  override get message() {
    return `cannot reach the CrowdCloud API at ${this.api}: ${this.reason}`
  }
}

/** No API address or token from flags, environment or cli.json. */
export class NotConfigured extends Data.TaggedError("NotConfigured")<{ readonly missing: string; readonly configFile: string }> {
  override get message() {
    return `no ${this.missing} configured: pass --api URL --token T, set CROWDCLOUD_API and CROWDCLOUD_TOKEN, or start a local cluster with \`crowdcloud live up\` (which writes ${this.configFile})`
  }
}

export class LocalFileError extends Data.TaggedError("LocalFileError")<{ readonly path: string; readonly action: string; readonly reason: string }> {
  override get message() {
    return `cannot ${this.action} ${this.path}: ${this.reason}`
  }
}

/** `job wait` gave up before the job ended. */
export class WaitTimedOut extends Data.TaggedError("WaitTimedOut")<{ readonly jobId: number; readonly state: string; readonly waitedS: number }> {
  override get message() {
    return `job ${this.jobId} is still ${this.state} after ${this.waitedS} s`
  }
}

/** A daemon started by `live up` or `agent` failed to start or died. */
export class DaemonFailed extends Data.TaggedError("DaemonFailed")<{ readonly daemon: string; readonly reason: string; readonly logFile?: string; readonly logTail?: string }> {
  override get message() {
    const tail = this.logTail !== undefined && this.logTail !== "" ? `\nlast lines of ${this.logFile}:\n${this.logTail}` : this.logFile !== undefined ? ` (log: ${this.logFile})` : ""
    return `${this.daemon} ${this.reason}${tail}`
  }
}

export type CliError = UsageError | ApiError | ApiUnreachable | NotConfigured | LocalFileError | WaitTimedOut | DaemonFailed
