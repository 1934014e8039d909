// A coordinator driven by hand for the baselines' tests: nodes of given capacity and speed,
// jobs with owners, and the Assign messages the policy caused, in order.
import { Either } from "effect"
import { expect } from "vitest"
import { Coordinator } from "../../coordinator/Coordinator.ts"
import type { CoordinatorMessage } from "../../domain/messages.ts"
import { Prng } from "../../random/prng.ts"
import { type Caps, jobRequest, jobStarted, jobSucceeded, nodeSpec } from "../../testing/fixtures.ts"
import type { AvailabilityOracle } from "../ai/riskModels.ts"
import { makePolicy } from "../policies.ts"

export interface Assigned {
  readonly job: number
  readonly node: number
  readonly attempt: number
}

export interface NodeSetup {
  readonly caps: Caps
  readonly speed?: number
}

export const harness = (policy: string, nodes: ReadonlyArray<Caps | NodeSetup>, seed = 1, oracle?: AvailabilityOracle) => {
  const p = makePolicy(policy, Prng.fromSeed(seed), oracle)
  if (Either.isLeft(p)) throw p.left
  const sent: Array<{ node: number; message: CoordinatorMessage }> = []
  const coordinator = new Coordinator(p.right, { send: (node, message) => sent.push({ node, message }), transition: () => {} }, {
    heartbeatTimeoutMs: 1_000_000_000,
    maxRetries: 10,
    scanDepth: 256
  })
  nodes.forEach((n, i) => {
    const setup: NodeSetup = "caps" in n ? n : { caps: n }
    const spec = nodeSpec(i, setup.caps, setup.speed ?? 1)
    expect(Either.isRight(coordinator.enrollNode(spec))).toBe(true)
    expect(Either.isRight(coordinator.receive({ _tag: "Register", node: spec, session: 1 }, 0))).toBe(true)
  })
  let read = 0
  const placements = new Map<number, Assigned>()
  /** Assign messages sent since the last call. */
  const assigns = (): Array<Assigned> => {
    const out: Array<Assigned> = []
    for (; read < sent.length; read++) {
      const { node, message } = sent[read]!
      if (message._tag !== "Assign") continue
      const a = { job: message.job.id as number, node, attempt: message.attempt }
      placements.set(a.job, a)
      out.push(a)
    }
    return out
  }
  /** Jobs assigned by a flush at `now`, in the order the policy placed them. */
  const flush = (now: number): Array<number> => {
    coordinator.flush(now)
    return assigns().map((a) => a.job)
  }
  const submit = (caps: Caps, now: number, requestedMs: number, options: { owner?: string; workMs?: number } = {}): number => {
    const r = coordinator.submit(jobRequest(caps, requestedMs, options.workMs ?? requestedMs, options.owner ?? "user"), now)
    if (Either.isLeft(r)) throw r.left
    return r.right
  }
  const placementOf = (job: number): Assigned => {
    assigns()
    const a = placements.get(job)
    if (a === undefined) throw new Error(`job ${job} was never assigned`)
    return a
  }
  const start = (job: number, now: number) => {
    expect(Either.isRight(coordinator.receive(jobStarted(placementOf(job)), now))).toBe(true)
  }
  const finish = (job: number, now: number) => {
    expect(Either.isRight(coordinator.receive(jobSucceeded(placementOf(job)), now))).toBe(true)
  }
  return { coordinator, policy: p.right, assigns, flush, submit, placementOf, start, finish, nodeOf: (job: number) => placementOf(job).node }
}
