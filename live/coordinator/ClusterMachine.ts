// The coordinator's whole decision state as one deterministic machine: core's Coordinator (queue,
// placement, retries), core's Market around it (escrow, settlement, reputation) and the credit
// ledger's book, advanced one logged input at a time. It does no I/O: what it would send, the
// lifecycle changes and the ledger entries it made are collected for the daemon to carry out.
import { Either } from "effect"
import { Coordinator, type CoordinatorConfig } from "../../core/coordinator/Coordinator.ts"
import { type JobUnsatisfiable, type NodeNotDense, UnknownJob } from "../../core/coordinator/errors.ts"
import type { JobId, NodeId } from "../../core/domain/ids.ts"
import type { JobStatus } from "../../core/domain/lifecycle.ts"
import type { Transition } from "../../core/coordinator/runCoordinator.ts"
import type { CoordinatorMessage } from "../../core/domain/messages.ts"
import { ledgerAccounts } from "../../core/economy/ledgerAccounts.ts"
import { Market } from "../../core/economy/Market.ts"
import type { EconomySettings } from "../../core/economy/settings.ts"
import type { InsufficientCredits, LedgerError } from "../../core/ledger/errors.ts"
import type { AccountId, MicroCredits } from "../../core/ledger/accounts.ts"
import type { IdempotencyKey } from "../../core/ledger/requests.ts"
import { borrowerAccount } from "../../core/economy/accounts.ts"
import { LedgerBook } from "../../core/ledger/LedgerBook.ts"
import type { LedgerEntry } from "../../core/ledger/entry.ts"
import { Prng } from "../../core/random/prng.ts"
import { makePolicy } from "../../core/scheduler/policies.ts"
import type { CoordinatorInput } from "./inputs.ts"


export interface MachineSettings {
  readonly policy: string
  readonly seed: number
  readonly config: CoordinatorConfig
  readonly economy: EconomySettings
}

export type InputResult =
  | { readonly _tag: "Submitted"; readonly job: JobId }
  | { readonly _tag: "Enrolled"; readonly node: NodeId }
  | { readonly _tag: "Cancelled"; readonly status: JobStatus }
  | { readonly _tag: "Refused"; readonly error: JobUnsatisfiable | InsufficientCredits | UnknownJob | NodeNotDense | LedgerError }
  | { readonly _tag: "Done" }

/** What one input produced, for the daemon to persist and carry out. */
export interface StepOutput {
  readonly result: InputResult
  readonly sends: ReadonlyArray<readonly [NodeId, CoordinatorMessage]>
  readonly transitions: ReadonlyArray<Transition>
  readonly entries: ReadonlyArray<LedgerEntry>
}

export class ClusterMachine {
  readonly coordinator: Coordinator
  readonly market: Market<InsufficientCredits>
  readonly book = new LedgerBook()
  private sends: Array<readonly [NodeId, CoordinatorMessage]> = []
  private transitions: Array<Transition> = []
  private ledgerSeen = 0

  constructor(readonly settings: MachineSettings) {
    const rng = Prng.fromSeed(settings.seed, "live-coordinator")
    const policy = makePolicy(settings.policy, rng.split("policy"))
    if (Either.isLeft(policy)) throw new Error(policy.left.message) // checked by the caller before
    let market: Market<InsufficientCredits> | undefined
    this.coordinator = new Coordinator(policy.right, {
      send: (node, message) => this.sends.push([node, message]),
      transition: (job, from, to, node, now) => {
        this.transitions.push({ job, from, to, node, atMs: now })
        market!.transition(job, from, to, node, now)
      },
      resultReported: (job, node, _attempt, outcome, usage, digest) => market!.result(job, node, outcome, usage, digest)
    }, settings.config)
    market = new Market(this.coordinator, ledgerAccounts(this.book), settings.economy, rng.split("market"))
    this.market = market
  }

  apply(input: CoordinatorInput, now: number): StepOutput {
    const result = this.applyInput(input, now)
    this.coordinator.flush(now)
    const entries = this.book.entries.slice(this.ledgerSeen)
    this.ledgerSeen = this.book.entries.length
    const out = { result, sends: this.sends, transitions: this.transitions, entries }
    this.sends = []
    this.transitions = []
    return out
  }

  private applyInput(input: CoordinatorInput, now: number): InputResult {
    const c = this.coordinator
    switch (input._tag) {
      case "Enroll": {
        const r = c.enrollNode(input.spec)
        if (Either.isLeft(r)) return { _tag: "Refused", error: r.left }
        this.market.enrollLender(r.right, now)
        return { _tag: "Enrolled", node: r.right }
      }
      case "Submit": {
        const r = this.market.submit(input.request, now)
        return Either.isLeft(r) ? { _tag: "Refused", error: r.left } : { _tag: "Submitted", job: r.right }
      }
      case "Cancel": {
        const status = c.status(input.job)
        if (status === undefined) return { _tag: "Refused", error: new UnknownJob({ jobId: input.job }) }
        this.market.cancel(input.job, now)
        return { _tag: "Cancelled", status: c.status(input.job)! }
      }
      case "FromAgent": {
        // A message the coordinator refuses (an unknown node, a stale attempt) changes nothing.
        c.receive(input.message, now)
        return { _tag: "Done" }
      }
      case "Tick":
        c.tick(now)
        if (input.intervalMs > 0) this.market.heartbeat(input.intervalMs)
        return { _tag: "Done" }
      case "Resume":
        c.resume(now)
        return { _tag: "Done" }
      case "Fund":
        this.market.fundBorrower(input.borrower, now)
        return { _tag: "Done" }
      case "TopUp": {
        // The sign-up grant comes first, so a first purchase never stands in for it.
        this.market.fundBorrower(input.borrower, now)
        const r = this.book.apply({ _tag: "TopUp", key: `topup:${input.key}` as IdempotencyKey, to: borrowerAccount(input.borrower) as AccountId, amount: input.microCredits as MicroCredits }, now)
        return Either.isLeft(r) ? { _tag: "Refused", error: r.left } : { _tag: "Done" }
      }
    }
  }
}
