// Run-time predictors: how much work (ms at reference speed) a queued job will need. The forest
// learns online from finished jobs only; the user-history mean is EASY++'s predictor; the oracle
// reads the simulator's truth and exists only as the upper bound.
import type { Prng } from "../../random/prng.ts"
import type { SchedulingContext } from "../policy.ts"
import { defaultForestSettings, type FlatForest, type ForestSettings, trainRegressionForest } from "./forest.ts"
import type { UserHistory } from "./history.ts"
import { PredictionLog } from "./PredictionLog.ts"

export interface RuntimeModel {
  readonly name: string
  /** Bumped whenever predictions may change for jobs already predicted (a retrain). */
  readonly version: number
  /** Expected work of the job at reference speed (ms), never above its requested time. */
  predict(ctx: SchedulingContext, job: number): number
  /** A cautious estimate for reservations: under-prediction is what hurts backfilling. */
  upper(ctx: SchedulingContext, job: number, predictedMs: number): number
  /** A job finished (succeeded) after this much observed work. */
  learn(ctx: SchedulingContext, job: number, workMs: number): void
  readonly log: PredictionLog
}

const DAY_MS = 86_400_000
const toLog = (ms: number): number => Math.log1p(Math.max(0, ms) / 1000)
const fromLog = (x: number): number => Math.expm1(x) * 1000

/** EASY++ (Tsafrir et al. 2007): the mean of the user's last two run times, else the requested time. */
export const userMeanEstimate = (ctx: SchedulingContext, users: UserHistory, job: number): number => {
  const requested = ctx.jobs.requestedMs[job]!
  const mean = users.meanOfLast(ctx.jobs.owner[job]!, 2)
  return Number.isNaN(mean) ? requested : Math.min(requested, mean)
}

export class UserMeanRuntimeModel implements RuntimeModel {
  readonly name = "user-mean"
  readonly version = 0
  readonly log = new PredictionLog()
  private readonly predicted = new Map<number, number>()
  constructor(private readonly users: UserHistory) {}
  predict(ctx: SchedulingContext, job: number): number {
    const p = userMeanEstimate(ctx, this.users, job)
    if (!this.predicted.has(job)) this.predicted.set(job, p)
    return p
  }

  upper(ctx: SchedulingContext, job: number, predictedMs: number): number {
    return Math.min(ctx.jobs.requestedMs[job]!, predictedMs)
  }
  learn(ctx: SchedulingContext, job: number, workMs: number): void {
    const p = this.predicted.get(job)
    if (p !== undefined) {
      this.predicted.delete(job)
      this.log.add(p, workMs, p, ctx.jobs.requestedMs[job]!)
    }
  }
}

export interface ForestRuntimeSettings {
  readonly forest: ForestSettings
  /** Most recent finished jobs kept for training. */
  readonly window: number
  /** Examples before the first training; until then the user-history mean predicts. */
  readonly firstTrainingAt: number
  /** Retrain after this many new examples once the window has filled (earlier: each time it doubles). */
  readonly retrainEvery: number
  /** Quantile of recent run/predicted ratios that corrects predictions for reservations. */
  readonly upperQuantile: number
}

export const defaultForestRuntimeSettings: ForestRuntimeSettings = {
  forest: defaultForestSettings,
  window: 1000,
  firstTrainingAt: 30,
  retrainEvery: 250,
  upperQuantile: 0.9
}

export const RUNTIME_FEATURES = [
  "log requested time", "vCPUs", "log memory", "submit hour (sin)", "submit hour (cos)",
  "user's last run (log)", "user's last 2 (log mean)", "user's last 5 (log mean)", "user's finished jobs (log)", "user's log run/requested"
] as const

/**
 * A random-forest regressor on log run time, from features frozen when the job was first
 * predicted (its submission), trained only on jobs that have finished, and retrained on a budget.
 */
export class ForestRuntimeModel implements RuntimeModel {
  readonly name = "forest"
  version = 0
  readonly log = new PredictionLog()
  private forest: FlatForest | undefined
  private readonly features = new Map<number, Float64Array>()
  /** The first prediction for each job still queued or running, and EASY++'s at that moment. */
  private readonly firstPrediction = new Map<number, readonly [number, number, number]>()
  private readonly rows: Array<Array<number>> = []
  private readonly targets: Array<number> = []
  private newExamples = 0
  /** Recent absolute log errors of the forest, EASY++'s mean and the requested time (same jobs). */
  private readonly recentError = [new Float64Array(200), new Float64Array(200), new Float64Array(200)] as const
  private recentCount = 0
  /** Which of them predicts: 0 forest, 1 user mean, 2 requested time (the lowest recent error). */
  private chosen = 1
  private readonly residuals = new Float64Array(256)
  private residualCount = 0
  private correction = 1
  /** Training runs so far and the examples they used (the budget a benchmark reports). */
  trainings = 0
  trainedExamples = 0

