// The live coordinator: core's coordinator, market and ledger (ClusterMachine) driven by agents'
// messages over mutual TLS, API calls and a timer. Every input is written to SQLite before it is
// applied, in one transaction with what it changed (job rows, ledger entries), so after a crash or
// restart the state is rebuilt by replaying the log through the same code, and the ledger rebuilt
// that way must match the stored one entry for entry. Agents reconnect with their session and
// keep their jobs. Objects go through core's ObjectStore over shards on the agents' disks.
import * as SqlClient from "@effect/sql/SqlClient"
import { Clock, Data, Duration, Effect, Either, type Fiber } from "effect"
import { defaultCoordinatorConfig } from "../../core/coordinator/Coordinator.ts"
import type { NodeId } from "../../core/domain/ids.ts"
import type { AgentMessage } from "../../core/domain/messages.ts"
import { defaultEconomySettings } from "../../core/economy/settings.ts"
import { encodeEntryBody, EntryEncoder } from "../../core/ledger/encoding.ts"
import type { AccountId, MicroCredits } from "../../core/ledger/accounts.ts"
import { loadBook } from "../../core/ledger/Ledger.ts"
import { makePolicy } from "../../core/scheduler/policies.ts"
import { Prng } from "../../core/random/prng.ts"
import { makeSqliteLedgerStore } from "../ledger/sqliteLedgerStore.ts"
import { isCoreAgentMessage, type AgentFrame, type CoordinatorFrame } from "../protocol/messages.ts"
import { AgentEndpoint } from "../transport/AgentEndpoint.ts"
import { ClusterMachine, type StepOutput } from "./ClusterMachine.ts"
import { type CoordinatorInput, decodeInput, encodeInput } from "./inputs.ts"
import { type InputRow, migrateCoordinatorStore } from "./store.ts"

export interface LiveCoordinatorOptions {
  readonly dataDir: string
  /** Used on the first start only; later starts keep what the log was written with. */
  readonly policy: string
  readonly seed: number
  /** A node silent for this long is declared offline and its jobs retried elsewhere. */
  readonly heartbeatTimeoutMs?: number
  readonly tickIntervalMs?: number
  readonly maxRetries?: number
  /** Credits each new borrower (a user or an organisation) is given; first start only, like the policy. Default 100. */
  readonly signupGrantCredits?: number
}

/** Enough for hours of small jobs, little enough that a large one is refused for want of credits. */
export const defaultSignupGrantCredits = 100

/** The input log does not decode: the database was damaged or written by an incompatible version. */
export class InputLogCorrupted extends Data.TaggedError("InputLogCorrupted")<{ readonly seq: number; readonly reason: string }> {
  override get message() {
    return `input ${this.seq} of the coordinator's log does not decode: ${this.reason}`
  }
}

/** Replaying the log did not rebuild the ledger that was stored: they must never differ. */
export class LedgerDiverged extends Data.TaggedError("LedgerDiverged")<{ readonly stored: string; readonly replayed: string }> {
  override get message() {
    return `the ledger rebuilt from the input log (head ${this.replayed}) differs from the stored ledger (head ${this.stored})`
  }
}

