// What the simulator knows and the marketplace does not: which results were wrong. Counts wrong
// results caught (rejected by a quorum) against those accepted, the extra work verification cost,
// and how fast cheating nodes lost their reputation.
import type { Coordinator } from "../../core/coordinator/Coordinator.ts"
import type { ReputationBook } from "../../core/economy/reputation.ts"
import { quantileSorted } from "../../core/metrics/stats.ts"
import type { Verdict } from "../../core/verification/Verifier.ts"

export const correctDigest = "ok"
export const isWrongDigest = (digest: string): boolean => digest !== correctDigest

/** A cheater counts as distrusted once its score falls below this (a node with no history scores 0.25). */
export const distrustScore = 0.1

export interface VerificationSummary {
  /** Wrong results caught over wrong results in decided jobs. */
  readonly detectionRate: number
  readonly wrongResults: number
  readonly wrongCaught: number
  readonly wrongAccepted: number
  /** Extra replica work as a fraction of the work of one accepted replica per job. */
  readonly overhead: number
  readonly jobsDecided: number
  readonly jobsVerified: number
  readonly inconclusive: number
  readonly cheaterNodes: number
  /** Cheaters whose reputation fell below `distrustScore`, and how fast (seconds from the start). */
  readonly cheatersDistrusted: number
  readonly timeToDistrustS: { readonly p50: number; readonly p95: number }
  readonly reputationMean: { readonly cheaters: number; readonly honest: number }
}

export class VerificationTally {
  private wrong = 0
  private caught = 0
  private accepted = 0
  private decided = 0
  private verified = 0
  private inconclusive = 0
  private allCpuMs = 0
  private primaryCpuMs = 0
  private readonly distrustedAtMs: Float64Array

  constructor(private readonly coordinator: Coordinator, private readonly cheater: Uint8Array) {
    this.distrustedAtMs = new Float64Array(cheater.length).fill(-1)
  }

  verdict(v: Verdict): void {
    if (v.outcome !== "succeeded" && v.outcome !== "failed" && v.outcome !== "inconclusive") return
    this.decided++
    if (v.verified) this.verified++
    if (v.outcome === "inconclusive") this.inconclusive++
    for (const r of v.rejected) if (isWrongDigest(r.digest)) (this.wrong++, this.caught++)
    for (const r of v.accepted) if (isWrongDigest(r.digest)) (this.wrong++, this.accepted++)
    const j = this.coordinator.jobs
    let primary = -1
    for (const i of v.instances) {
      if (j.startMs[i]! < 0 || j.endMs[i]! < 0) continue
      const cpuMs = (j.endMs[i]! - j.startMs[i]!) * j.cpu[i]!
      this.allCpuMs += cpuMs
      if (primary < 0 && v.accepted.some((r) => r.instance === i)) primary = cpuMs
    }
    if (primary >= 0) this.primaryCpuMs += primary
  }

  /** Call after reputations were refreshed. */
  observe(reputation: ReputationBook, now: number): void {
    for (let n = 0; n < this.cheater.length; n++) {
      if (this.cheater[n] === 1 && this.distrustedAtMs[n]! < 0 && reputation.score(n) < distrustScore) this.distrustedAtMs[n] = now
    }
  }

  summary(reputation: ReputationBook): VerificationSummary {
    const times: Array<number> = []
    let cheaters = 0, cheaterSum = 0, honest = 0, honestSum = 0
    for (let n = 0; n < this.cheater.length; n++) {
      if (this.cheater[n] === 1) {
        cheaters++
        cheaterSum += reputation.score(n)
        if (this.distrustedAtMs[n]! >= 0) times.push(this.distrustedAtMs[n]! / 1000)
      } else {
        honest++
        honestSum += reputation.score(n)
      }
    }
    times.sort((a, b) => a - b)
    const r6 = (x: number) => Math.round(x * 1e6) / 1e6
    return {
      detectionRate: r6(this.wrong > 0 ? this.caught / this.wrong : 1),
      wrongResults: this.wrong,
      wrongCaught: this.caught,
      wrongAccepted: this.accepted,
      overhead: r6(this.primaryCpuMs > 0 ? this.allCpuMs / this.primaryCpuMs - 1 : 0),
      jobsDecided: this.decided,
      jobsVerified: this.verified,
      inconclusive: this.inconclusive,
      cheaterNodes: cheaters,
      cheatersDistrusted: times.length,
      timeToDistrustS: { p50: r6(quantileSorted(times, 0.5) || 0), p95: r6(quantileSorted(times, 0.95) || 0) },
      reputationMean: { cheaters: r6(cheaters > 0 ? cheaterSum / cheaters : 0), honest: r6(honest > 0 ? honestSum / honest : 0) }
    }
  }
}
