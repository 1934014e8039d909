// The coordinator's answers to agents' live I/O frames: shard replies go to the shard RPC; input
// fetches and output stores are served by the object gateway, but only for the attempt the agent
// was given and only the objects that job named; logs and exits are kept with the job.
import * as SqlClient from "@effect/sql/SqlClient"
import { Clock, Effect, Either } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import type { ObjectStoreService } from "../../core/storage/ObjectStore.ts"
import { Status } from "../../core/coordinator/JobTable.ts"
import type { AgentFrame, CoordinatorFrame, ObjectReply } from "../protocol/messages.ts"
import type { ClusterMachine } from "./ClusterMachine.ts"

export interface AgentFrameDeps {
  readonly machine: ClusterMachine
  readonly objects: ObjectStoreService
  readonly send: (node: NodeId, frame: CoordinatorFrame) => Effect.Effect<void, unknown>
  readonly deliverShardReply: (node: NodeId, frame: AgentFrame & { _tag: "ShardReply" }) => void
  /** Creates the user's bucket on first use (the same rule as the API's). */
  readonly ensureBucket: (owner: string, bucket: string) => Effect.Effect<void, unknown>
}

export const makeAgentFrameHandler = (deps: AgentFrameDeps) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const { machine, objects } = deps

    /** The job's spec if `attempt` is its current attempt and it runs on `node`. */
    const currentAttempt = (node: NodeId, jobId: number, attempt: number) => {
      const c = machine.coordinator
      const j = c.jobs
      if (jobId < 0 || jobId >= j.count) return undefined
      const s = j.status[jobId]
      if ((s !== Status.placed && s !== Status.running) || j.node[jobId] !== node || j.attempts[jobId]! - 1 !== attempt) return undefined
      return c.specOf(jobId)
    }
    const reply = (node: NodeId, requestId: number, result: ObjectReply["result"]) =>
      Effect.ignore(deps.send(node, { _tag: "ObjectReply", requestId, result }))
    const refuse = (node: NodeId, requestId: number, reason: string) =>
      Effect.zipRight(Effect.logWarning(`agent ${node}: ${reason}`), reply(node, requestId, { _tag: "Refused", reason }))

    return (node: NodeId, frame: AgentFrame): Effect.Effect<void> => {
      switch (frame._tag) {
        case "ShardReply":
          return Effect.sync(() => deps.deliverShardReply(node, frame))
        case "InputFetch":
          return Effect.forkDaemon(Effect.gen(function* () {
            const spec = currentAttempt(node, frame.jobId, frame.attempt)
            if (spec === undefined) return yield* refuse(node, frame.requestId, `job ${frame.jobId} attempt ${frame.attempt} is not running there`)
            if (!(spec.io?.inputs ?? []).some((i) => i.bucket === frame.bucket && i.key === frame.key)) {
              return yield* refuse(node, frame.requestId, `job ${frame.jobId} did not name ${frame.bucket}/${frame.key} as an input`)
            }
            const data = yield* Effect.either(objects.getObject(frame.bucket, frame.key))
            if (Either.isLeft(data)) return yield* refuse(node, frame.requestId, data.left.message)
            yield* reply(node, frame.requestId, { _tag: "Bytes", data: data.right })
          })).pipe(Effect.asVoid)
        case "OutputStore":
          return Effect.forkDaemon(Effect.gen(function* () {
            const spec = currentAttempt(node, frame.jobId, frame.attempt)
            if (spec === undefined || spec.io === undefined) return yield* refuse(node, frame.requestId, `job ${frame.jobId} attempt ${frame.attempt} is not running there`)
            const path = frame.path.replace(/^\/+/, "")
            if (path === "" || path.split("/").includes("..")) return yield* refuse(node, frame.requestId, `output path ${frame.path} is not a relative path`)
            const { bucket, prefix } = spec.io.output
            const key = `${prefix}${path}`
            const stored = yield* Effect.either(Effect.zipRight(deps.ensureBucket(spec.owner, bucket), objects.putObject({ bucket, key, data: frame.data, owner: spec.owner })))
            if (Either.isLeft(stored)) return yield* refuse(node, frame.requestId, `could not store ${bucket}/${key}: ${String((stored.left as { message?: string }).message ?? stored.left)}`)
            yield* Effect.orDie(sql`UPDATE jobs SET outputs = json_insert(outputs, '$[#]', ${`${bucket}/${key}`}) WHERE id = ${frame.jobId}`)
            yield* reply(node, frame.requestId, { _tag: "Stored", key })
          })).pipe(Effect.asVoid)
        case "JobRunning":
          if (currentAttempt(node, frame.jobId, frame.attempt) === undefined) return Effect.void
          return Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.orDie(sql`UPDATE jobs SET running_at_ms = ${now} WHERE id = ${frame.jobId}`))
        case "JobLog":
          if (currentAttempt(node, frame.jobId, frame.attempt) === undefined) return Effect.void
          return Effect.orDie(sql`INSERT INTO job_logs (job_id, attempt, stream, text) VALUES (${frame.jobId}, ${frame.attempt}, ${frame.stream}, ${frame.text})`)
        case "JobExit": {
          if (currentAttempt(node, frame.jobId, frame.attempt) === undefined) return Effect.void
          const reason = frame.reason ?? (frame.limit !== undefined ? `stopped: ${frame.limit}` : frame.exitCode !== 0 ? `exited with code ${frame.exitCode}` : null)
          const usage = JSON.stringify({ cpuMs: frame.usage.cpuMs, wallMs: frame.usage.wallMs, memoryPeakMiB: frame.usage.memoryPeakMiB, bytesIn: frame.usage.bytesIn, bytesOut: frame.usage.bytesOut })
          return Effect.orDie(sql`UPDATE jobs SET exit_code = ${frame.exitCode}, reason = ${reason}, usage = ${usage} WHERE id = ${frame.jobId}`)
        }
        default:
          return Effect.logWarning(`agent ${node}: unexpected frame ${frame._tag}`)
      }
    }
  })
