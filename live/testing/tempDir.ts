// A temporary directory that lives as long as the scope that made it: removed, with everything in
// it, when the scope closes (tests and benchmarks of real files, SQLite databases and data dirs).
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"

export const scopedTempDir = (label: string) =>
  Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), `crowdcloud-${label}-`))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
