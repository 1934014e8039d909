// The marketplace around the coordinator: a borrower's job is priced and its maximum cost held in
// escrow before it is queued (no credits, no job); each attempt's metered use is settled to its
// lender with the platform's fee once its result is accepted; lost attempts cost nothing; wrong
// results caught by verification are not paid and cost the lender reputation and collateral;
// the escrow's remainder returns to the borrower when the job ends. The simulator and the live
// coordinator drive it through the coordinator's IO, like the coordinator itself.
import { Either } from "effect"
import { withRoomFor } from "../collections/typedArrays.ts"
import type { Coordinator, JobRequest } from "../coordinator/Coordinator.ts"
import type { JobUnsatisfiable } from "../coordinator/errors.ts"
import type { JobId, NodeId } from "../domain/ids.ts"
import { isTerminal, type JobStatus } from "../domain/lifecycle.ts"
import type { Usage } from "../domain/messages.ts"
import type { Prng } from "../random/prng.ts"
import { type ReplicaResult, type Verdict, Verifier } from "../verification/Verifier.ts"
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
  // Per borrower job (indexed by its id, the id of its first replica): what escrow holds, the most one
  // replica may be charged, what was paid, and whether it runs alone (no verification): most jobs do,
  // and they skip the verifier entirely. Typed arrays, because a run has a million jobs.
  private heldTotal = new Float64Array(1024)
  private heldPerInstance = new Float64Array(1024)
  private paid = new Float64Array(1024)
  private alone = new Uint8Array(1024)
  // Per replica: the cost of its work not yet settled (-1: none) and where it ran.
  private pendingMicro = new Float64Array(1024).fill(-1)
  private pendingNode = new Int32Array(1024)
  /** Digests of lone jobs' results, kept only while someone listens to verdicts. */
  private readonly loneResults = new Map<number, ReplicaResult>()
  private lenderEarnings = new Float64Array(16)
  private readonly endedCosts: Array<number> = []
  private spend = 0
  private fees = 0
  private slashed = 0
  private refused = 0
  private highestAsk = 0
  private askedBy = 0
  private readonly verdictListeners: Array<(v: Verdict, now: number) => void> = []

  constructor(
    private readonly coordinator: Coordinator,
    private readonly accounts: EscrowAccounts<E>,
    readonly settings: EconomySettings,
    rng: Prng
  ) {
    this.reputation = new ReputationBook()
    this.verifier = new Verifier(settings.verification, {
      submitReplica: (request, group, now) => {
        const r = coordinator.submit(request, now, group)
        if (Either.isRight(r)) this.ensure(r.right + 1)
        return r
      },
      cancelReplica: (instance, now) => void coordinator.cancel(instance, now),
      trusted: (node) => this.reputation.trusted(node),
      verdict: (v, now) => this.onVerdict(v, now)
    }, rng)
  }

  /** A lender's node joins the market, posting its collateral. */
  enrollLender(node: number, now: number): void {
    this.reputation.ensure(node + 1)
    this.lenderEarnings = withRoomFor(this.lenderEarnings, node + 1)
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
    if (this.askedBy !== c.count) {
      // Asking prices are fixed when a node enrolls, so the highest changes only when nodes join.
      for (let i = this.askedBy; i < c.count; i++) if (c.price[i]! > this.highestAsk) this.highestAsk = c.price[i]!
      this.askedBy = c.count
    }
    const ask = request.priceCap ?? this.highestAsk
    const surge = surgeMultiplier(this.settings.pricing, c.onlineCpu > 0 ? c.allocatedCpu / c.onlineCpu : 0)
    const priced = { vcpus: request.resources.vcpus, memoryMiB: request.resources.memoryMiB, requestedTimeMs: request.requestedTimeMs }
    return estimateJobCost(this.settings.pricing, priced, ask, surge, this.verifier.maxInstances(request))
  }

  /** Gives a borrower the sign-up grant, once: at sign-up in live mode, else before their first job. */
  fundBorrower(borrower: string, now: number): void {
    const payer = borrowerAccount(borrower)
    if (this.funded.has(payer)) return
    this.funded.add(payer)
    const grant = Math.round(this.settings.grantPerBorrower * microPerCredit)
    if (grant > 0) this.accounts.grant(payer, grant, `signup:${payer}`, now)
  }

  /** Holds the job's maximum cost in escrow, then queues it; neither happens if either fails. */
  submit(request: JobRequest, now: number): Either.Either<JobId, JobUnsatisfiable | E> {
    const admissible = this.coordinator.admissible(request)
    if (Either.isLeft(admissible)) return Either.left(admissible.left)
    const payer = borrowerAccount(request.payer ?? request.owner)
    this.fundBorrower(request.payer ?? request.owner, now)
    const group = this.coordinator.nextJobId as number
    const max = this.estimate(request).maxMicroCredits
    const held = this.accounts.hold(group, payer, max, now)
    if (Either.isLeft(held)) {
      this.refused++
      return Either.left(held.left)
    }
    this.ensure(group + 1)
    const instances = this.verifier.maxInstances(request)
    this.heldTotal[group] = max
    this.heldPerInstance[group] = Math.floor(max / instances)
    this.paid[group] = 0
    this.alone[group] = instances === 1 ? 1 : 0
    // Admissible was checked above, and nothing ran in between: the first replica is accepted.
    return instances === 1 ? this.coordinator.submit(request, now) : this.verifier.submit(request, group, now)
  }

  /** The borrower cancels a job (by the id `submit` returned): it pays for what ran. */
  cancel(group: number, now: number): void {
    if (this.alone[group] === 1) this.coordinator.cancel(group, now)
    else this.verifier.cancel(group, now)
  }

  /** Forward every coordinator transition here. */
  transition(job: number, from: JobStatus, to: JobStatus, node: number, now: number): void {
    const alone = this.alone[job] === 1 && this.coordinator.jobs.group[job]! < 0
    if (to === "placed" && !alone) this.verifier.placed(job, node, now)
    if ((from === "placed" || from === "running") && (to === "queued" || to === "lost") && node >= 0) this.reputation.attemptLost(node)
    if (from === "running" && to === "cancelled") {
      const j = this.coordinator.jobs
      const ranMs = now - j.startMs[job]!
      this.pendingMicro[job] = this.cost(job, node, { cpuMs: ranMs * j.cpu[job]!, wallMs: ranMs, memoryMiBMax: j.mem[job]! })
      this.pendingNode[job] = node
    }
    if (!isTerminal(to)) return
    if (!alone) {
      this.verifier.ended(job, to, now)
      return
    }
    this.settleInstance(job, job, now)
    if (this.verdictListeners.length > 0) {
      const result = this.loneResults.get(job)
      this.loneResults.delete(job)
      const outcome = to === "succeeded" || to === "failed" ? to : to === "cancelled" ? "cancelled" : "lost"
      this.tell({ group: job, outcome, accepted: result ? [result] : [], rejected: [], verified: false, instances: [job] }, now)
    }
    this.close(job, now)
  }

  /** Forward the coordinator's `resultReported` here. */
  result(job: JobId, node: NodeId, outcome: "succeeded" | "failed", usage: Usage, digest: string | undefined): void {
    this.reputation.attemptCompleted(node)
    this.pendingMicro[job] = this.cost(job, node, usage)
    this.pendingNode[job] = node
    if (this.alone[job] === 1 && this.coordinator.jobs.group[job]! < 0) {
      if (this.verdictListeners.length > 0) this.loneResults.set(job, { instance: job, node, outcome, digest: digest ?? outcome })
    } else this.verifier.resultReported(job, node, outcome, digest ?? outcome)
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

  private ensure(n: number): void {
    if (n <= this.heldTotal.length) return
    const old = this.pendingMicro.length
    this.heldTotal = withRoomFor(this.heldTotal, n)
    this.heldPerInstance = withRoomFor(this.heldPerInstance, n)
    this.paid = withRoomFor(this.paid, n)
    this.alone = withRoomFor(this.alone, n)
    this.pendingMicro = withRoomFor(this.pendingMicro, n)
    this.pendingMicro.fill(-1, old)
    this.pendingNode = withRoomFor(this.pendingNode, n)
  }

  private cost(job: number, node: number, usage: Usage): number {
    const c = this.coordinator.cluster
    const surge = surgeMultiplier(this.settings.pricing, c.onlineCpu > 0 ? c.allocatedCpu / c.onlineCpu : 0)
    const memoryMiB = Math.max(usage.memoryMiBMax, this.coordinator.jobs.mem[job]!)
    return meteredCost(this.settings.pricing, { cpuMs: usage.cpuMs, wallMs: usage.wallMs, memoryMiB, bytesTransferred: 0 }, c.price[node]!, surge)
  }

  /** Pays a replica's pending work to its lender, less the fee; billing stops at the requested time. */
  private settleInstance(group: number, instance: number, now: number): void {
    const micro = this.pendingMicro[instance]!
    if (micro < 0) return
    this.pendingMicro[instance] = -1
    const node = this.pendingNode[instance]!
    const charge = Math.min(micro, this.heldPerInstance[group]!, this.heldTotal[group]! - this.paid[group]!)
    const { lender, platform } = splitFee(charge, this.settings.platformFeeRate)
    this.accounts.settle(group, `settle:${instance}`, lenderAccount(node), lender, platform, now)
    this.paid[group]! += charge
    this.spend += charge
    this.fees += platform
    this.lenderEarnings[node]! += lender
  }

  private close(group: number, now: number): void {
    this.accounts.release(group, now)
    this.endedCosts.push(this.paid[group]!)
  }

  private tell(v: Verdict, now: number): void {
    for (const l of this.verdictListeners) l(v, now)
  }

  private onVerdict(v: Verdict, now: number): void {
    // Wrong results are not paid; nor is anyone when no quorum could be reached (who lied is unknown).
    const payNone = v.outcome === "inconclusive"
    for (const instance of v.instances) {
      if (payNone || v.rejected.some((r) => r.instance === instance)) this.pendingMicro[instance] = -1
      else this.settleInstance(v.group, instance, now)
    }
    if (v.verified) for (const r of v.accepted) this.reputation.verificationPassed(r.node)
    for (const r of v.rejected) {
      this.reputation.verificationFailed(r.node)
      const lender = lenderAccount(r.node)
      const take = Math.floor(this.accounts.collateralOf(lender) * this.settings.slashFraction)
      if (take > 0) this.slashed += this.accounts.slashCollateral(lender, take, `slash:${r.instance}`, now)
    }
    if (v.verified || v.rejected.length > 0) {
      for (const r of v.accepted) this.coordinator.cluster.reputation[r.node] = this.reputation.score(r.node)
      for (const r of v.rejected) this.coordinator.cluster.reputation[r.node] = this.reputation.score(r.node)
    }
    this.close(v.group, now)
    this.coordinator.forgetGroup(v.group)
    this.tell(v, now)
  }
}
