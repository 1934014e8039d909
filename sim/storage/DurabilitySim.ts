// A year of object storage on churning volunteer nodes, for one redundancy configuration, with
// sizes only (no bytes). Nodes alternate online/offline sessions and fail permanently (disk gone);
// a replacement joins later in the failed node's slot. A shard on an offline node is unreachable
// but kept; only when the node stays offline past the grace period are its shards declared
// missing and queued for repair (so a short outage touches no shard). Repair is lazy (at a
// threshold of healthy shards), most-at-risk first, and limited in bandwidth. Every component
// draws from its own stream: node behaviour, object sizes and sampled reads are identical across
// configurations, so they are compared on exactly the same churn.
import { Prng } from "../../core/random/prng.ts"
import { EventQueue } from "../engine/EventQueue.ts"
import { alternatingChurn, alwaysOn, type ChurnSource } from "../model/churn.ts"
import { makeNodes } from "../model/population.ts"
import { defaultRepairAtHealthy, shardCounts, type StorageConfiguration, type StorageScenario } from "../../scenarios/storageSchema.ts"
import { RepairQueue } from "./RepairQueue.ts"
import { ShardTable } from "./ShardTable.ts"

// Node states. GRACE: offline, shards still counted healthy; DOWN: offline past the grace period.
const ONLINE = 0
const GRACE = 1
const DOWN = 2
const DEAD = 3

const SESSION_END = 0
const GRACE_EXPIRED = 1
const NODE_DIED = 2
const NODE_JOINED = 3
const REPAIR_TICK = 4
const READ_BATCH = 5
const SAMPLE = 6
const RETRY_DEFERRED = 7

export interface ConfigurationSummary {
  readonly redundancy: string
  /** Shards needed to read (k) and shards stored (k+m, or r) per object. */
  readonly k: number
  readonly shards: number
  readonly repair: boolean
  readonly repairAtHealthy: number
  readonly objects: number
  readonly objectsLost: number
  /** Fraction of sampled reads that found at least k shards on online nodes. */
  readonly readAvailability: number
  readonly readsSampled: number
  /** Bytes moved by repair: k shards read plus the rebuilt shards written, per repair. */
  readonly repairBytes: number
  readonly repairs: number
  readonly shardsRebuilt: number
  /** Repairs put off because fewer than k shards were reachable at the time. */
  readonly repairsDeferred: number
  readonly peakRepairQueue: number
  /** Object-hours spent with no redundancy margin left (at most k healthy shards). */
  readonly timeAtRiskObjectHours: number
  readonly objectsEverAtRisk: number
  readonly logicalBytes: number
  readonly storedBytes: number
  readonly nodeFailures: number
  readonly graceExpiries: number
  readonly meanNodesOnline: number
  readonly events: number
}

export interface ConfigurationRun {
  readonly name: string
  readonly summary: ConfigurationSummary
  /** Rows of storage-timeseries.csv (without header). */
  readonly seriesRows: ReadonlyArray<string>
  /** The end state, for invariant checks in tests. */
  readonly state: DurabilityState
}

export const storageSeriesHeader = "configuration,time_s,nodes_online,objects_at_risk,repair_queue,objects_lost,repair_bytes"

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6

/** Object sizes in bytes, drawn once per scenario (identical for every configuration). */
export const objectSizes = (s: StorageScenario): Float64Array => {
  const rng = Prng.fromSeed(s.seed, "storage/objects")
  const { medianBytes, sigma, maxBytes } = s.objects.sizeBytes
  const sizes = new Float64Array(s.objects.count)
  for (let i = 0; i < sizes.length; i++) sizes[i] = Math.max(1, Math.min(maxBytes, Math.round(rng.lognormal(medianBytes, sigma))))
  return sizes
}

/** The simulator's live state; exposed read-only for tests. */
export class DurabilityState {
  readonly table: ShardTable
  readonly nodeState: Uint8Array
  readonly healthy: Uint8Array
  readonly existing: Uint8Array
  readonly lost: Uint8Array
  constructor(objects: number, n: number, nodes: number) {
    this.table = new ShardTable(objects, n, nodes)
    this.nodeState = new Uint8Array(nodes)
    this.healthy = new Uint8Array(objects)
    this.existing = new Uint8Array(objects)
    this.lost = new Uint8Array(objects)
  }

