// Writes a run's results as files pandas and d3 read directly: summary.json, jobs.csv (one row
// per job and policy) and timeseries.csv. Rows are produced one at a time and written in chunks,
// so a million-row file is never built whole.
import * as fs from "node:fs"
import * as path from "node:path"
import { statusCodes } from "../../core/domain/lifecycle.ts"
import { boundedSlowdown } from "../../core/metrics/stats.ts"
import type { WorldResult } from "../world/World.ts"
import type { PolicySummary } from "./summary.ts"

export interface RunSummary {
  readonly scenario: string
  readonly seed: number
  readonly version: string
  readonly parameters: unknown
  readonly policies: Record<string, PolicySummary>
  /** The first policy's verification figures, when the scenario verifies results (e.g. `cheaters`). */
  readonly verification?: PolicySummary["verification"] & { readonly policy: string }
}

export class CsvFile {
  private readonly fd: number
  private buf: Array<string> = []
  private size = 0
  constructor(file: string, header: string) {
    this.fd = fs.openSync(file, "w")
    this.line(header)
  }
  line(text: string): void {
    this.buf.push(text)
    this.size += text.length
    if (this.size > 1 << 20) this.flush()
  }
  /** Appends lines already joined (each ending in a newline). */
  raw(text: string): void {
    this.flush()
    fs.writeSync(this.fd, text)
  }
  private flush(): void {
    if (this.buf.length > 0) fs.writeSync(this.fd, this.buf.join("\n") + "\n")
    this.buf = []
    this.size = 0
  }
  close(): void {
    this.flush()
    fs.closeSync(this.fd)
  }
}

const num = (x: number): string => (x < 0 ? "" : String(Math.round(x * 1000) / 1000))

export const jobsCsvHeader =
  "policy,job_id,user,submit_s,start_s,end_s,wait_s,run_s,completion_s,bounded_slowdown,vcpus,memory_mib,disk_mib,status,attempts,node"

export const forEachJobRow = (r: WorldResult, emit: (line: string) => void): void => {
  const c = r.coordinator
  const j = c.jobs
  for (let i = 0; i < j.count; i++) {
    const status = statusCodes[j.status[i]!]!
    const ended = j.endMs[i]! >= 0 && j.startMs[i]! >= 0 && (status === "succeeded" || status === "failed")
    const submitS = j.submitMs[i]! / 1000
    const startS = j.startMs[i]! >= 0 ? j.startMs[i]! / 1000 : -1
    const endS = j.endMs[i]! >= 0 ? j.endMs[i]! / 1000 : -1
    const waitS = startS >= 0 ? startS - submitS : -1
    const runS = ended ? endS - startS : -1
    const completionS = ended ? endS - submitS : -1
    const bsld = ended ? boundedSlowdown(completionS, runS) : -1
    emit(
      `${r.policy},${i},${c.userOf(i)},${num(submitS)},${num(startS)},${num(endS)},${num(waitS)},${num(runS)},${num(completionS)},${num(bsld)},${j.cpu[i]},${j.mem[i]},${j.disk[i]},${status},${j.attempts[i]},${j.node[i]! >= 0 ? j.node[i] : ""}`
    )
  }
}

export const timeseriesCsvHeader = "policy,time_s,nodes_online,vcpus_online,vcpus_allocated,utilisation,queued,active"

export const forEachSeriesRow = (r: WorldResult, emit: (line: string) => void): void => {
  const s = r.series
  for (let i = 0; i < s.length; i++) {
    const util = s.cpuOnline[i]! > 0 ? Math.round((s.cpuAllocated[i]! / s.cpuOnline[i]!) * 1e4) / 1e4 : 0
    emit(`${r.policy},${s.timeMs[i]! / 1000},${s.nodesOnline[i]},${s.cpuOnline[i]},${s.cpuAllocated[i]},${util},${s.queued[i]},${s.active[i]}`)
  }
}

export const writeSummary = (dir: string, summary: RunSummary): void => {
  fs.writeFileSync(path.join(dir, "summary.json"), JSON.stringify(summary, null, 2) + "\n")
}

export const writeDistributions = (dir: string, distributions: unknown): void => {
  fs.writeFileSync(path.join(dir, "distributions.json"), JSON.stringify(distributions) + "\n")
}

export const openResultFiles = (dir: string) => ({
  jobs: new CsvFile(path.join(dir, "jobs.csv"), jobsCsvHeader),
  series: new CsvFile(path.join(dir, "timeseries.csv"), timeseriesCsvHeader)
})
