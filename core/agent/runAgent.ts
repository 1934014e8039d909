// Runs the agent state machine as an Effect program over the Transport and Sandbox services:
// inbound messages, sandbox exits and heartbeat ticks go through one queue, each step of the
// state machine runs alone, and the commands it emitted are then carried out as effects.
// The live agent daemon runs this; the simulator's fiber mode runs it over virtual layers.
import { Duration, Effect, Fiber, Queue, Schema } from "effect"
import type { JobId } from "../domain/ids.ts"
import type { JobSpec } from "../domain/job.ts"
import { type AgentMessage, CoordinatorMessage } from "../domain/messages.ts"
import type { NodeSpec } from "../domain/node.ts"
import { Sandbox, type SandboxExit } from "../services/Sandbox.ts"
import { Transport } from "../services/Transport.ts"
import { Agent } from "./Agent.ts"

type AgentInput =
  | { readonly _tag: "Message"; readonly message: CoordinatorMessage }
  | { readonly _tag: "Exited"; readonly jobId: JobId; readonly attempt: number; readonly exit: SandboxExit }
  | { readonly _tag: "Tick" }

type AgentCommand =
  | { readonly _tag: "Send"; readonly message: AgentMessage }
  | { readonly _tag: "Start"; readonly job: JobSpec; readonly attempt: number }
  | { readonly _tag: "Stop"; readonly jobId: JobId; readonly attempt: number }

export interface AgentOptions {
  readonly heartbeatIntervalMs: number
  /** The last session number used by this machine (persisted by live agents across restarts). */
  readonly session?: number
}

const isCoordinatorMessage = Schema.is(CoordinatorMessage)

export const runAgent = (spec: NodeSpec, options: AgentOptions): Effect.Effect<never, never, Transport | Sandbox> =>
  Effect.scoped(
    Effect.gen(function* () {
      const transport = yield* Transport
      const sandbox = yield* Sandbox
      const endpoint = yield* transport.bind(spec.id)
      const inputs = yield* Queue.unbounded<AgentInput>()
      const commands: Array<AgentCommand> = []
      const runs = new Map<string, Fiber.RuntimeFiber<boolean>>()
      const agent = new Agent(
        spec,
        {
          send: (message) => commands.push({ _tag: "Send", message }),
          startSandbox: (job, attempt) => commands.push({ _tag: "Start", job, attempt }),
          stopSandbox: (jobId, attempt) => commands.push({ _tag: "Stop", jobId, attempt })
        },
        options.session ?? 0
      )

      const startRun = (job: JobSpec, attempt: number) =>
        sandbox.run({ job, attempt, node: spec }).pipe(
          // A sandbox that breaks is the job's failure, reported like any other exit.
          Effect.catchAll(() => Effect.succeed<SandboxExit>({ outcome: "failed", usage: { cpuMs: 0, wallMs: 0, memoryMiBMax: 0 } })),
          Effect.flatMap((exit) => Queue.offer(inputs, { _tag: "Exited", jobId: job.id, attempt, exit })),
          Effect.ensuring(Effect.sync(() => runs.delete(`${job.id}:${attempt}`))),
          Effect.forkScoped
        )

      const drain = Effect.gen(function* () {
        while (commands.length > 0) {
          const c = commands.shift()!
          if (c._tag === "Send") yield* endpoint.send("coordinator", c.message)
          else if (c._tag === "Start") runs.set(`${c.job.id}:${c.attempt}`, yield* startRun(c.job, c.attempt))
          else {
            const fiber = runs.get(`${c.jobId}:${c.attempt}`)
            if (fiber !== undefined) yield* Fiber.interrupt(fiber)
          }
        }
      })

      yield* endpoint.receive.pipe(
        Effect.flatMap((envelope) =>
          // Only the coordinator may command an agent, and only with a well-formed message.
          envelope.from === "coordinator" && isCoordinatorMessage(envelope.message)
            ? Queue.offer(inputs, { _tag: "Message", message: envelope.message })
            : Effect.logWarning(`agent ${spec.id}: dropped a message from ${envelope.from}`)
        ),
        Effect.forever,
        Effect.forkScoped
      )
      yield* Queue.offer(inputs, { _tag: "Tick" }).pipe(
        Effect.delay(Duration.millis(options.heartbeatIntervalMs)),
        Effect.forever,
        Effect.forkScoped
      )

      agent.start()
      yield* drain
      return yield* Queue.take(inputs).pipe(
        Effect.flatMap((input) => {
          switch (input._tag) {
            case "Message":
              agent.receive(input.message)
              break
            case "Exited":
              agent.sandboxExited(input.jobId, input.attempt, input.exit.outcome, input.exit.usage, input.exit.resultDigest)
              break
            case "Tick":
              agent.heartbeat()
              break
          }
          return drain
        }),
        Effect.forever
      )
    })
  )
