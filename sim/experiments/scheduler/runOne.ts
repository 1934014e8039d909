// One policy on one instance, reduced to the experiment's metrics.
import { Either } from "effect"
import { Status } from "../../../core/coordinator/JobTable.ts"
import { jainIndex } from "../../../core/metrics/fairness.ts"
import { boundedSlowdown } from "../../../core/metrics/stats.ts"
import { AiPolicy } from "../../../core/scheduler/ai/AiPolicy.ts"
import { isAiPolicyName, makeAiPolicy } from "../../../core/scheduler/ai/aiPolicies.ts"
import { accuracyOf, type PredictorAccuracy } from "../../../core/scheduler/ai/PredictionLog.ts"
import { makePolicy } from "../../../core/scheduler/policies.ts"
import type { SchedulingPolicy } from "../../../core/scheduler/policy.ts"
import { Prng } from "../../../core/random/prng.ts"
import { summarise } from "../../results/summary.ts"
import { ChurnOracle } from "../../world/ChurnOracle.ts"
import { runWorld } from "../../world/World.ts"
import { type Instance, replay } from "./workloads.ts"

export interface RunMetrics {
  readonly workload: string
  readonly load: number
  readonly sequence: number
  readonly policy: string
  readonly jobs: number
  readonly finished: number
  readonly unfinished: number
  readonly retried: number
  /** Simulated events: a run that needs far more than its peers has a pathology worth a look. */
  readonly events: number
  readonly meanCompletionS: number
  readonly p95CompletionS: number
  readonly meanWaitS: number
  readonly meanBoundedSlowdown: number
  readonly utilisation: number
  readonly goodput: number
  /** Jain's index over users' mean bounded slowdown (1: every user slowed down alike). */
  readonly fairness: number
  readonly wallMs: number
  /** For learning policies: their run-time predictions, EASY++'s and the requested times, on the same jobs. */
  readonly accuracy?: { readonly model: PredictorAccuracy; readonly userMean: PredictorAccuracy; readonly requested: PredictorAccuracy }
}

export const buildPolicy = (name: string, rng: Prng, oracle: ChurnOracle): SchedulingPolicy =>
  isAiPolicyName(name) ? Either.getOrThrow(makeAiPolicy(name, rng, oracle)) : Either.getOrThrow(makePolicy(name, rng))

export const runOne = (instance: Instance, policyName: string): RunMetrics => {
  const started = performance.now()
  const oracle = new ChurnOracle()
  const policy = buildPolicy(policyName, Prng.fromSeed(instance.seed, `policy/${policyName}`), oracle)
  const result = runWorld({
    scenario: instance.scenario,
    policy,
    nodes: instance.nodes,
    workload: replay(instance.jobs),
    churn: instance.churn(),
    rng: Prng.fromSeed(instance.seed, "world"),
    churnOracle: oracle
  })
  const s = summarise(result)
  const j = result.coordinator.jobs
  const perUser = new Map<number, { sum: number; n: number }>()
  for (let i = 0; i < j.count; i++) {
    if (j.status[i] !== Status.succeeded && j.status[i] !== Status.failed) continue
    const sd = boundedSlowdown((j.endMs[i]! - j.submitMs[i]!) / 1000, (j.endMs[i]! - j.startMs[i]!) / 1000)
    const u = perUser.get(j.owner[i]!) ?? { sum: 0, n: 0 }
    u.sum += sd
    u.n++
    perUser.set(j.owner[i]!, u)
  }
  const accuracy = policy instanceof AiPolicy && policy.runtime.log.count > 0
    ? (() => {
      const log = policy.runtime.log
      return {
        model: accuracyOf(log.actual, log.predicted, log.count),
        userMean: accuracyOf(log.actual, log.userMean, log.count),
        requested: accuracyOf(log.actual, log.requested, log.count)
      }
    })()
    : undefined
  return {
    workload: instance.workload,
    load: instance.load,
    sequence: instance.sequence,
    policy: policyName,
    jobs: s.jobs,
    finished: s.succeeded + s.failed,
    unfinished: s.unfinished + s.lost,
    retried: s.retried,
    events: s.events,
    meanCompletionS: s.completionTime.mean,
    p95CompletionS: s.completionTime.p95,
    meanWaitS: s.wait.mean,
    meanBoundedSlowdown: s.boundedSlowdown.mean,
    utilisation: s.utilisation,
    goodput: s.goodput,
    fairness: jainIndex([...perUser.values()].map((u) => u.sum / u.n)),
    wallMs: performance.now() - started,
    ...(accuracy !== undefined ? { accuracy } : {})
  }
}
