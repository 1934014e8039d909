// Per-job state as growable typed arrays indexed by JobId: a million jobs cost tens of MiB,
// not a million objects, and the scheduler reads them without pointer chasing.
import { doubledCapacity, resized } from "../collections/typedArrays.ts"
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
    const size = doubledCapacity(this.status.length, n)
    this.status = resized(this.status, size)
    this.cpu = resized(this.cpu, size)
    this.mem = resized(this.mem, size)
    this.disk = resized(this.disk, size)
    this.owner = resized(this.owner, size)
    this.requestedMs = resized(this.requestedMs, size)
    this.workMs = resized(this.workMs, size)
    this.submitMs = resized(this.submitMs, size)
    this.startMs = resized(this.startMs, size)
    this.endMs = resized(this.endMs, size)
    this.node = resized(this.node, size)
    this.attempts = resized(this.attempts, size)
    this.retries = resized(this.retries, size)
    this.rejections = resized(this.rejections, size)
    this.lostCpuMs = resized(this.lostCpuMs, size)
    this.queueToken = resized(this.queueToken, size)
    this.missingSinceMs = resized(this.missingSinceMs, size)
    this.extra = resized(this.extra, size)
    this.group = resized(this.group, size)
    this.priceCap = resized(this.priceCap, size)
    this.minReputation = resized(this.minReputation, size)
  }
}
