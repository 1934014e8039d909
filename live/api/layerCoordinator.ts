// `JobsApi` over core's Coordinator state machine, in memory. Each call is one step of the state
// machine at the Clock's time, one at a time; the policy runs after each step. Nodes enrolled here
// have no agent yet, so they stay offline and accepted jobs stay queued until agents register
// (which the agent endpoint will add, together with the messages this layer now drops).
import { Effect, Either, Layer } from "effect"
import { Coordinator, type CoordinatorConfig, defaultCoordinatorConfig, type JobRequest } from "../../core/coordinator/Coordinator.ts"
import { UnknownJob } from "../../core/coordinator/errors.ts"
import type { NodeSpec } from "../../core/domain/node.ts"
import type { SchedulingPolicy } from "../../core/scheduler/policy.ts"
import { JobsApi, type JobView, type SubmitJob } from "./JobsApi.ts"

export interface CoordinatorApiOptions {
  readonly policy: SchedulingPolicy
  /** Lenders' machines known to the coordinator; a job larger than all of them is unsatisfiable. */
  readonly nodes: ReadonlyArray<NodeSpec>
  readonly config?: CoordinatorConfig
}

const toRequest = (job: SubmitJob): JobRequest => ({
  owner: job.owner,
  resources: { vcpus: job.vcpus, memoryMiB: job.memoryMiB, diskMiB: job.diskMiB },
  requestedTimeMs: job.timeoutS * 1000,
  // Live jobs have no known work: the borrower's limit is the only estimate there is.
  workMs: job.timeoutS * 1000,
  image: job.image,
  command: job.command,
  replication: 1
})

const viewOf = (coordinator: Coordinator, id: number): JobView => {
  const spec = coordinator.specOf(id)
  return {
    id: spec.id,
    owner: spec.owner,
    state: coordinator.status(id)!,
    image: spec.image,
    command: spec.command,
    vcpus: spec.resources.vcpus,
    memoryMiB: spec.resources.memoryMiB,
    diskMiB: spec.resources.diskMiB,
    timeoutS: spec.requestedTimeMs / 1000
  }
}

export const makeCoordinatorJobsApi = (options: CoordinatorApiOptions): Effect.Effect<typeof JobsApi.Service> =>
  Effect.gen(function* () {
    const coordinator = new Coordinator(
      options.policy,
      // No agent endpoint yet: what the coordinator would send is dropped, transitions are read back from its table.
      { send: () => {}, transition: () => {} },
      options.config ?? defaultCoordinatorConfig
    )
    for (const node of options.nodes) {
      const enrolled = coordinator.enrollNode(node)
      if (Either.isLeft(enrolled)) return yield* Effect.dieMessage(enrolled.left.message)
    }
    const lock = yield* Effect.makeSemaphore(1)
    const step = <A, E>(f: (now: number) => Either.Either<A, E>): Effect.Effect<A, E> =>
      lock.withPermits(1)(
        Effect.clockWith((clock) => clock.currentTimeMillis).pipe(
          Effect.flatMap((now) => {
            const result = f(now)
            coordinator.flush(now)
            return result
          })
        )
      )
    const known = (id: number) => Number.isInteger(id) && coordinator.status(id) !== undefined

    return JobsApi.of({
      submit: (job) => step((now) => Either.map(coordinator.submit(toRequest(job), now), (id) => viewOf(coordinator, id))),
      status: (id) => step(() => known(id) ? Either.right(viewOf(coordinator, id)) : Either.left(new UnknownJob({ jobId: id }))),
      list: (owner) =>
        step(() => {
          const views: Array<JobView> = []
          for (let id = 0; id < coordinator.jobs.count; id++) {
            if (owner === undefined || coordinator.userOf(id) === owner) views.push(viewOf(coordinator, id))
          }
          return Either.right(views)
        }),
      cancel: (id) =>
        step((now) =>
          known(id) ? Either.map(coordinator.cancel(id, now), () => viewOf(coordinator, id)) : Either.left(new UnknownJob({ jobId: id }))
        )
    })
  })

export const layerCoordinator = (options: CoordinatorApiOptions): Layer.Layer<JobsApi> =>
  Layer.effect(JobsApi, makeCoordinatorJobsApi(options))
