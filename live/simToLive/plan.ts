// The jobs a sim-to-live comparison runs: the scenario's own synthetic workload, drawn from the
// scenario's seed exactly as the simulator draws it, so both worlds get the same arrivals, shapes
// and run times.
import { Data, Effect } from "effect"
import { loadScenario, type ScenarioInvalid, type ScenarioNotFound } from "../../scenarios/load.ts"
import type { Scenario } from "../../scenarios/schema.ts"
import { prepareScenario, type ScenarioLoadError } from "../../sim/prepareScenario.ts"

export const defaultScenario = "live-small"

/** One job as both worlds run it; in live mode it is the busybox command `sleep <runS>`. */
export interface PlannedJob {
  /** Position in the workload (the simulator's job id). */
  readonly index: number
  readonly submitMs: number
  /** Work at reference speed; run time on a speed-1 node. */
  readonly runMs: number
  readonly vcpus: number
  readonly memoryMiB: number
  readonly diskMiB: number
}

export interface Plan {
  readonly scenario: Scenario
  readonly jobs: ReadonlyArray<PlannedJob>
}

/** The scenario cannot be replayed on a local cluster as it is. */
export class PlanUnsupported extends Data.TaggedError("PlanUnsupported")<{ readonly scenario: string; readonly reason: string }> {
  override get message() {
    return `scenario ${this.scenario} cannot be compared with a live run: ${this.reason}`
  }
}

/** Run times are sent to the guest's `sleep` with millisecond precision. */
export const sleepSeconds = (runMs: number): string => (Math.round(runMs) / 1000).toFixed(3)

/**
 * Loads the scenario (by name or path) and draws its jobs. `jobs` below the scenario's count keeps
 * the first ones: the generator draws job by job from one stream, so they are the same jobs.
 */
export const loadPlan = (
  nameOrPath: string = defaultScenario,
  jobs?: number
): Effect.Effect<Plan, ScenarioInvalid | ScenarioNotFound | ScenarioLoadError | PlanUnsupported> =>
  Effect.gen(function* () {
    const loaded = yield* loadScenario(nameOrPath)
    const w = loaded.workload
    if (w.kind !== "synthetic") return yield* new PlanUnsupported({ scenario: loaded.name, reason: "its workload is a trace; the comparison needs a synthetic workload" })
    if (loaded.nodes.churn.kind !== "none" || loaded.failures.length > 0) {
      return yield* new PlanUnsupported({ scenario: loaded.name, reason: "it has churn or injected failures, which a local cluster does not replay" })
    }
    const classes = loaded.nodes.classes
    if (classes.length !== 1 || classes[0].speedMin !== 1 || classes[0].speedMax !== 1) {
      return yield* new PlanUnsupported({ scenario: loaded.name, reason: "its nodes are not one class at speed 1, as the agents of a local cluster are" })
    }
    const scenario: Scenario = jobs !== undefined && jobs < w.jobs ? { ...loaded, workload: { ...w, jobs } } : loaded
    const prepared = yield* prepareScenario(scenario)
    const source = prepared.workload()
    const planned: Array<PlannedJob> = []
    for (let job = source.next(), index = 0; job !== undefined; job = source.next(), index++) {
      const r = job.request.resources
      planned.push({ index, submitMs: job.submitMs, runMs: job.request.workMs, vcpus: r.vcpus, memoryMiB: r.memoryMiB, diskMiB: r.diskMiB })
    }
    return { scenario, jobs: planned }
  })
