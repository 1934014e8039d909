// Per-job state as growable typed arrays indexed by JobId: a million jobs cost tens of MiB,
// not a million objects, and the scheduler reads them without pointer chasing.
import { statusCode } from "../domain/lifecycle.ts"

export const Status = {
  queued: statusCode("queued"),
  placed: statusCode("placed"),
  running: statusCode("running"),
  succeeded: statusCode("succeeded"),
  failed: statusCode("failed"),
  cancelled: statusCode("cancelled"),
  lost: statusCode("lost")
} as const

const grow = <A extends Int32Array | Float64Array | Uint8Array>(a: A, n: number): A => {
  const b = new (a.constructor as new (n: number) => A)(n)
  b.set(a)
  return b
}

export class JobTable {
  count = 0
  status = new Uint8Array(1024)
  cpu = new Int32Array(1024)
  mem = new Int32Array(1024)
  disk = new Int32Array(1024)
  owner = new Int32Array(1024)
  requestedMs = new Float64Array(1024)
  workMs = new Float64Array(1024)
  submitMs = new Float64Array(1024)
  /** Start of the current (or last) attempt; -1 before the first start. */
  startMs = new Float64Array(1024)
  /** When the job reached a terminal state; -1 before. */
  endMs = new Float64Array(1024)
  /** Node of the current (or last) attempt; -1 before the first placement. */
  node = new Int32Array(1024)
  /** Number of attempts placed so far; the current attempt's number is attempts - 1. */
  attempts = new Int32Array(1024)
  /** Attempts lost with a node and retried (bounded by maxRetries). */
  retries = new Int32Array(1024)
  /** Placements an agent refused (its view of its capacity differed from ours). */
  rejections = new Int32Array(1024)
  /** vCPU-milliseconds spent on attempts that were lost with their node. */
  lostCpuMs = new Float64Array(1024)
  /** When the job's agent first left it out of a heartbeat (-1: reported, or not yet asked). */
  missingSinceMs = new Float64Array(1024)
  /** Bumped on every enqueue so stale queue entries can be told apart. */
  queueToken = new Int32Array(1024)
  /** Index into `extras` of the job's image and command (interned). */
  extra = new Int32Array(1024)
  /** Replica group (verified jobs: the instances of one borrower job); -1 for none. Instances of a group run on distinct nodes. */
  group = new Int32Array(1024)
  /** Marketplace constraints: highest asking price per vCPU-hour accepted (Infinity: any) and least node reputation. */
  priceCap = new Float64Array(1024)
  minReputation = new Float64Array(1024)

  ensure(n: number): void {
    if (n <= this.status.length) return
    let size = this.status.length
    while (size < n) size *= 2
    this.status = grow(this.status, size)
    this.cpu = grow(this.cpu, size)
    this.mem = grow(this.mem, size)
    this.disk = grow(this.disk, size)
    this.owner = grow(this.owner, size)
    this.requestedMs = grow(this.requestedMs, size)
    this.workMs = grow(this.workMs, size)
    this.submitMs = grow(this.submitMs, size)
    this.startMs = grow(this.startMs, size)
    this.endMs = grow(this.endMs, size)
    this.node = grow(this.node, size)
    this.attempts = grow(this.attempts, size)
    this.retries = grow(this.retries, size)
    this.rejections = grow(this.rejections, size)
    this.lostCpuMs = grow(this.lostCpuMs, size)
    this.queueToken = grow(this.queueToken, size)
    this.missingSinceMs = grow(this.missingSinceMs, size)
    this.extra = grow(this.extra, size)
    this.group = grow(this.group, size)
    this.priceCap = grow(this.priceCap, size)
    this.minReputation = grow(this.minReputation, size)
  }
}