  constructor(
    private readonly users: UserHistory,
    private readonly rng: Prng,
    private readonly settings: ForestRuntimeSettings = defaultForestRuntimeSettings
  ) {}

  private featuresOf(ctx: SchedulingContext, job: number): Float64Array {
    let f = this.features.get(job)
    if (f !== undefined) return f
    const j = ctx.jobs
    const user = j.owner[job]!
    const hour = ((j.submitMs[job]! % DAY_MS) / DAY_MS) * 2 * Math.PI
    const last = this.users.meanOfLast(user, 1)
    const last2 = this.users.meanOfLast(user, 2)
    const last5 = this.users.meanOfLast(user, 5)
    f = Float64Array.of(
      toLog(j.requestedMs[job]!), j.cpu[job]!, Math.log1p(j.mem[job]!), Math.sin(hour), Math.cos(hour),
      Number.isNaN(last) ? -1 : toLog(last), Number.isNaN(last2) ? -1 : toLog(last2), Number.isNaN(last5) ? -1 : toLog(last5),
      Math.log1p(this.users.finished(user)), this.users.meanLogRatio(user)
    )
    this.features.set(job, f)
    return f
  }

  /**
   * The forest's estimate, unless EASY++'s or the requested time has been more accurate on recent
   * jobs (a trace whose requested times are exact, like Lublin's, is best served by them).
   */
  predict(ctx: SchedulingContext, job: number): number {
    const f = this.featuresOf(ctx, job)
    const requested = ctx.jobs.requestedMs[job]!
    const userMean = userMeanEstimate(ctx, this.users, job)
    const forest = this.forest === undefined ? userMean : Math.min(requested, Math.max(1, fromLog(this.forest.predict(f))))
    if (!this.firstPrediction.has(job)) this.firstPrediction.set(job, [forest, userMean, requested])
    return this.chosen === 0 ? forest : this.chosen === 1 ? userMean : requested
  }

  upper(ctx: SchedulingContext, job: number, predictedMs: number): number {
    return Math.min(ctx.jobs.requestedMs[job]!, predictedMs * this.correction)
  }

  learn(ctx: SchedulingContext, job: number, workMs: number): void {
    const f = this.featuresOf(ctx, job)
    const first = this.firstPrediction.get(job)
    if (first !== undefined) {
      const used = first[this.chosen]!
      this.log.add(used, workMs, first[1], first[2])
      this.residuals[this.residualCount++ % this.residuals.length] = workMs / Math.max(1, used)
      this.updateCorrection()
      const slot = this.recentCount++ % 200
      for (let m = 0; m < 3; m++) this.recentError[m]![slot] = Math.abs(Math.log(Math.max(1, workMs) / Math.max(1, first[m]!)))
      if (this.forest !== undefined) this.choose()
    }
    this.features.delete(job)
    this.firstPrediction.delete(job)
    this.rows.push(Array.from(f))
    this.targets.push(toLog(workMs))
    if (this.rows.length > this.settings.window) {
      this.rows.splice(0, this.rows.length - this.settings.window)
      this.targets.splice(0, this.targets.length - this.settings.window)
    }
    this.newExamples++
    const due = this.forest === undefined
      ? this.rows.length >= this.settings.firstTrainingAt
      : this.newExamples >= Math.min(this.settings.retrainEvery, this.trainedExamples)
    if (due) this.train()
  }

  private choose(): void {
    const n = Math.min(this.recentCount, 200)
    let best = this.chosen
    let bestError = Infinity
    for (let m = 0; m < 3; m++) {
      let sum = 0
      for (let i = 0; i < n; i++) sum += this.recentError[m]![i]!
      if (sum < bestError) {
        bestError = sum
        best = m
      }
    }
    if (best !== this.chosen) this.version++
    this.chosen = best
  }

  /** Which predictor currently predicts (for explanations). */
  get source(): string {
    return ["forest", "user-mean", "requested"][this.chosen]!
  }

  private updateCorrection(): void {
    const n = Math.min(this.residualCount, this.residuals.length)
    if (n < 20) return
    const sorted = this.residuals.slice(0, n).sort()
    this.correction = Math.max(1, sorted[Math.min(n - 1, Math.floor(this.settings.upperQuantile * n))]!)
  }

  private train(): void {
    this.forest = trainRegressionForest(this.rows, this.targets, this.settings.forest, this.rng.nextUint32() >>> 1)
    this.trainings++
    this.trainedExamples = this.rows.length
    this.newExamples = 0
    this.version++
  }
}

/** The simulator's true work: the oracle's run times (no live coordinator can know them). */
export class TrueRuntimeModel implements RuntimeModel {
  readonly name = "true run time"
  readonly version = 0
  readonly log = new PredictionLog()
  predict(ctx: SchedulingContext, job: number): number {
    return ctx.jobs.workMs[job]!
  }
  upper(_ctx: SchedulingContext, _job: number, predictedMs: number): number {
    return predictedMs
  }
  learn(): void {}
}