export class UnknownPolicyName extends Data.TaggedError("UnknownPolicyName")<{ readonly name: string; readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

export interface FrameHandlers {
  /** Every live I/O frame (not core's messages) from an agent. */
  readonly onFrame: (node: NodeId, frame: AgentFrame) => Effect.Effect<void>
  readonly onEnrolled: (node: NodeId) => Effect.Effect<void>
  readonly onDisconnected: (node: NodeId) => Effect.Effect<void>
}

const toStored = (encoder: EntryEncoder) => (entry: StepOutput["entries"][number]) => ({ seq: entry.seq, body: encodeEntryBody(entry, encoder)!, hash: entry.hash })

const meta = (key: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.map(sql<{ value: string }>`SELECT value FROM meta WHERE key = ${key}`, (rows) => rows[0]?.value))
const setMeta = (key: string, value: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`INSERT INTO meta (key, value) VALUES (${key}, ${value}) ON CONFLICT(key) DO UPDATE SET value = excluded.value`)

export const openLiveCoordinator = (options: LiveCoordinatorOptions) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* migrateCoordinatorStore
    const policy = (yield* meta("policy")) ?? options.policy
    const seed = Number((yield* meta("seed")) ?? options.seed)
    const checked = makePolicy(policy, Prng.fromSeed(seed))
    if (Either.isLeft(checked)) return yield* new UnknownPolicyName({ name: policy, reason: checked.left.message })
    // The grant is in every replayed sign-up: it must stay what the log was written with.
    const signupGrantCredits = Number((yield* meta("signup_grant_credits")) ?? options.signupGrantCredits ?? defaultSignupGrantCredits)
    yield* setMeta("policy", policy)
    yield* setMeta("seed", String(seed))
    yield* setMeta("signup_grant_credits", String(signupGrantCredits))
    const tickIntervalMs = options.tickIntervalMs ?? 1000
    const machine = new ClusterMachine({
      policy,
      seed,
      config: { ...defaultCoordinatorConfig, heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 10_000, maxRetries: options.maxRetries ?? 5 },
      economy: { ...defaultEconomySettings, grantPerBorrower: signupGrantCredits }
    })
    const ledgerStore = yield* makeSqliteLedgerStore({ synchronous: "NORMAL" })
    const storedBook = yield* loadBook(ledgerStore, false)

    // ---- replay
    const rows = yield* sql<InputRow>`SELECT seq, at_ms, body FROM inputs ORDER BY seq`
    for (const row of rows) {
      const input = decodeInput(row.body)
      if (Either.isLeft(input)) return yield* new InputLogCorrupted({ seq: row.seq, reason: input.left.message })
      machine.apply(input.right, row.at_ms)
    }
    const stored = storedBook.head
    const replayed = machine.book.head
    if (stored.seq !== replayed.seq || stored.hash !== replayed.hash) {
      return yield* new LedgerDiverged({ stored: `${stored.seq}:${stored.hash}`, replayed: `${replayed.seq}:${replayed.hash}` })
    }
    yield* Effect.logInfo(`coordinator: replayed ${rows.length} inputs; ${machine.coordinator.jobs.count} jobs, ${machine.coordinator.cluster.count} nodes, ledger at entry ${replayed.seq}`)
    return { machine, ledgerStore, replayedInputs: rows.length, tickIntervalMs, policy, seed }
  })

export type OpenedCoordinator = Effect.Effect.Success<ReturnType<typeof openLiveCoordinator>>

/**
 * Runs the opened coordinator: the step function (log, apply, persist, send), the agent event loop
 * and the timer. Returns `step` for the API and the node ids enrolled so far.
 */
