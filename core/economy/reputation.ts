// Reputation per lender node: a Bayesian score with its uncertainty. Two Beta posteriors — honesty
// (verification passes against failures and failed audits) and reliability (attempts completed
// against attempts lost with the node) — start from a weak prior; the score is their product's
// mean, discounted by observed uptime, and its standard deviation says how much evidence there is.
// Adaptive replication trusts a node only when the score's lower bound is high AND it has a run of
// consecutive verified results, so a cheater cannot coast on one lucky streak. Trust looks at
// honesty alone; the score the marketplace ranks by includes reliability and uptime.
import { doubledCapacity, resized } from "../collections/typedArrays.ts"
export interface ReputationSettings {
  /** Prior pseudo-counts (alpha = beta = prior: a uniform-ish start at 0.5). */
  readonly prior: number
  /** Weight of a failed verification or audit against one pass: lying costs far more than honesty earns. */
  readonly failureWeight: number
  /** Trusted when honesty's mean - z x sd reaches this... */
  readonly trustedLowerBound: number
  readonly z: number
  /** ...and at least this many verified results in a row. */
  readonly trustedStreak: number
}

export const defaultReputationSettings: ReputationSettings = {
  prior: 1,
  failureWeight: 10,
  trustedLowerBound: 0.8,
  z: 2,
  trustedStreak: 10
}

export interface ReputationView {
  readonly score: number
  readonly sd: number
  readonly lowerBound: number
  readonly honesty: number
  readonly reliability: number
  readonly uptime: number
  readonly trusted: boolean
  readonly verifiedStreak: number
}


export class ReputationBook {
  private honestA = new Float64Array(16)
  private honestB = new Float64Array(16)
  private reliableA = new Float64Array(16)
  private reliableB = new Float64Array(16)
  private streak = new Int32Array(16)
  private onlineMs = new Float64Array(16)
  private enrolledMs = new Float64Array(16)
  private count = 0

  constructor(readonly settings: ReputationSettings = defaultReputationSettings) {}

  /** Makes room for nodes 0..n-1. */
  ensure(n: number): void {
    if (n > this.honestA.length) {
      const size = doubledCapacity(this.honestA.length, n)
      this.honestA = resized(this.honestA, size)
      this.honestB = resized(this.honestB, size)
      this.reliableA = resized(this.reliableA, size)
      this.reliableB = resized(this.reliableB, size)
      this.streak = resized(this.streak, size)
      this.onlineMs = resized(this.onlineMs, size)
      this.enrolledMs = resized(this.enrolledMs, size)
    }
    const p = this.settings.prior
    for (let i = this.count; i < n; i++) {
      this.honestA[i] = p
      this.honestB[i] = p
      this.reliableA[i] = p
      this.reliableB[i] = p
    }
    this.count = Math.max(this.count, n)
  }

  attemptCompleted(node: number): void {
    this.reliableA[node]! += 1
  }

  attemptLost(node: number): void {
    this.reliableB[node]! += 1
  }

  verificationPassed(node: number): void {
    this.honestA[node]! += 1
    this.streak[node]! += 1
  }

  /** A result that disagreed with the quorum, or a failed storage audit. */
  verificationFailed(node: number): void {
    this.honestB[node]! += this.settings.failureWeight
    this.streak[node] = 0
  }

  /** Time observed online out of time enrolled (both in ms), from heartbeats. */
  observeUptime(node: number, onlineMs: number, enrolledMs: number): void {
    this.onlineMs[node]! += onlineMs
    this.enrolledMs[node]! += enrolledMs
  }

  score(node: number): number {
    return this.moments(node).mean
  }

  /** Trust is about results only: availability does not make a node's answers more or less right. */
  trusted(node: number): boolean {
    if (this.streak[node]! < this.settings.trustedStreak) return false
    const a = this.honestA[node]!, b = this.honestB[node]!
    const n = a + b
    const mean = a / n
    const sd = Math.sqrt((a * b) / (n * n * (n + 1)))
    return mean - this.settings.z * sd >= this.settings.trustedLowerBound
  }

  view(node: number): ReputationView {
    const { mean, sd, honesty, reliability, uptime } = this.moments(node)
    return {
      score: mean,
      sd,
      lowerBound: Math.max(0, mean - this.settings.z * sd),
      honesty,
      reliability,
      uptime,
      trusted: this.trusted(node),
      verifiedStreak: this.streak[node]!
    }
  }

  /** Mean and sd of honesty x reliability x uptime factor, the Betas taken as independent. */
  private moments(node: number) {
    const ha = this.honestA[node]!, hb = this.honestB[node]!
    const ra = this.reliableA[node]!, rb = this.reliableB[node]!
    const h = ha / (ha + hb)
    const r = ra / (ra + rb)
    const h2 = (ha * (ha + 1)) / ((ha + hb) * (ha + hb + 1))
    const r2 = (ra * (ra + 1)) / ((ra + rb) * (ra + rb + 1))
    const enrolled = this.enrolledMs[node]!
    const uptime = enrolled > 0 ? this.onlineMs[node]! / enrolled : 1
    const u = 0.5 + 0.5 * uptime
    const mean = h * r * u
    const variance = Math.max(0, (h2 * r2 - h * h * r * r) * u * u)
    return { mean, sd: Math.sqrt(variance), honesty: h, reliability: r, uptime }
  }
}
