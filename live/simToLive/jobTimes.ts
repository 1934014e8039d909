// What both worlds report per job, on one clock each: submitted, started and ended (seconds from
// the world's own start), and how it ended.
export interface JobTimes {
  /** The job's position in the planned workload. */
  readonly index: number
  readonly submitS: number
  /** NaN when the job never started. */
  readonly startS: number
  /** NaN when the job has not ended. */
  readonly endS: number
  readonly state: string
  readonly attempts: number
  readonly node: number | null
}

export const waitS = (j: JobTimes): number => j.startS - j.submitS
export const runS = (j: JobTimes): number => j.endS - j.startS
export const completionS = (j: JobTimes): number => j.endS - j.submitS
