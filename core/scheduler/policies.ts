// The baseline policies by their command-line names (the literature's baselines live in baselines/).
import { Data, Either, Schema } from "effect"
import type { Prng } from "../random/prng.ts"
import { aiPolicyNames, isAiPolicyName, makeAiPolicy, type PolicyNeedsSimulator } from "./ai/aiPolicies.ts"
import type { AvailabilityOracle } from "./ai/riskModels.ts"
import { easyPlusPlus } from "./baselines/easyPlusPlus.ts"
import { HTCondorMatchmaking } from "./baselines/htcondor.ts"
import { powerOfD } from "./baselines/powerOfD.ts"
import { priorityBackfilling } from "./baselines/priorityBackfilling.ts"
import { f1Key, unicepKey, wfp3Key } from "./baselines/priorityFunctions.ts"
import { balancedAllocation, mostAllocated, tetrisAlignment } from "./baselines/scoring.ts"
import { shortestJobFirst } from "./baselines/sjf.ts"
import { EasyBackfilling, passOver, strictOrder } from "./disciplines.ts"
import type { SchedulingPolicy } from "./policy.ts"
import { bestFit, firstFit, leastAllocated, marketMatch, randomFit, roundRobin } from "./selectors.ts"

const registry = {
  fcfs: () => strictOrder("fcfs", firstFit),
  "best-fit": () => passOver("best-fit", bestFit),
  random: (rng: Prng) => passOver("random", randomFit(rng)),
  "round-robin": () => passOver("round-robin", roundRobin()),
  "least-allocated": () => passOver("least-allocated", leastAllocated),
  easy: () => new EasyBackfilling("easy", firstFit),
  marketplace: () => passOver("marketplace", marketMatch),
  sjf: () => shortestJobFirst("sjf"),
  "easy++": () => easyPlusPlus("easy++"),
  f1: () => priorityBackfilling("f1", f1Key),
  wfp3: () => priorityBackfilling("wfp3", wfp3Key),
  unicep: () => priorityBackfilling("unicep", unicepKey),
  "most-allocated": () => passOver("most-allocated", mostAllocated),
  balanced: () => passOver("balanced", balancedAllocation),
  tetris: () => passOver("tetris", tetrisAlignment),
  htcondor: () => new HTCondorMatchmaking("htcondor"),
  "power-of-d": (rng: Prng) => passOver("power-of-d", powerOfD(rng, 2))
} satisfies Record<string, (rng: Prng) => SchedulingPolicy>

type RegistryName = keyof typeof registry
export const policyNames = [...Object.keys(registry), ...aiPolicyNames] as ReadonlyArray<RegistryName | (typeof aiPolicyNames)[number]>
export const PolicyName = Schema.Literal(...(policyNames as [PolicyName, ...Array<PolicyName>]))
export type PolicyName = RegistryName | (typeof aiPolicyNames)[number]

export class UnknownPolicy extends Data.TaggedError("UnknownPolicy")<{ readonly name: string }> {
  override get message() {
    return `unknown policy "${this.name}"; known policies: ${policyNames.join(", ")}`
  }
}

/** `oracle` is the simulator's knowledge of node availability; only the `oracle` policy needs it. */
export const makePolicy = (
  name: string,
  rng: Prng,
  oracle?: AvailabilityOracle
): Either.Either<SchedulingPolicy, UnknownPolicy | PolicyNeedsSimulator> =>
  isAiPolicyName(name)
    ? makeAiPolicy(name, rng, oracle)
    : Object.hasOwn(registry, name)
      ? Either.right(registry[name as RegistryName](rng))
      : Either.left(new UnknownPolicy({ name }))
