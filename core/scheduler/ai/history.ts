// What a coordinator has observed of its users and nodes: finished jobs' run times per user, and
// each node's sessions (register to declared gone) and lost attempts. Learning policies read only
// these and the live scheduling state, never the simulator's truth.
import { doubledCapacity, resized } from "../../collections/typedArrays.ts"

const RECENT = 5

/** Per user, the work (at reference speed) of their most recently finished jobs. */
export class UserHistory {
  private recent = new Float64Array(RECENT * 64)
  private count = new Int32Array(64)
  private logRatioSum = new Float64Array(64)

  private ensure(user: number): void {
    if (user < this.count.length) return
    const n = doubledCapacity(this.count.length, user + 1)
    this.recent = resized(this.recent, RECENT * n)
    this.count = resized(this.count, n)
    this.logRatioSum = resized(this.logRatioSum, n)
  }

  record(user: number, workMs: number, requestedMs: number): void {
    this.ensure(user)
    const k = this.count[user]!
    this.recent[user * RECENT + (k % RECENT)] = workMs
    this.count[user] = k + 1
    this.logRatioSum[user] = this.logRatioSum[user]! + Math.log(Math.max(1, workMs) / Math.max(1, requestedMs))
  }

  finished(user: number): number {
    return user < this.count.length ? this.count[user]! : 0
  }

  /** Mean work of the user's last `k` (at most 5) finished jobs; NaN with no history. */
  meanOfLast(user: number, k: number): number {
    const n = Math.min(k, this.finished(user))
    if (n === 0) return NaN
    const total = this.count[user]!
    let sum = 0
    for (let i = 1; i <= n; i++) sum += this.recent[user * RECENT + ((total - i) % RECENT)]!
    return sum / n
  }

  /** Mean of log(run / requested) over the user's finished jobs; 0 with no history. */
  meanLogRatio(user: number): number {
    const n = this.finished(user)
    return n === 0 ? 0 : this.logRatioSum[user]! / n
  }
}

/** Per node, its current session's start and its completed sessions and attempts. */
export class NodeHistory {
  private isOnline = new Uint8Array(64)
  private sessionStart = new Float64Array(64)
  private sessions = new Int32Array(64)
  private sessionSumMs = new Float64Array(64)
  private ended = new Int32Array(64)
  private lost = new Int32Array(64)
  private allSessions = 0
  private allSessionMs = 0

  constructor(private readonly defaultSessionMs: number) {}

  private ensure(node: number): void {
    if (node < this.sessions.length) return
    const n = doubledCapacity(this.sessions.length, node + 1)
    this.isOnline = resized(this.isOnline, n)
    this.sessionStart = resized(this.sessionStart, n)
    this.sessions = resized(this.sessions, n)
    this.sessionSumMs = resized(this.sessionSumMs, n)
    this.ended = resized(this.ended, n)
    this.lost = resized(this.lost, n)
  }

  /** A node registered: a session starts (closing the previous one if we never saw it end). */
  online(node: number, now: number): void {
    this.ensure(node)
    if (this.isOnline[node] === 1) this.closeSession(node, now)
    this.isOnline[node] = 1
    this.sessionStart[node] = now
  }

  offline(node: number, now: number): void {
    this.ensure(node)
    if (this.isOnline[node] === 1) this.closeSession(node, now)
    this.isOnline[node] = 0
  }

  private closeSession(node: number, now: number): void {
    const length = Math.max(0, now - this.sessionStart[node]!)
    this.sessions[node]!++
    this.sessionSumMs[node] = this.sessionSumMs[node]! + length
    this.allSessions++
    this.allSessionMs += length
  }

  attemptEnded(node: number, wasLost: boolean): void {
    this.ensure(node)
    this.ended[node]!++
    if (wasLost) this.lost[node]!++
  }

  uptimeMs(node: number, now: number): number {
    return node < this.isOnline.length && this.isOnline[node] === 1 ? now - this.sessionStart[node]! : 0
  }

  sessionCount(node: number): number {
    return node < this.sessions.length ? this.sessions[node]! : 0
  }

  /** Mean observed session length, shrunk towards the cluster's mean (one pseudo-session). */
  meanSessionMs(node: number): number {
    const prior = this.allSessions > 0 ? this.allSessionMs / this.allSessions : this.defaultSessionMs
    const k = this.sessionCount(node)
    return ((k > 0 ? this.sessionSumMs[node]! : 0) + prior) / (k + 1)
  }

  /** Share of the node's attempts lost with it, with a Beta(1, 4) prior. */
  lossRate(node: number): number {
    if (node >= this.ended.length) return 0.2
    return (this.lost[node]! + 1) / (this.ended[node]! + 5)
  }
}
