// The marketplace around the coordinator: a borrower's job is priced and its maximum cost held in
// escrow before it is queued (no credits, no job); each attempt's metered use is settled to its
// lender with the platform's fee once its result is accepted; lost attempts cost nothing; wrong
// results caught by verification are not paid and cost the lender reputation and collateral;
// the escrow's remainder returns to the borrower when the job ends. The simulator and the live
// coordinator drive it through the coordinator's IO, like the coordinator itself.
import { Either } from "effect"
import type { Coordinator, JobRequest } from "../coordinator/Coordinator.ts"
import type { JobUnsatisfiable } from "../coordinator/errors.ts"
import type { JobId, NodeId } from "../domain/ids.ts"
import { isTerminal, type JobStatus } from "../domain/lifecycle.ts"
import type { Usage } from "../domain/messages.ts"
import type { Prng } from "../random/prng.ts"
import { type Verdict, Verifier } from "../verification/Verifier.ts"
import { borrowerAccount, type EscrowAccounts, lenderAccount } from "./accounts.ts"
import { estimateJobCost, meteredCost, microPerCredit, splitFee, surgeMultiplier } from "./pricing.ts"
import { ReputationBook } from "./reputation.ts"
import type { EconomySettings } from "./settings.ts"

export interface MarketTotals {
  /** Micro-credits borrowers paid (lenders' shares plus fees). */
  readonly borrowerSpendMicro: number
  readonly platformFeesMicro: number
  readonly collateralSlashedMicro: number
  /** Micro-credits each lender node earned, by node id. */
  readonly lenderEarningsMicro: Float64Array
  /** Micro-credits each ended borrower job cost, in the order the jobs ended. */
  readonly jobCostMicro: ReadonlyArray<number>
  readonly refusedForCredits: number
}

export class Market<E> {
  readonly reputation: ReputationBook
  readonly verifier: Verifier
  private readonly funded = new Set<string>()
  private readonly payer = new Map<number, string>()
  private readonly jobCost = new Map<number, number>()
  /** What each job's escrow holds, and the most one replica may be charged (its requested time at the highest price). */
  private readonly held = new Map<number, { readonly total: number; readonly perInstance: number }>()
  /** Cost of an instance's work not yet settled (waiting for its group's verdict). */
  private readonly pending = new Map<number, { readonly node: number; readonly micro: number }>()
  private lenderEarnings = new Float64Array(16)
  private readonly endedCosts: Array<number> = []
  private spend = 0
  private fees = 0
  private slashed = 0
  private refused = 0
  private readonly verdictListeners: Array<(v: Verdict, now: number) => void> = []

  constructor(
    private readonly coordinator: Coordinator,
    private readonly accounts: EscrowAccounts<E>,
    readonly settings: EconomySettings,
    rng: Prng
  ) {
    this.reputation = new ReputationBook()
    this.verifier = new Verifier(settings.verification, {
      submitReplica: (request, group, now) => coordinator.submit(request, now, this.needsGroup(request) ? group : -1),
      cancelReplica: (instance, now) => void coordinator.cancel(instance, now),
      trusted: (node) => this.reputation.trusted(node),
      verdict: (v, now) => this.onVerdict(v, now)
    }, rng)
  }

  /** A lender's node joins the market, posting its collateral. */
  enrollLender(node: number, now: number): void {
    this.reputation.ensure(node + 1)
    if (node >= this.lenderEarnings.length) {
      const e = new Float64Array(Math.max(node + 1, this.lenderEarnings.length * 2))
      e.set(this.lenderEarnings)
      this.lenderEarnings = e
    }
    const collateral = Math.round(this.settings.collateralPerLender * microPerCredit)
    if (collateral > 0) {
      const account = lenderAccount(node)
      this.accounts.grant(account, collateral, `collateral-grant:${node}`, now)
      this.accounts.postCollateral(account, collateral, now)
    }
  }

  /** Tells a listener of every verdict (the simulator counts wrong results caught). */
  listenVerdicts(listener: (v: Verdict, now: number) => void): void {
    this.verdictListeners.push(listener)
  }

  /** What a job would cost at most, and likely, if submitted now (micro-credits). */
  estimate(request: JobRequest) {
    const c = this.coordinator.cluster
    let highestAsk = 0
    for (let i = 0; i < c.count; i++) if (c.price[i]! > highestAsk) highestAsk = c.price[i]!
    const ask = request.priceCap ?? highestAsk
    const surge = surgeMultiplier(this.settings.pricing, c.onlineCpu > 0 ? c.allocatedCpu / c.onlineCpu : 0)
    const priced = { vcpus: request.resources.vcpus, memoryMiB: request.resources.memoryMiB, requestedTimeMs: request.requestedTimeMs }
    return estimateJobCost(this.settings.pricing, priced, ask, surge, this.verifier.maxInstances(request))
  }

