// Each finished job's predicted and actual work, with what EASY++ and the requested time would
// have said, so a report can compare predictors on the same jobs.
import { doubledCapacity, resized } from "../../collections/typedArrays.ts"

export class PredictionLog {
  count = 0
  predicted = new Float64Array(256)
  actual = new Float64Array(256)
  userMean = new Float64Array(256)
  requested = new Float64Array(256)

  add(predicted: number, actual: number, userMean: number, requested: number): void {
    if (this.count === this.predicted.length) {
      const n = doubledCapacity(this.count, this.count + 1)
      this.predicted = resized(this.predicted, n)
      this.actual = resized(this.actual, n)
      this.userMean = resized(this.userMean, n)
      this.requested = resized(this.requested, n)
    }
    const i = this.count++
    this.predicted[i] = predicted
    this.actual[i] = actual
    this.userMean[i] = userMean
    this.requested[i] = requested
  }
}

export interface PredictorAccuracy {
  readonly jobs: number
  /** Mean absolute error of log run time (a factor of e^x off on average). */
  readonly meanAbsLogError: number
  /** Share of jobs that ran longer than predicted. */
  readonly underPredictionRate: number
  /** Median of actual / predicted. */
  readonly medianRatio: number
}

/** Accuracy of one column of the log against the actual run times. */
export const accuracyOf = (actual: Float64Array, predicted: Float64Array, count: number): PredictorAccuracy => {
  let absLog = 0
  let under = 0
  const ratios = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    const a = Math.max(1, actual[i]!), p = Math.max(1, predicted[i]!)
    absLog += Math.abs(Math.log(a / p))
    if (a > p) under++
    ratios[i] = a / p
  }
  ratios.sort()
  return {
    jobs: count,
    meanAbsLogError: count > 0 ? absLog / count : 0,
    underPredictionRate: count > 0 ? under / count : 0,
    medianRatio: count > 0 ? ratios[Math.floor(count / 2)]! : 1
  }
}
