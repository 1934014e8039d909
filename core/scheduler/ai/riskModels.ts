// Failure risk: the probability that an attempt of a given length on a given node is lost with the
// node. The forest classifier learns it from ended attempts with features frozen at placement; a
// session-length prior serves until it has seen both outcomes; the oracle knows when nodes leave.
import type { Prng } from "../../random/prng.ts"
import type { SchedulingContext } from "../policy.ts"
import { defaultForestSettings, type FlatForest, type ForestSettings, trainClassifierForest } from "./forest.ts"
import type { NodeHistory } from "./history.ts"

export interface RiskModel {
  readonly name: string
  /** Probability that an attempt of `durationMs` starting now on `node` is lost with the node. */
  risk(ctx: SchedulingContext, node: number, durationMs: number): number
  /** The cheap estimate used to shortlist nodes before `risk` is asked. */
  prior(ctx: SchedulingContext, node: number, durationMs: number): number
  placed(ctx: SchedulingContext, job: number, node: number, durationMs: number): void
  ended(ctx: SchedulingContext, job: number, lost: boolean): void
}

/** Without a failure model: every node is assumed to stay. */
export const noRisk: RiskModel = {
  name: "none",
  risk: () => 0,
  prior: () => 0,
  placed: () => {},
  ended: () => {}
}

/**
 * Exponential sessions whose mean grows with the time already up (volunteer sessions have a
 * decreasing hazard: a machine up for hours tends to stay up).
 */
export const sessionPrior = (history: NodeHistory, ctx: SchedulingContext, node: number, durationMs: number): number =>
  1 - Math.exp(-durationMs / Math.max(1, history.meanSessionMs(node) + history.uptimeMs(node, ctx.now)))

export interface ForestRiskSettings {
  readonly forest: ForestSettings
  readonly window: number
  /** Each outcome must have been seen this often before the forest replaces the prior. */
  readonly minPerClass: number
  readonly retrainEvery: number
}

export const defaultForestRiskSettings: ForestRiskSettings = {
  forest: { ...defaultForestSettings, samplesPerTree: 200 },
  window: 2000,
  minPerClass: 10,
  retrainEvery: 250
}

export const RISK_FEATURES = [
  "log uptime", "log mean session", "log sessions seen", "node's loss rate", "speed", "node's allocated share",
  "log attempt length", "attempt length / mean session", "hour (sin)", "hour (cos)", "reputation", "session prior"
] as const

const DAY_MS = 86_400_000

export class ForestRiskModel implements RiskModel {
  readonly name = "forest"
  private forest: FlatForest | undefined
  private readonly row = new Float64Array(RISK_FEATURES.length)
  private readonly atPlacement = new Map<number, Array<number>>()
  private readonly rows: Array<Array<number>> = []
  private readonly labels: Array<number> = []
  private lostSeen = 0
  private keptSeen = 0
  private newExamples = 0
  private trainedExamples = 0
  trainings = 0

  constructor(
    private readonly history: NodeHistory,
    private readonly rng: Prng,
    private readonly settings: ForestRiskSettings = defaultForestRiskSettings
  ) {}

  private fill(ctx: SchedulingContext, node: number, durationMs: number): Float64Array {
    const h = this.history, c = ctx.cluster, r = this.row
    const mean = h.meanSessionMs(node)
    const hour = ((ctx.now % DAY_MS) / DAY_MS) * 2 * Math.PI
    r[0] = Math.log1p(h.uptimeMs(node, ctx.now) / 1000)
    r[1] = Math.log1p(mean / 1000)
    r[2] = Math.log1p(h.sessionCount(node))
    r[3] = h.lossRate(node)
    r[4] = c.speed[node]!
    r[5] = c.capCpu[node]! > 0 ? 1 - c.freeCpu[node]! / c.capCpu[node]! : 0
    r[6] = Math.log1p(durationMs / 1000)
    r[7] = durationMs / Math.max(1, mean)
    r[8] = Math.sin(hour)
    r[9] = Math.cos(hour)
    r[10] = c.reputation[node]!
    r[11] = sessionPrior(h, ctx, node, durationMs)
    return r
  }

  prior(ctx: SchedulingContext, node: number, durationMs: number): number {
    return sessionPrior(this.history, ctx, node, durationMs)
  }

  risk(ctx: SchedulingContext, node: number, durationMs: number): number {
    const row = this.fill(ctx, node, durationMs)
    return this.forest === undefined ? row[11]! : this.forest.predict(row)
  }

  placed(ctx: SchedulingContext, job: number, node: number, durationMs: number): void {
    this.atPlacement.set(job, Array.from(this.fill(ctx, node, durationMs)))
  }

  ended(_ctx: SchedulingContext, job: number, lost: boolean): void {
    const row = this.atPlacement.get(job)
    if (row === undefined) return
    this.atPlacement.delete(job)
    this.rows.push(row)
    this.labels.push(lost ? 1 : 0)
    if (lost) this.lostSeen++
    else this.keptSeen++
    if (this.rows.length > this.settings.window) {
      this.rows.splice(0, this.rows.length - this.settings.window)
      this.labels.splice(0, this.labels.length - this.settings.window)
    }
    this.newExamples++
    const ready = this.lostSeen >= this.settings.minPerClass && this.keptSeen >= this.settings.minPerClass
    const due = this.forest === undefined ? ready : this.newExamples >= Math.min(this.settings.retrainEvery, this.trainedExamples)
    if (due && this.labels.includes(1) && this.labels.includes(0)) this.train()
  }

  private train(): void {
    this.forest = trainClassifierForest(this.rows, this.labels, this.settings.forest, this.rng.nextUint32() >>> 1)
    this.trainings++
    this.trainedExamples = this.rows.length
    this.newExamples = 0
  }
}

/** What only the simulator knows: when each node's current session will end. */
export interface AvailabilityOracle {
  upUntilMs(node: number): number
}

/** The oracle's risk: certain loss if the attempt outlasts the node's session, none otherwise. */
export const oracleRisk = (oracle: AvailabilityOracle): RiskModel => ({
  name: "true availability",
  risk: (ctx, node, durationMs) => (ctx.now + durationMs > oracle.upUntilMs(node) ? 1 : 0),
  prior: (ctx, node, durationMs) => (ctx.now + durationMs > oracle.upUntilMs(node) ? 1 : 0),
  placed: () => {},
  ended: () => {}
})