export const runLiveCoordinator = (opened: OpenedCoordinator, handlers: FrameHandlers) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const endpoint = yield* AgentEndpoint
    const { machine, ledgerStore } = opened
    const lock = yield* Effect.makeSemaphore(1)
    const encoder = new EntryEncoder()
    const stored = toStored(encoder)

    const persist = (input: CoordinatorInput, out: StepOutput, now: number) =>
      Effect.gen(function* () {
        const c = machine.coordinator
        if (out.result._tag === "Submitted" && input._tag === "Submit") {
          const id = out.result.job
          yield* sql`INSERT INTO jobs (id, owner, state, spec, submitted_at_ms) VALUES (${id}, ${input.request.owner}, ${"queued"}, ${JSON.stringify(c.specOf(id))}, ${now})`
        }
        if (out.result._tag === "Enrolled" && input._tag === "Enroll") {
          yield* sql`INSERT INTO nodes (id, spec, enrolled_at_ms) VALUES (${input.spec.id}, ${JSON.stringify(input.spec)}, ${now})`
        }
        for (const t of out.transitions) {
          if (t.from === t.to) continue
          const attempts = c.jobs.attempts[t.job]!
          const node = t.node >= 0 ? t.node : null
          if (t.to === "running") yield* sql`UPDATE jobs SET state = ${t.to}, node = ${node}, attempts = ${attempts}, started_at_ms = ${t.atMs} WHERE id = ${t.job}`
          else if (t.to === "placed") yield* sql`UPDATE jobs SET state = ${t.to}, node = ${node}, attempts = ${attempts}, running_at_ms = NULL, exit_code = NULL, reason = NULL, usage = NULL WHERE id = ${t.job}`
          else if (t.to === "queued") yield* sql`UPDATE jobs SET state = ${t.to}, reason = ${`attempt ${attempts - 1} on node ${t.node} was lost`} WHERE id = ${t.job}`
          else yield* sql`UPDATE jobs SET state = ${t.to}, ended_at_ms = ${t.atMs}, attempts = ${attempts} WHERE id = ${t.job}`
        }
        if (out.entries.length > 0) {
          const touched = new Set<string>()
          for (const e of out.entries) {
            for (const p of e.postings) touched.add(p.account)
            if (e.kind === "settle") {
              for (const p of e.postings) {
                const m = /^escrow:(\d+)$/.exec(p.account)
                if (m !== null && p.amount < 0) yield* sql`UPDATE jobs SET cost_micro = cost_micro + ${-p.amount} WHERE id = ${Number(m[1])}`
              }
            }
          }
          const balances = [...touched].map((a) => [a as AccountId, machine.book.balance(a)] as [AccountId, MicroCredits])
          yield* ledgerStore.append(out.entries.map(stored), balances)
        }
      })

    /** One input, alone: logged, applied, persisted in one transaction; then its messages go out. */
    const step = (make: CoordinatorInput | ((m: ClusterMachine) => CoordinatorInput)) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const input = typeof make === "function" ? make(machine) : make
          const out = yield* sql.withTransaction(
            Effect.gen(function* () {
              yield* sql`INSERT INTO inputs (at_ms, body) VALUES (${now}, ${encodeInput(input)})`
              const out = machine.apply(input, now)
              yield* persist(input, out, now)
              return out
            })
          )
          for (const [node, message] of out.sends) yield* Effect.ignore(endpoint.send(node, message))
          return out.result
        })
      ).pipe(Effect.orDie) // a failed write leaves memory ahead of disk: stop, and replay on restart

    // Registers from nodes whose lower-numbered peers have not enrolled yet (ids are dense, agents race).
    const waiting = new Map<number, AgentMessage & { _tag: "Register" }>()
    const register = (message: AgentMessage & { _tag: "Register" }): Effect.Effect<void> =>
      Effect.gen(function* () {
        const id = message.node.id
        const count = machine.coordinator.cluster.count
        if (id > count) {
          waiting.set(id, message)
          return
        }
        if (id === count) {
          const r = yield* step({ _tag: "Enroll", spec: message.node })
          if (r._tag === "Enrolled") yield* handlers.onEnrolled(r.node)
        }
        yield* step({ _tag: "FromAgent", message })
        const next = waiting.get(machine.coordinator.cluster.count)
        if (next !== undefined) {
          waiting.delete(next.node.id)
          yield* register(next)
        }
      })

    const onEvent = Effect.gen(function* () {
      const event = yield* endpoint.events.take
      switch (event._tag) {
        case "AgentMessageReceived": {
          const frame = event.message
          if (!isCoreAgentMessage(frame)) return yield* handlers.onFrame(event.nodeId, frame)
          if (frame._tag === "Register") return yield* register(frame)
          yield* step({ _tag: "FromAgent", message: frame })
          return
        }
        case "AgentDisconnected":
          return yield* handlers.onDisconnected(event.nodeId)
        default:
          return
      }
    })
    const events = yield* Effect.forkScoped(Effect.forever(onEvent))
    if (opened.replayedInputs > 0) yield* step({ _tag: "Resume" })
    yield* Effect.forkScoped(Effect.forever(Effect.delay(step({ _tag: "Tick", intervalMs: opened.tickIntervalMs }), Duration.millis(opened.tickIntervalMs))))

    const send = (node: NodeId, frame: CoordinatorFrame) => endpoint.send(node, frame)
    return { step, send, machine, events: events as Fiber.RuntimeFiber<never>, endpoint }
  })

export type RunningCoordinator = Effect.Effect.Success<ReturnType<typeof runLiveCoordinator>>
