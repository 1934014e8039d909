// What a scenario file may say. Every field is checked on load and a bad one is reported by its
// path (`nodes.classes[0].vcpus`), so a researcher fixes the file instead of guessing.
import { Schema } from "effect"
import { EconomySettings } from "../core/economy/settings.ts"
import { PolicyName } from "../core/scheduler/policies.ts"

const Seconds = Schema.NonNegative.annotations({ description: "seconds" })
const Fraction = Schema.Number.pipe(Schema.between(0, 1))

export const Distribution = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("constant"), valueS: Seconds }),
  Schema.Struct({ kind: Schema.Literal("exponential"), meanS: Schema.Positive }),
  Schema.Struct({ kind: Schema.Literal("weibull"), shape: Schema.Positive, scaleS: Schema.Positive }),
  Schema.Struct({ kind: Schema.Literal("lognormal"), medianS: Schema.Positive, sigma: Schema.NonNegative }),
  /** Bounded Pareto: heavy-tailed between minS and maxS. */
  Schema.Struct({ kind: Schema.Literal("pareto"), alpha: Schema.Positive, minS: Schema.Positive, maxS: Schema.Positive })
)
export type Distribution = typeof Distribution.Type

export const NodeClass = Schema.Struct({
  name: Schema.NonEmptyTrimmedString,
  weight: Schema.Positive,
  vcpus: Schema.Int.pipe(Schema.positive()),
  memoryMiB: Schema.NonNegativeInt,
  diskMiB: Schema.NonNegativeInt,
  speedMin: Schema.optionalWith(Schema.Positive, { default: () => 1 }),
  speedMax: Schema.optionalWith(Schema.Positive, { default: () => 1 }),
  /** Credits per vCPU-hour the lender asks. */
  askingPrice: Schema.optionalWith(Schema.NonNegative, { default: () => 1 })
})
export type NodeClass = typeof NodeClass.Type

export const Churn = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("none") }),
  /** Alternating online/offline sessions with lengths from two distributions. */
  Schema.Struct({ kind: Schema.Literal("alternating"), on: Distribution, off: Distribution }),
  /** Sessions replayed from an availability trace; each node replays one window of it. */
  Schema.Struct({
    kind: Schema.Literal("trace"),
    path: Schema.NonEmptyString,
    /** Multiplies the trace's durations (e.g. 0.1 plays a week in 16.8 hours). */
    timeScale: Schema.optionalWith(Schema.Positive, { default: () => 1 })
  })
)
export type Churn = typeof Churn.Type

export const Population = Schema.Struct({
  count: Schema.Int.pipe(Schema.positive()),
  regions: Schema.NonEmptyArray(Schema.NonEmptyTrimmedString),
  classes: Schema.NonEmptyArray(NodeClass),
  churn: Schema.optionalWith(Churn, { default: () => ({ kind: "none" as const }) }),
  /** Mean time to a node's permanent failure (disk gone, lender left); absent: never. */
  meanLifetimeS: Schema.optional(Schema.Positive)
})
export type Population = typeof Population.Type

export const JobShape = Schema.Struct({
  weight: Schema.Positive,
  vcpus: Schema.Int.pipe(Schema.positive()),
  memoryMiB: Schema.NonNegativeInt,
  diskMiB: Schema.NonNegativeInt
})

export const SyntheticWorkload = Schema.Struct({
  kind: Schema.Literal("synthetic"),
  jobs: Schema.Int.pipe(Schema.positive()),
  /** Poisson arrivals at this mean rate (jobs per second). */
  arrivalRatePerS: Schema.Positive,
  /** Run time on a reference-speed node. */
  runtime: Distribution,
  shapes: Schema.NonEmptyArray(JobShape),
  /** Requested time = run time x a factor drawn uniformly from [min, max] (users overestimate). */
  overestimate: Schema.optionalWith(Schema.Struct({ min: Schema.Number.pipe(Schema.greaterThanOrEqualTo(1)), max: Schema.Number.pipe(Schema.greaterThanOrEqualTo(1)) }), { default: () => ({ min: 1, max: 1 }) }),
  users: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 100 }),
  /** Probability that a job fails on its own (a bad input), part-way through its work. */
  failureProbability: Schema.optionalWith(Fraction, { default: () => 0 }),
  /** Replicas per job for verified results (1: none unless the economy's verification is adaptive). */
  replication: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 16)), { default: () => 1 }),
  /** Marketplace terms every job sets: the most it pays per vCPU-hour, the least node reputation. */
  priceCap: Schema.optional(Schema.NonNegative),
  minReputation: Schema.optional(Fraction)
})

