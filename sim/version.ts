// The code version recorded in every result: the git commit, marked when the tree has changes.
import { execFileSync } from "node:child_process"
import * as path from "node:path"

export const codeVersion = (): string => {
  const cwd = path.resolve(import.meta.dirname, "..")
  try {
    const commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd, stdio: ["ignore", "pipe", "ignore"] }).toString().trim()
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd, stdio: ["ignore", "pipe", "ignore"] }).toString().trim()
    return dirty ? `${commit}-dirty` : commit
  } catch {
    return "unknown"
  }
}
