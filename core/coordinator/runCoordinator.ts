// Runs the coordinator state machine as an Effect program over the Transport service and the
// Clock: agent messages, timeout ticks and API calls each take the state machine in turn, and the
// messages it emits are then sent. Lifecycle transitions are published for observers (metrics,
// persistence, the portal). The live coordinator daemon runs this.
import { Duration, Effect, type Either, PubSub, type Scope, Schema } from "effect"
import type { JobId, NodeId } from "../domain/ids.ts"
import type { JobStatus } from "../domain/lifecycle.ts"
import { AgentMessage, type CoordinatorMessage } from "../domain/messages.ts"
import type { NodeSpec } from "../domain/node.ts"
import type { SchedulingPolicy } from "../scheduler/policy.ts"
import { Transport } from "../services/Transport.ts"
import { Coordinator, type CoordinatorConfig, defaultCoordinatorConfig, type JobRequest } from "./Coordinator.ts"
import type { CoordinatorError, JobUnsatisfiable, NodeNotDense, UnknownJob } from "./errors.ts"

export interface Transition {
  readonly job: JobId
  readonly from: JobStatus
  readonly to: JobStatus
  readonly node: number
  readonly atMs: number
}

export interface CoordinatorHandle {
  readonly enroll: (spec: NodeSpec) => Effect.Effect<NodeId, NodeNotDense>
  readonly submit: (request: JobRequest) => Effect.Effect<JobId, JobUnsatisfiable>
  readonly cancel: (job: number) => Effect.Effect<JobStatus, UnknownJob>
  readonly status: (job: number) => Effect.Effect<JobStatus | undefined>
  readonly transitions: PubSub.PubSub<Transition>
}

export interface CoordinatorOptions {
  readonly config?: CoordinatorConfig
  /** How often silent nodes are looked for. */
  readonly tickIntervalMs: number
}

const isAgentMessage = Schema.is(AgentMessage)

export const runCoordinator = (
  policy: SchedulingPolicy,
  options: CoordinatorOptions
): Effect.Effect<CoordinatorHandle, never, Transport | Scope.Scope> =>
  Effect.gen(function* () {
    const transport = yield* Transport
    const endpoint = yield* transport.bind("coordinator")
    const transitions = yield* PubSub.unbounded<Transition>()
    const outbox: Array<[NodeId, CoordinatorMessage]> = []
    const events: Array<Transition> = []
    const coordinator = new Coordinator(
      policy,
      {
        send: (node, message) => outbox.push([node, message]),
        transition: (job, from, to, node, atMs) => events.push({ job, from, to, node, atMs })
      },
      options.config ?? defaultCoordinatorConfig
    )
    const lock = yield* Effect.makeSemaphore(1)

    /** One step of the state machine, alone, at the clock's time; then its output goes out. */
    const step = <A>(f: (now: number) => A): Effect.Effect<A> =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
          const result = f(now)
          coordinator.flush(now)
          for (const [node, message] of outbox.splice(0)) yield* endpoint.send(node, message)
          for (const t of events.splice(0)) yield* PubSub.publish(transitions, t)
          return result
        })
      )

    const fromEither = <A, E>(e: Either.Either<A, E>): Effect.Effect<A, E> => e

    yield* endpoint.receive.pipe(
      Effect.flatMap((envelope) =>
        isAgentMessage(envelope.message)
          ? step((now) => coordinator.receive(envelope.message as AgentMessage, now)).pipe(
            Effect.flatMap((r) => fromEither<void, CoordinatorError>(r)),
            Effect.catchAll((e) => Effect.logWarning(`coordinator refused a message from ${envelope.from}: ${e.message}`))
          )
          : Effect.logWarning(`coordinator: dropped a malformed message from ${envelope.from}`)
      ),
      Effect.forever,
      Effect.forkScoped
    )
    yield* step((now) => coordinator.tick(now)).pipe(
      Effect.delay(Duration.millis(options.tickIntervalMs)),
      Effect.forever,
      Effect.forkScoped
    )

    return {
      enroll: (spec) => step(() => coordinator.enrollNode(spec)).pipe(Effect.flatMap(fromEither)),
      submit: (request) => step((now) => coordinator.submit(request, now)).pipe(Effect.flatMap(fromEither)),
      cancel: (job) => step((now) => coordinator.cancel(job, now)).pipe(Effect.flatMap(fromEither)),
      status: (job) => step(() => coordinator.status(job)),
      transitions
    }
  })