  /** Holds the job's maximum cost in escrow, then queues it; neither happens if either fails. */
  submit(request: JobRequest, now: number): Either.Either<JobId, JobUnsatisfiable | E> {
    const admissible = this.coordinator.admissible(request)
    if (Either.isLeft(admissible)) return Either.left(admissible.left)
    const payer = borrowerAccount(request.owner)
    if (!this.funded.has(payer)) {
      this.funded.add(payer)
      const grant = Math.round(this.settings.grantPerBorrower * microPerCredit)
      if (grant > 0) this.accounts.grant(payer, grant, `signup:${payer}`, now)
    }
    const group = this.coordinator.nextJobId as number
    const max = this.estimate(request).maxMicroCredits
    const held = this.accounts.hold(group, payer, max, now)
    if (Either.isLeft(held)) {
      this.refused++
      return Either.left(held.left)
    }
    this.held.set(group, { total: max, perInstance: Math.floor(max / this.verifier.maxInstances(request)) })
    this.payer.set(group, payer)
    this.jobCost.set(group, 0)
    // Admissible was checked above, and nothing ran in between: the first replica is accepted.
    return this.verifier.submit(request, group, now)
  }

  /** The borrower cancels a job (by the id `submit` returned): it pays for what ran. */
  cancel(group: number, now: number): void {
    this.verifier.cancel(group, now)
  }

  /** Forward every coordinator transition here. */
  transition(job: number, from: JobStatus, to: JobStatus, node: number, now: number): void {
    if (to === "placed") this.verifier.placed(job, node, now)
    if ((from === "placed" || from === "running") && (to === "queued" || to === "lost") && node >= 0) this.reputation.attemptLost(node)
    if (from === "running" && to === "cancelled") {
      const j = this.coordinator.jobs
      this.pending.set(job, { node, micro: this.cost(job, node, { cpuMs: (now - j.startMs[job]!) * j.cpu[job]!, wallMs: now - j.startMs[job]!, memoryMiBMax: j.mem[job]! }) })
    }
    if (isTerminal(to)) this.verifier.ended(job, to, now)
  }

  /** Forward the coordinator's `resultReported` here. */
  result(job: JobId, node: NodeId, outcome: "succeeded" | "failed", usage: Usage, digest: string | undefined): void {
    this.reputation.attemptCompleted(node)
    this.pending.set(job, { node, micro: this.cost(job, node, usage) })
    this.verifier.resultReported(job, node, outcome, digest ?? outcome)
  }

  /** Refreshes uptime evidence and the scores the scheduler sees; call once per heartbeat interval. */
  heartbeat(intervalMs: number): void {
    const c = this.coordinator.cluster
    for (let i = 0; i < c.count; i++) {
      this.reputation.observeUptime(i, c.online[i] === 1 ? intervalMs : 0, intervalMs)
      c.reputation[i] = this.reputation.score(i)
    }
  }

  totals(): MarketTotals {
    return {
      borrowerSpendMicro: this.spend,
      platformFeesMicro: this.fees,
      collateralSlashedMicro: this.slashed,
      lenderEarningsMicro: this.lenderEarnings.subarray(0, this.coordinator.cluster.count),
      jobCostMicro: this.endedCosts,
      refusedForCredits: this.refused
    }
  }

  private needsGroup(request: JobRequest): boolean {
    return request.replication > 1 || this.settings.verification.mode === "adaptive"
  }

  private cost(job: number, node: number, usage: Usage): number {
    const c = this.coordinator.cluster
    const surge = surgeMultiplier(this.settings.pricing, c.onlineCpu > 0 ? c.allocatedCpu / c.onlineCpu : 0)
    const memoryMiB = Math.max(usage.memoryMiBMax, this.coordinator.jobs.mem[job]!)
    return meteredCost(this.settings.pricing, { cpuMs: usage.cpuMs, wallMs: usage.wallMs, memoryMiB, bytesTransferred: 0 }, c.price[node]!, surge)
  }

  private onVerdict(v: Verdict, now: number): void {
    const rejected = new Set(v.rejected.map((r) => r.instance))
    const held = this.held.get(v.group)!
    let paid = 0
    for (const instance of v.instances) {
      const work = this.pending.get(instance)
      if (work === undefined) continue
      this.pending.delete(instance)
      // Wrong results are not paid; nor is anyone when no quorum could be reached (who lied is unknown).
      if (rejected.has(instance) || v.outcome === "inconclusive") continue
      // Billing stops at the requested time: a slow node that overruns it is not paid for the overrun.
      const charge = Math.min(work.micro, held.perInstance, held.total - paid)
      const { lender, platform } = splitFee(charge, this.settings.platformFeeRate)
      this.accounts.settle(v.group, `settle:${instance}`, lenderAccount(work.node), lender, platform, now)
      paid += charge
      this.spend += charge
      this.fees += platform
      this.lenderEarnings[work.node]! += lender
    }
    this.jobCost.set(v.group, paid)
    if (v.verified) for (const r of v.accepted) this.reputation.verificationPassed(r.node)
    for (const r of v.rejected) {
      this.reputation.verificationFailed(r.node)
      const lender = lenderAccount(r.node)
      const take = Math.floor(this.accounts.collateralOf(lender) * this.settings.slashFraction)
      if (take > 0) this.slashed += this.accounts.slashCollateral(lender, take, `slash:${r.instance}`, now)
    }
    for (const r of [...v.accepted, ...v.rejected]) this.coordinator.cluster.reputation[r.node] = this.reputation.score(r.node)
    this.accounts.release(v.group, now)
    this.endedCosts.push(this.jobCost.get(v.group)!)
    this.jobCost.delete(v.group)
    this.payer.delete(v.group)
    this.held.delete(v.group)
    this.coordinator.forgetGroup(v.group)
    for (const l of this.verdictListeners) l(v, now)
  }
}
