// Errors shared by the trace readers in this folder.
// A trace that cannot be opened or read is a TraceFileError, whatever its format,
// so callers can tell "the file is missing" apart from "the file is malformed".
import { Data } from "effect"

/** A trace file could not be opened or read (missing, a directory, no permission, I/O error). */
export class TraceFileError extends Data.TaggedError("TraceFileError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

/** Turns whatever node:fs threw into a readable reason. */
export const fileErrorReason = (error: unknown): string => {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined
  switch (code) {
    case "ENOENT":
      return "file not found (ENOENT)"
    case "EISDIR":
      return "is a directory, not a file (EISDIR)"
    case "EACCES":
    case "EPERM":
      return `permission denied (${code})`
    default:
      return error instanceof Error ? error.message : String(error)
  }
}