  /**
   * Recounts every object from its shards' holders and compares with the incremental counters:
   * a shard is healthy iff its holder is online or within grace, exists iff it has a holder.
   */
  check(k: number): string | undefined {
    const t = this.table.check()
    if (t !== undefined) return t
    const n = this.table.shardsPerObject
    for (let o = 0; o < this.healthy.length; o++) {
      let healthy = 0
      let existing = 0
      for (let s = 0; s < n; s++) {
        const h = this.table.holder[o * n + s]!
        if (h < 0) continue
        if (this.nodeState[h] === DEAD) return `shard ${s} of object ${o} is held by dead node ${h}`
        existing++
        if (this.nodeState[h] !== DOWN) healthy++
      }
      if (this.lost[o] === 1) {
        if (existing >= k) return `object ${o} is counted lost but ${existing} shards exist (k = ${k})`
        continue
      }
      if (existing < k) return `object ${o} has ${existing} shards (k = ${k}) but is not counted lost`
      if (healthy !== this.healthy[o]) return `object ${o} has ${healthy} healthy shards but counts ${this.healthy[o]}`
      if (existing !== this.existing[o]) return `object ${o} has ${existing} shards but counts ${this.existing[o]}`
    }
    return undefined
  }
}

export const runConfiguration = (scenario: StorageScenario, configuration: StorageConfiguration, sizes = objectSizes(scenario)): ConfigurationRun => {
  const { k, n } = shardCounts(configuration.redundancy)
  const threshold = configuration.repairAtHealthy ?? defaultRepairAtHealthy(configuration.redundancy)
  const repairOn = configuration.repair
  const N = scenario.objects.count
  const M = scenario.nodes.count
  const duration = scenario.durationS
  const grace = scenario.graceS
  const root = Prng.fromSeed(scenario.seed, "storage")

  // Nodes: slot i keeps its class and region across replacements; its streams continue.
  const specs = makeNodes(scenario.nodes, root.split("nodes"))
  const churnSpec = scenario.nodes.churn
  const churn: ChurnSource = churnSpec.kind === "alternating" ? alternatingChurn(churnSpec, root.split("churn"), M) : alwaysOn
  const lifeRoot = root.split("lifetime")
  const life: Array<Prng> = []
  for (let i = 0; i < M; i++) life.push(lifeRoot.split(i))
  const meanLifetimeS = scenario.nodes.meanLifetimeS
  const capacity = new Float64Array(M)
  const region = new Int32Array(M)
  const regionNames = new Map<string, number>()
  let maxCapacity = 0
  for (let i = 0; i < M; i++) {
    capacity[i] = specs[i]!.resources.diskMiB * 1048576
    maxCapacity = Math.max(maxCapacity, capacity[i]!)
    const r = specs[i]!.region as string
    if (!regionNames.has(r)) regionNames.set(r, regionNames.size)
    region[i] = regionNames.get(r)!
  }
  const regions = regionNames.size
  const regionCap = Math.ceil(n / regions)
  const regionUse = new Int32Array(regions)

  const st = new DurabilityState(N, n, M)
  const { table, nodeState, healthy, existing, lost } = st
  const used = new Float64Array(M)
  const token = new Int32Array(M)
  const generation = new Int32Array(M)
  const onlineList = new Int32Array(M)
  const onlinePos = new Int32Array(M).fill(-1)
  let onlineCount = 0
  const addOnline = (i: number) => {
    onlinePos[i] = onlineCount
    onlineList[onlineCount++] = i
  }
  const removeOnline = (i: number) => {
    const at = onlinePos[i]!
    const last = onlineList[--onlineCount]!
    onlineList[at] = last
    onlinePos[last] = at
    onlinePos[i] = -1
  }

  const shardBytes = new Float64Array(N)
  for (let o = 0; o < N; o++) shardBytes[o] = configuration.redundancy.kind === "replication" ? sizes[o]! : Math.max(1, Math.ceil(sizes[o]! / k))

  // Accounting.
  const everAtRisk = new Uint8Array(N)
  let atRisk = 0
  let objectsLost = 0
  let repairBytes = 0
  let repairs = 0
  let shardsRebuilt = 0
  let repairsDeferred = 0
  let nodeFailures = 0
  let graceExpiries = 0
  let riskObjectS = 0
  let onlineNodeS = 0
  let readsOk = 0
  let readsSampled = 0
  let events = 0
  let now = 0

  const queue = new RepairQueue(N, n + 1)
  const setHealthy = (o: number, h: number) => {
    const was = healthy[o]! <= k
    healthy[o] = h
    const is = h <= k
    if (was !== is) atRisk += is ? 1 : -1
    if (is) everAtRisk[o] = 1
  }
  const markLost = (o: number) => {
    lost[o] = 1
    objectsLost++
    if (healthy[o]! <= k) atRisk--
    queue.remove(o)
  }

  const maybeEnqueue = (o: number) => {
    if (repairOn && healthy[o]! <= threshold) queue.enqueue(o, healthy[o]!)
  }

  const placement = root.split(`placement/${configuration.name}`)
  /** A random online node with room that holds no shard of `o`, spreading regions and favouring free space. */
  const pickNode = (o: number, bytes: number): number => {
    if (onlineCount === 0) return -1
    for (let attempt = 0; attempt < 96; attempt++) {
      const c = onlineList[placement.nextInt(onlineCount)]!
      const free = capacity[c]! - used[c]!
      if (free < bytes || table.holdsShardOf(o, c)) continue
      if (attempt < 48 && regionUse[region[c]!]! >= regionCap) continue
      if (attempt < 64 && placement.nextDouble() * maxCapacity > free) continue
      regionUse[region[c]!]!++
      return c
    }
    return -1
  }
  const countRegions = (o: number) => {
    regionUse.fill(0)
    const base = o * n
    for (let s = 0; s < n; s++) {
      const h = table.holder[base + s]!
      if (h >= 0 && nodeState[h] !== DOWN) regionUse[region[h]!]!++
    }
  }
  const reachable = (o: number): number => {
    let r = 0
    const base = o * n
    for (let s = 0; s < n; s++) {
      const h = table.holder[base + s]!
      if (h >= 0 && nodeState[h] === ONLINE) r++
    }
    return r
  }

  const q = new EventQueue<never>()

  // Initial nodes, then every object written at time 0 onto the nodes online then.
  for (let i = 0; i < M; i++) {
    const online = churn.initiallyOnline(i)
    nodeState[i] = online ? ONLINE : GRACE
    if (online) addOnline(i)
    const len = churn.nextSessionMs(i, online) / 1000
    q.push(len, SESSION_END, i, 0)
    if (!online && len > grace) q.push(grace, GRACE_EXPIRED, i, 0)
    if (meanLifetimeS !== undefined) q.push(life[i]!.exponential(meanLifetimeS), NODE_DIED, i, 0)
  }
  let logicalBytes = 0
  let storedBytes = 0
  for (let o = 0; o < N; o++) {
    regionUse.fill(0)
    let placed = 0
    for (let s = 0; s < n; s++) {
      const c = pickNode(o, shardBytes[o]!)
      if (c < 0) continue
      table.place(o * n + s, c)
      used[c]! += shardBytes[o]!
      placed++
    }
    healthy[o] = placed
    existing[o] = placed
    logicalBytes += sizes[o]!
    storedBytes += placed * shardBytes[o]!
    if (placed <= k) {
      atRisk++
      everAtRisk[o] = 1
    }
    if (placed < k) markLost(o)
    else maybeEnqueue(o)
  }

  const repairInterval = scenario.repair.intervalS
  const budgetPerTick = scenario.repair.bandwidthBytesPerS * repairInterval
  let budget = 0
  if (repairOn) {
    q.push(repairInterval, REPAIR_TICK, 0, 0)
    q.push(scenario.repair.retryS, RETRY_DEFERRED, 0, 0)
  }
  const readRng = root.split("reads")
  const batches = Math.min(scenario.readSamples, Math.max(1, Math.ceil(duration / 3600)))
  for (let b = 0; b < batches; b++) q.push(((b + 0.5) * duration) / batches, READ_BATCH, b, 0)
  const seriesRows: Array<string> = []
  const sample = () =>
    seriesRows.push(`${configuration.name},${Math.round(now * 1000) / 1000},${onlineCount},${atRisk},${queue.pending},${objectsLost},${repairBytes}`)
  sample()
  const sampleEvery = scenario.sampleIntervalS
  for (let i = 1; i * sampleEvery <= duration; i++) q.push(i * sampleEvery, SAMPLE, 0, 0)

  const repairObject = (o: number) => {
    if (lost[o] === 1 || healthy[o]! > threshold) return
    if (reachable(o) < k) {
      queue.defer(o)
      repairsDeferred++
      return
    }
    const sb = shardBytes[o]!
    countRegions(o)
    let rebuilt = 0
    const base = o * n
    for (let s = 0; s < n; s++) {
      const id = base + s
      const h = table.holder[id]!
      if (h >= 0 && nodeState[h] !== DOWN) continue
      const target = pickNode(o, sb)
      if (target < 0) break
      if (h >= 0) {
        table.remove(id)
        used[h]! -= sb
      } else existing[o]!++
      table.place(id, target)
      used[target]! += sb
      setHealthy(o, healthy[o]! + 1)
      rebuilt++
    }
    if (rebuilt > 0) {
      repairs++
      shardsRebuilt += rebuilt
      const bytes = (k + rebuilt) * sb
      repairBytes += bytes
      budget -= bytes
    }
    // No room anywhere right now: try again later rather than spin.
    if (healthy[o]! <= threshold && lost[o] === 0) queue.defer(o)
  }

  const repairTick = () => {
    budget = Math.min(budgetPerTick, budget + budgetPerTick)
    queue.drain(threshold, () => budget > 0, repairObject)
  }

  const objectOf = (id: number) => (id / n) | 0
  const onShardUnhealthy = (id: number) => {
    const o = objectOf(id)
    if (lost[o] === 1) return
    setHealthy(o, healthy[o]! - 1)
    maybeEnqueue(o)
  }
  const onShardBack = (id: number) => {
    const o = objectOf(id)
    if (lost[o] === 1) return
    setHealthy(o, healthy[o]! + 1)
  }
  let priorState = ONLINE
  const onShardDestroyed = (id: number) => {
    const o = objectOf(id)
    if (lost[o] === 1) return
    existing[o]!--
    if (priorState !== DOWN) setHealthy(o, healthy[o]! - 1)
    if (existing[o]! < k) markLost(o)
    else maybeEnqueue(o)
  }

  while (q.length > 0 && q.peekTime() <= duration) {
    const t = q.peekTime()
    const slot = q.pop()
    const kind = q.kind[slot]!
    const a = q.a[slot]!
    const b = q.b[slot]!
    q.release(slot)
    const dt = t - now
    riskObjectS += atRisk * dt
    onlineNodeS += onlineCount * dt
    now = t
    events++
    switch (kind) {
      case SESSION_END: {
        if (b !== token[a]) break
        const id = ++token[a]!
        if (nodeState[a] === ONLINE) {
          removeOnline(a)
          nodeState[a] = GRACE
          const len = churn.nextSessionMs(a, false) / 1000
          q.push(t + len, SESSION_END, a, id)
          if (len > grace) q.push(t + grace, GRACE_EXPIRED, a, id)
        } else {
          if (nodeState[a] === DOWN) table.forEachOnNode(a, onShardBack)
          nodeState[a] = ONLINE
          addOnline(a)
          q.push(t + churn.nextSessionMs(a, true) / 1000, SESSION_END, a, id)
        }
        break
      }
      case GRACE_EXPIRED: {
        if (b !== token[a] || nodeState[a] !== GRACE) break
        nodeState[a] = DOWN
        graceExpiries++
        table.forEachOnNode(a, onShardUnhealthy)
        break
      }
      case NODE_DIED: {
        if (b !== generation[a]) break
        priorState = nodeState[a]!
        if (priorState === ONLINE) removeOnline(a)
        nodeState[a] = DEAD
        token[a]!++
        nodeFailures++
        table.dropNode(a, onShardDestroyed)
        used[a] = 0
        q.push(t + life[a]!.exponential(Math.max(1e-9, scenario.replacementDelayS)), NODE_JOINED, a, 0)
        break
      }
      case NODE_JOINED: {
        const g = ++generation[a]!
        const id = ++token[a]!
        nodeState[a] = ONLINE
        addOnline(a)
        q.push(t + churn.nextSessionMs(a, true) / 1000, SESSION_END, a, id)
        if (meanLifetimeS !== undefined) q.push(t + life[a]!.exponential(meanLifetimeS), NODE_DIED, a, g)
        break
      }
      case REPAIR_TICK: {
        repairTick()
        q.push(t + repairInterval, REPAIR_TICK, 0, 0)
        break
      }
      case RETRY_DEFERRED: {
        queue.retryDeferred(maybeEnqueue)
        q.push(t + scenario.repair.retryS, RETRY_DEFERRED, 0, 0)
        break
      }
      case READ_BATCH: {
        const count = Math.floor(((a + 1) * scenario.readSamples) / batches) - Math.floor((a * scenario.readSamples) / batches)
        for (let r = 0; r < count; r++) {
          const o = readRng.nextInt(N)
          if (lost[o] === 0 && reachable(o) >= k) readsOk++
        }
        readsSampled += count
        break
      }
      case SAMPLE:
        sample()
        break
    }
  }
  const dt = duration - now
  riskObjectS += atRisk * dt
  onlineNodeS += onlineCount * dt

  const r = configuration.redundancy
  return {
    name: configuration.name,
    seriesRows,
    state: st,
    summary: {
      redundancy: r.kind === "rs" ? `Reed-Solomon ${r.k}+${r.m}` : `replication x${r.r}`,
      k,
      shards: n,
      repair: repairOn,
      repairAtHealthy: threshold,
      objects: N,
      objectsLost,
      readAvailability: round6(readsSampled > 0 ? readsOk / readsSampled : 1),
      readsSampled,
      repairBytes,
      repairs,
      shardsRebuilt,
      repairsDeferred,
      peakRepairQueue: queue.peakPending,
      timeAtRiskObjectHours: Math.round((riskObjectS / 3600) * 1000) / 1000,
      objectsEverAtRisk: everAtRisk.reduce((acc, x) => acc + x, 0),
      logicalBytes,
      storedBytes,
      nodeFailures,
      graceExpiries,
      meanNodesOnline: Math.round(onlineNodeS / duration),
      events
    }
  }
}
