// Which policies the scheduler experiment runs where. Every baseline and the AI policy run in
// every cell; the ablations run at the two highest-stakes loads to keep the experiment's cost sane.
export const baselinePolicies = [
  "fcfs", "sjf", "easy", "easy++", "f1", "wfp3", "unicep", "best-fit", "least-allocated", "most-allocated",
  "balanced", "tetris", "htcondor", "power-of-d"
] as const

export const aiPolicy = "ai"
export const oraclePolicy = "oracle"
export const ablationPolicies = ["ai-user-mean", "ai-no-backfill", "ai-no-failure-model"] as const
export const ablationLoads: ReadonlyArray<number> = [0.8, 0.95]

export const policiesFor = (load: number, loads: ReadonlyArray<number>): ReadonlyArray<string> => {
  const ablate = ablationLoads.includes(load) || loads.length < 3
  return [...baselinePolicies, aiPolicy, oraclePolicy, ...(ablate ? ablationPolicies : [])]
}

export const isBaseline = (policy: string): boolean => (baselinePolicies as ReadonlyArray<string>).includes(policy)
