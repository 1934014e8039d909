// A coordinator with a market and a real ledger book, driven by hand: tests submit jobs, then
// let chosen nodes run, fail or lose what they were assigned.
import { Either } from "effect"
import { Coordinator, type JobRequest } from "../coordinator/Coordinator.ts"
import type { JobId, NodeId } from "../domain/ids.ts"
import type { InsufficientCredits } from "../ledger/errors.ts"
import { LedgerBook } from "../ledger/LedgerBook.ts"
import { Prng } from "../random/prng.ts"
import { makePolicy } from "../scheduler/policies.ts"
import { type Caps, nodeSpec } from "../testing/fixtures.ts"
import { ledgerAccounts } from "./ledgerAccounts.ts"
import { Market } from "./Market.ts"
import { defaultEconomySettings, type EconomySettings } from "./settings.ts"

export interface Assignment {
  readonly job: number
  readonly node: number
  readonly attempt: number
}

export const marketHarness = (
  nodes: ReadonlyArray<{ caps: Caps; askingPrice?: number }>,
  settings: Partial<EconomySettings> = {},
  policy = "fcfs"
) => {
  const assigned: Array<Assignment> = []
  const transitions: Array<{ job: number; from: string; to: string; node: number }> = []
  let market: Market<InsufficientCredits> | undefined
  const coordinator = new Coordinator(Either.getOrThrow(makePolicy(policy, Prng.fromSeed(1, "policy"))), {
    send: (node, m) => {
      if (m._tag === "Assign") assigned.push({ job: m.job.id, node, attempt: m.attempt })
    },
    transition: (job, from, to, node, now) => {
      transitions.push({ job, from, to, node })
      market!.transition(job, from, to, node, now)
    },
    resultReported: (job, node, _attempt, outcome, usage, digest) => market!.result(job, node, outcome, usage, digest)
  }, { heartbeatTimeoutMs: 10_000, maxRetries: 3, scanDepth: 64 })
  const book = new LedgerBook()
  market = new Market(coordinator, ledgerAccounts(book), { ...defaultEconomySettings, ...settings }, Prng.fromSeed(1, "market"))
  nodes.forEach((n, i) => {
    Either.getOrThrow(coordinator.enrollNode({ ...nodeSpec(i, n.caps), askingPrice: n.askingPrice ?? 1 }))
    market!.enrollLender(i, 0)
    Either.getOrThrow(coordinator.receive({ _tag: "Register", node: { ...nodeSpec(i, n.caps), askingPrice: n.askingPrice ?? 1 }, session: 1 }, 0))
  })
  const m = market
  let read = 0
  /** Assignments made since the last call. */
  const newAssignments = (): Array<Assignment> => {
    const out = assigned.slice(read)
    read = assigned.length
    return out
  }
  const submit = (request: JobRequest, now: number) => {
    const r = m.submit(request, now)
    coordinator.flush(now)
    return r
  }
  /** The agent ran the attempt for `wallMs` and reports its result. */
  const finish = (a: Assignment, now: number, wallMs: number, digest = "ok", outcome: "succeeded" | "failed" = "succeeded") => {
    const cpu = coordinator.jobs.cpu[a.job]!
    Either.getOrThrow(coordinator.receive({ _tag: "JobStarted", nodeId: a.node as NodeId, jobId: a.job as JobId, attempt: a.attempt }, now - wallMs))
    Either.getOrThrow(coordinator.receive({
      _tag: "JobFinished", nodeId: a.node as NodeId, jobId: a.job as JobId, attempt: a.attempt, outcome,
      usage: { cpuMs: wallMs * cpu, wallMs, memoryMiBMax: 0 }, resultDigest: digest
    }, now))
    coordinator.flush(now)
  }
  /** Every non-issuance balance sums to what was issued, and none is negative. */
  const conserved = (): boolean => {
    let sum = 0
    for (const [account, balance] of book.balances()) {
      if (account === "issuance") continue
      if (balance < 0) return false
      sum += balance
    }
    return sum === book.issued
  }
  return { coordinator, market: m, book, submit, finish, newAssignments, transitions, conserved }
}