export const SwfWorkload = Schema.Struct({
  kind: Schema.Literal("swf"),
  path: Schema.NonEmptyString,
  /** Take at most this many jobs from the start of the trace. */
  maxJobs: Schema.optional(Schema.Int.pipe(Schema.positive())),
  /** Take this fraction of those jobs (the first ones); `--scale F` below 1 multiplies it. */
  fraction: Schema.optionalWith(Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(1)), { default: () => 1 }),
  memoryMiBPerProc: Schema.optionalWith(Schema.NonNegativeInt, { default: () => 0 })
})

export const Workload = Schema.Union(SyntheticWorkload, SwfWorkload)
export type Workload = typeof Workload.Type

export const FailureInjection = Schema.Union(
  Schema.Struct({
    kind: Schema.Literal("kill-fraction"),
    atS: Seconds,
    fraction: Fraction,
    /** Permanent: the nodes never return. */
    permanent: Schema.optionalWith(Schema.Boolean, { default: () => false }),
    /** Not permanent: they return after this long; absent: when their churn brings them back. */
    downForS: Schema.optional(Schema.Positive)
  }),
  Schema.Struct({ kind: Schema.Literal("region-down"), atS: Seconds, region: Schema.NonEmptyTrimmedString }),
  Schema.Struct({ kind: Schema.Literal("region-up"), atS: Seconds, region: Schema.NonEmptyTrimmedString }),
  /** The region's nodes keep running but cannot reach the coordinator, nor it them, until `heal`. */
  Schema.Struct({ kind: Schema.Literal("partition"), atS: Seconds, region: Schema.NonEmptyTrimmedString }),
  Schema.Struct({ kind: Schema.Literal("heal"), atS: Seconds, region: Schema.NonEmptyTrimmedString })
)
export type FailureInjection = typeof FailureInjection.Type

export const Network = Schema.Struct({
  latencyMsMin: Schema.optionalWith(Schema.NonNegative, { default: () => 5 }),
  latencyMsMax: Schema.optionalWith(Schema.NonNegative, { default: () => 50 }),
  /** Probability a message is dropped (a hook for later partition/loss studies; heartbeats are exempt). */
  lossRate: Schema.optionalWith(Fraction, { default: () => 0 })
})

export const CoordinatorSettings = Schema.Struct({
  heartbeatIntervalS: Schema.optionalWith(Schema.Positive, { default: () => 60 }),
  heartbeatTimeoutS: Schema.optionalWith(Schema.Positive, { default: () => 180 }),
  maxRetries: Schema.optionalWith(Schema.NonNegativeInt, { default: () => 10 }),
  scanDepth: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 256 })
})

export const Scenario = Schema.Struct({
  name: Schema.NonEmptyTrimmedString,
  description: Schema.optionalWith(Schema.String, { default: () => "" }),
  seed: Schema.optionalWith(Schema.NonNegativeInt, { default: () => 1 }),
  policies: Schema.NonEmptyArray(PolicyName),
  nodes: Population,
  workload: Workload,
  failures: Schema.optionalWith(Schema.Array(FailureInjection), { default: () => [] }),
  network: Schema.optionalWith(Network, { default: () => ({ latencyMsMin: 5, latencyMsMax: 50, lossRate: 0 }) }),
  coordinator: Schema.optionalWith(CoordinatorSettings, {
    default: () => ({ heartbeatIntervalS: 60, heartbeatTimeoutS: 180, maxRetries: 10, scanDepth: 256 })
  }),
  sampleIntervalS: Schema.optionalWith(Schema.Positive, { default: () => 300 }),
  /** Prices, fees, grants, collateral and result verification; the ledger runs in every simulation. */
  economics: Schema.optionalWith(EconomySettings, { default: () => Schema.decodeUnknownSync(EconomySettings)({}) }),
  /** Lenders whose nodes return wrong results (to study verification). */
  cheaters: Schema.optional(Schema.Struct({
    fraction: Fraction,
    /** Probability that a cheating node's result is wrong. */
    wrongResultProbability: Schema.optionalWith(Fraction, { default: () => 1 }),
    /** Cheaters return the same wrong result, so replicas on two cheaters agree. */
    collude: Schema.optionalWith(Schema.Boolean, { default: () => false })
  })),
  /** Stop the simulation here even if jobs remain (they are reported as unfinished). */
  horizonS: Schema.optional(Schema.Positive)
})
export type Scenario = typeof Scenario.Type
export type ScenarioInput = typeof Scenario.Encoded
