// The AI policy and its ablations by command-line name. `oracle` knows true run times and when
// nodes leave: only the simulator can give it that, so it needs an AvailabilityOracle.
import { Data, Either } from "effect"
import type { Prng } from "../../random/prng.ts"
import { AiPolicy, defaultAiSettings, newObservations } from "./AiPolicy.ts"
import { type AvailabilityOracle, ForestRiskModel, noRisk, oracleRisk } from "./riskModels.ts"
import { ForestRuntimeModel, TrueRuntimeModel, UserMeanRuntimeModel } from "./runtimeModels.ts"

export const aiPolicyNames = ["ai", "ai-no-backfill", "ai-no-failure-model", "ai-user-mean", "oracle"] as const
export type AiPolicyName = (typeof aiPolicyNames)[number]

export class PolicyNeedsSimulator extends Data.TaggedError("PolicyNeedsSimulator")<{ readonly name: string }> {
  override get message() {
    return `policy "${this.name}" needs the simulator's knowledge of true run times and node availability; it cannot run live`
  }
}

export const isAiPolicyName = (name: string): name is AiPolicyName => (aiPolicyNames as ReadonlyArray<string>).includes(name)

export const makeAiPolicy = (
  name: AiPolicyName,
  rng: Prng,
  oracle?: AvailabilityOracle
): Either.Either<AiPolicy, PolicyNeedsSimulator> => {
  const runtimeRng = rng.split("runtime-forest")
  const riskRng = rng.split("risk-forest")
  const forestPolicy = (policyName: string, options: { backfilling?: boolean; failureModel?: boolean; runtime?: "forest" | "user-mean" }) => {
    const settings = { ...defaultAiSettings, backfilling: options.backfilling ?? true }
    const seen = newObservations(settings)
    const runtime = options.runtime === "user-mean" ? new UserMeanRuntimeModel(seen.users) : new ForestRuntimeModel(seen.users, runtimeRng)
    const risk = options.failureModel === false ? noRisk : new ForestRiskModel(seen.nodes, riskRng)
    return new AiPolicy(policyName, runtime, risk, settings, seen)
  }
  switch (name) {
    case "ai":
      return Either.right(forestPolicy(name, {}))
    case "ai-no-backfill":
      return Either.right(forestPolicy(name, { backfilling: false }))
    case "ai-no-failure-model":
      return Either.right(forestPolicy(name, { failureModel: false }))
    case "ai-user-mean":
      return Either.right(forestPolicy(name, { runtime: "user-mean" }))
    case "oracle":
      return oracle === undefined
        ? Either.left(new PolicyNeedsSimulator({ name }))
        : Either.right(new AiPolicy(name, new TrueRuntimeModel(), oracleRisk(oracle)))
  }
}
