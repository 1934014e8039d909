// What a storage scenario (`"kind": "storage"`) may say: a node population (the same schema as job
// scenarios), a set of objects, and the redundancy configurations to compare on identical churn.
// Decoding reports a bad field by its path; `checkStorageScenario` adds what the schema cannot see
// (k+m larger than the node count, a repair threshold outside k..k+m-1, duplicate names).
import { Schema } from "effect"
import { defaultRepairAtHealthy, Redundancy, shardCounts } from "../core/storage/redundancy.ts"
import { Population } from "./schema.ts"

export { defaultRepairAtHealthy, Redundancy, shardCounts }

export const StorageConfiguration = Schema.Struct({
  /** The key under which results are reported (`rs4+2`, `rep3`, ...). */
  name: Schema.NonEmptyTrimmedString,
  redundancy: Redundancy,
  repair: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** Queue an object for repair when its healthy shards fall to this many (default: half the margin left). */
  repairAtHealthy: Schema.optional(Schema.NonNegativeInt)
})
export type StorageConfiguration = typeof StorageConfiguration.Type

export const ObjectSet = Schema.Struct({
  count: Schema.Int.pipe(Schema.positive()),
  /** Log-normal object sizes, capped. */
  sizeBytes: Schema.Struct({
    medianBytes: Schema.Positive,
    sigma: Schema.NonNegative,
    maxBytes: Schema.Positive
  })
})

export const RepairSettings = Schema.Struct({
  /** The repair loop wakes this often and works through the queue, most at-risk objects first. */
  intervalS: Schema.optionalWith(Schema.Positive, { default: () => 60 }),
  /** Cluster-wide repair traffic limit (bytes read plus bytes written). */
  bandwidthBytesPerS: Schema.optionalWith(Schema.Positive, { default: () => 1e9 }),
  /** An object that cannot be repaired now (fewer than k shards reachable) is retried after this long. */
  retryS: Schema.optionalWith(Schema.Positive, { default: () => 3600 })
})

export const StorageScenario = Schema.Struct({
  kind: Schema.Literal("storage"),
  name: Schema.NonEmptyTrimmedString,
  description: Schema.optionalWith(Schema.String, { default: () => "" }),
  seed: Schema.optionalWith(Schema.NonNegativeInt, { default: () => 1 }),
  nodes: Population,
  durationS: Schema.Positive,
  objects: ObjectSet,
  configurations: Schema.NonEmptyArray(StorageConfiguration),
  /** A node offline this long has its shards declared missing (and repaired); shorter outages cost nothing. */
  graceS: Schema.optionalWith(Schema.Positive, { default: () => 86400 }),
  /** Mean delay before a new node joins in place of one that failed permanently. */
  replacementDelayS: Schema.optionalWith(Schema.NonNegative, { default: () => 86400 }),
  repair: Schema.optionalWith(RepairSettings, { default: () => ({ intervalS: 60, bandwidthBytesPerS: 1e9, retryS: 3600 }) }),
  /** Reads sampled uniformly over the run to estimate read availability. */
  readSamples: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 1_000_000 }),
  /** Interval of the storage time series. */
  sampleIntervalS: Schema.optionalWith(Schema.Positive, { default: () => 86400 })
})
export type StorageScenario = typeof StorageScenario.Type
export type StorageScenarioInput = typeof StorageScenario.Encoded

export const isStorageScenario = (s: unknown): s is StorageScenario =>
  typeof s === "object" && s !== null && (s as { kind?: unknown }).kind === "storage"

export interface StorageScenarioIssue {
  readonly path: string
  readonly message: string
}

/** Checks across fields; each issue names the field to fix. */
export const checkStorageScenario = (s: StorageScenario): Array<StorageScenarioIssue> => {
  const issues: Array<StorageScenarioIssue> = []
  const seen = new Set<string>()
  s.configurations.forEach((c, i) => {
    const at = `configurations[${i}]`
    const { k, n } = shardCounts(c.redundancy)
    const what = c.redundancy.kind === "rs" ? `Reed-Solomon ${c.redundancy.k}+${c.redundancy.m}` : `replication ${c.redundancy.r}`
    if (n > s.nodes.count) {
      issues.push({ path: `${at}.redundancy`, message: `${what} puts ${n} shards on ${n} distinct nodes, but nodes.count is ${s.nodes.count}` })
    }
    if (c.redundancy.kind === "rs" && n > 256) {
      issues.push({ path: `${at}.redundancy`, message: `${what} has ${n} shards; Reed-Solomon over GF(256) allows at most 256` })
    }
    if (c.repairAtHealthy !== undefined && (c.repairAtHealthy < k || c.repairAtHealthy > n - 1)) {
      issues.push({ path: `${at}.repairAtHealthy`, message: `must be between k = ${k} and k+m-1 = ${n - 1} for ${what}, got ${c.repairAtHealthy}` })
    }
    if (seen.has(c.name)) issues.push({ path: `${at}.name`, message: `duplicate configuration name "${c.name}"` })
    seen.add(c.name)
  })
  if (s.nodes.churn.kind === "trace") {
    issues.push({ path: "nodes.churn.kind", message: "storage scenarios support churn \"none\" and \"alternating\", not \"trace\"" })
  }
  if (s.objects.sizeBytes.medianBytes > s.objects.sizeBytes.maxBytes) {
    issues.push({ path: "objects.sizeBytes.medianBytes", message: `exceeds maxBytes ${s.objects.sizeBytes.maxBytes}` })
  }
  return issues
}

/** `--scale F` multiplies both the node count and the object count. */
export const scaleStorageInput = (input: Record<string, any>, f: number): Record<string, any> => {
  const s = { ...input }
  if (typeof s.nodes === "object" && s.nodes !== null && typeof s.nodes.count === "number") {
    s.nodes = { ...s.nodes, count: Math.max(1, Math.round(s.nodes.count * f)) }
  }
  if (typeof s.objects === "object" && s.objects !== null && typeof s.objects.count === "number") {
    s.objects = { ...s.objects, count: Math.max(1, Math.round(s.objects.count * f)) }
  }
  return s
}
