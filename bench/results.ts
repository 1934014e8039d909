// Where benchmarks put their figures: bench/results/<name>.json, with the machine and code version.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { codeVersion } from "../sim/version.ts"

export const resultsDir = path.resolve(import.meta.dirname, "results")

export const writeBenchResult = (name: string, figures: unknown): string => {
  fs.mkdirSync(resultsDir, { recursive: true })
  const file = path.join(resultsDir, `${name}.json`)
  const record = {
    benchmark: name,
    version: codeVersion(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    figures
  }
  fs.writeFileSync(file, JSON.stringify(record, null, 2) + "\n")
  return file
}
