// Verified results by replication and quorum, as volunteer-computing systems do. The borrower's job
// is a replica group; each replica is a coordinator job whose group makes the scheduler put it on a
// node no other replica of the group has used. Results are compared by digest (outcome included):
// when `quorum` agree the group is accepted, replicas that disagree are rejected, and replicas still
// running are cancelled; with no quorum once all have ended, a tie-breaker is added, up to a limit.
import { Either } from "effect"
import type { JobUnsatisfiable } from "../coordinator/errors.ts"
import type { JobRequest } from "../coordinator/Coordinator.ts"
import type { JobId } from "../domain/ids.ts"
import type { JobStatus } from "../domain/lifecycle.ts"
import type { Prng } from "../random/prng.ts"
import type { VerificationSettings } from "./settings.ts"

export interface ReplicaResult {
  readonly instance: number
  readonly node: number
  readonly outcome: "succeeded" | "failed"
  readonly digest: string
}

export type GroupOutcome = "succeeded" | "failed" | "inconclusive" | "lost" | "cancelled"

export interface Verdict {
  readonly group: number
  readonly outcome: GroupOutcome
  /** Replicas whose result is the group's result (empty unless succeeded/failed). */
  readonly accepted: ReadonlyArray<ReplicaResult>
  /** Replicas whose result disagreed with the quorum: wrong results caught. */
  readonly rejected: ReadonlyArray<ReplicaResult>
  /** Whether more than one replica was compared (false: one result taken on trust). */
  readonly verified: boolean
  readonly instances: ReadonlyArray<number>
}

export interface VerifierIO {
  submitReplica(request: JobRequest, group: number, now: number): Either.Either<JobId, JobUnsatisfiable>
  cancelReplica(instance: number, now: number): void
  /** Whether a node has earned adaptive replication's trust. */
  trusted(node: number): boolean
  verdict(verdict: Verdict, now: number): void
}

interface Group {
  readonly request: JobRequest
  readonly instances: Array<number>
  readonly results: Array<ReplicaResult>
  /** Results that must agree; 1 while the group is taken on trust. */
  quorum: number
  readonly adaptive: boolean
  done: boolean
  ended: number
}

export class Verifier {
  private readonly groups = new Map<number, Group>()
  private readonly groupOf = new Map<number, number>()

  constructor(
    private readonly settings: VerificationSettings,
    private readonly io: VerifierIO,
    private readonly rng: Prng
  ) {}

  /** Replicas a job's escrow must cover at most. */
  maxInstances(request: JobRequest): number {
    if (request.replication > 1) return Math.max(request.replication, this.settings.maxInstances)
    return this.settings.mode === "adaptive" ? this.settings.maxInstances : 1
  }

  /** Submits a borrower's job as a replica group; the first replica's id names the group. */
  submit(request: JobRequest, group: number, now: number): Either.Either<JobId, JobUnsatisfiable> {
    const fixed = request.replication > 1
    const g: Group = {
      request,
      instances: [],
      results: [],
      quorum: fixed ? Math.floor(request.replication / 2) + 1 : 1,
      adaptive: !fixed && this.settings.mode === "adaptive",
      done: false,
      ended: 0
    }
    const first = this.addReplica(g, group, now)
    if (Either.isLeft(first)) return first
    this.groups.set(group, g)
    for (let i = 1; i < (fixed ? request.replication : 1); i++) this.addReplica(g, group, now)
    return first
  }

  isReplica(instance: number): boolean {
    return this.groupOf.has(instance)
  }

  groupOfReplica(instance: number): number | undefined {
    return this.groupOf.get(instance)
  }

  /** Adaptive replication decides on placement: an untrusted node, or a spot check, brings a second replica. */
  placed(instance: number, node: number, now: number): void {
    const group = this.groupOf.get(instance)
    if (group === undefined) return
    const g = this.groups.get(group)!
    if (!g.adaptive || g.quorum > 1 || g.done) return
    if (!this.io.trusted(node) || this.rng.nextDouble() < this.settings.spotCheckRate) {
      // With no other node able to run it, the result is taken on trust.
      if (Either.isRight(this.addReplica(g, group, now))) g.quorum = 2
    }
  }

  resultReported(instance: number, node: number, outcome: "succeeded" | "failed", digest: string): void {
    const group = this.groupOf.get(instance)
    if (group === undefined) return
    const g = this.groups.get(group)!
    if (!g.done) g.results.push({ instance, node, outcome, digest })
  }

  /** A replica reached a terminal state: decide the group if its results allow. */
  ended(instance: number, to: JobStatus, now: number): void {
    const group = this.groupOf.get(instance)
    if (group === undefined) return
    const g = this.groups.get(group)!
    g.ended++
    // A replica cancelled from outside (not by our own verdict) means the borrower's job is cancelled.
    if (!g.done && to === "cancelled") this.finish(g, group, "cancelled", [], [], now)
    if (!g.done) this.decide(g, group, to, now)
    if (g.ended === g.instances.length) {
      if (!g.done) this.finish(g, group, "lost", [], [], now)
      this.groups.delete(group)
      for (const i of g.instances) this.groupOf.delete(i)
    }
  }

  /** The borrower cancels: every replica stops. */
  cancel(group: number, now: number): void {
    const g = this.groups.get(group)
    if (g === undefined || g.done) return
    this.finish(g, group, "cancelled", [], [], now)
  }

  private decide(g: Group, group: number, lastStatus: JobStatus, now: number): void {
    if (g.quorum === 1 && g.results.length === 1) {
      // One result taken on trust (most jobs): no tally needed.
      this.finish(g, group, g.results[0]!.outcome, g.results, [], now)
      return
    }
    const tally = new Map<string, Array<ReplicaResult>>()
    let best: Array<ReplicaResult> | undefined
    for (const r of g.results) {
      const key = `${r.outcome}:${r.digest}`
      let list = tally.get(key)
      if (list === undefined) tally.set(key, (list = []))
      list.push(r)
      if (best === undefined || list.length > best.length) best = list
    }
    if (best !== undefined && best.length >= g.quorum) {
      const rejected = g.results.filter((r) => !best.includes(r))
      this.finish(g, group, best[0]!.outcome, best, rejected, now)
      return
    }
    if (g.ended < g.instances.length) return
    // Every replica has ended without a quorum: add tie-breakers, or give up.
    const missing = g.quorum - (best?.length ?? 0)
    if (g.results.length === 0 && g.quorum === 1) {
      this.finish(g, group, lastStatus === "cancelled" ? "cancelled" : "lost", [], [], now)
      return
    }
    const room = Math.max(this.settings.maxInstances, g.request.replication) - g.instances.length
    let added = 0
    if (missing <= room) while (added < missing && Either.isRight(this.addReplica(g, group, now))) added++
    if (added < missing) this.finish(g, group, "inconclusive", [], [], now)
  }

  private finish(g: Group, group: number, outcome: GroupOutcome, accepted: ReadonlyArray<ReplicaResult>, rejected: ReadonlyArray<ReplicaResult>, now: number): void {
    g.done = true
    if (g.ended < g.instances.length) {
      for (const i of g.instances) if (!g.results.some((r) => r.instance === i)) this.io.cancelReplica(i, now)
    }
    this.io.verdict({ group, outcome, accepted, rejected, verified: g.quorum > 1, instances: g.instances }, now)
  }

  private addReplica(g: Group, group: number, now: number): Either.Either<JobId, JobUnsatisfiable> {
    const r = this.io.submitReplica(g.request, group, now)
    if (Either.isRight(r)) {
      g.instances.push(r.right)
      this.groupOf.set(r.right, group)
    }
    return r
  }
}
