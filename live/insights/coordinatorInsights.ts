// InsightsApi over the running coordinator: job facts from its SQLite jobs table, money from the
// ledger book the ClusterMachine holds (the same entries SQLite stores, in memory), node state from
// the coordinator's cluster and the market's reputation book, traffic from the meter's table.
// Top-ups go through the logged step function, like every other change of state.
import { randomUUID } from "node:crypto"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Either } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import { lenderAccount } from "../../core/economy/accounts.ts"
import { creditsFromMicroCredits, microCreditsFromCredits } from "../../core/ledger/accounts.ts"
import type { LedgerStoreShape } from "../../core/ledger/LedgerStore.ts"
import { verifyLedger } from "../../core/ledger/verifyLedger.ts"
import type { ClusterApiDeps } from "../coordinator/clusterApi.ts"
import type { Principal } from "../api/Principal.ts"
import type { AgentEndpointShape } from "../transport/AgentEndpoint.ts"
import {
  chargesMicro, countByState, dayOf, failureRate, invoices, type JobFact, jobsByImage, jobsByState, keyMetrics, monthlyCost,
  monthOf, requestsByRoute, sumTraffic, type TrafficCount, utilisation, within
} from "./figures.ts"
import {
  type BillingEntry, type InsightsApiShape, InvalidTopUp, type LenderNode, OrgAdminOnly, type Period, TopUpConflict, topUpCreditsMax, UnknownInvoice
} from "./InsightsApi.ts"
import { invoiceCsv } from "./invoiceCsv.ts"
import { migrateInsightsStore } from "./store.ts"
import { accountEntries, jobOfEntry, netOn, type Scope, scopeOf, seesWholeAccount } from "./visibility.ts"

export interface InsightsDeps {
  readonly machine: ClusterApiDeps["machine"]
  readonly step: ClusterApiDeps["step"]
  readonly nextNodeId: ClusterApiDeps["nextNodeId"]
  readonly endpoint: Pick<AgentEndpointShape, "host" | "joinPort" | "createJoinToken" | "connectedNodes">
  /** The stored ledger, which the audit checks against the head the machine holds. */
  readonly ledgerStore: LedgerStoreShape
  /** Writes the traffic meter's pending counts before they are read (the SQLite meter's `flush`). */
  readonly flushTraffic?: Effect.Effect<void>
  /** The users of an admin's organisation, whose traffic the admin's figures add up; without it, the caller's own. */
  readonly orgMembers?: (principal: Principal) => Effect.Effect<ReadonlyArray<string>>
}

interface JobFactRow {
  readonly id: number
  readonly owner: string
  readonly payer: string | null
  readonly state: string
  readonly image: string
  readonly vcpus: number
  readonly memory_mib: number
  readonly submitted_at_ms: number
  readonly started_at_ms: number | null
  readonly ended_at_ms: number | null
  readonly cost_micro: number
}

const factOf = (r: JobFactRow): JobFact => ({
  id: r.id, owner: r.owner, payer: r.payer, state: r.state, image: r.image, vcpus: r.vcpus, memoryMiB: r.memory_mib,
  submittedAtMs: r.submitted_at_ms, startedAtMs: r.started_at_ms, endedAtMs: r.ended_at_ms, costMicro: r.cost_micro
})

const topUpKeyLengthMax = 128

export const makeInsightsApi = (deps: InsightsDeps) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const orDie = Effect.orDie
    yield* migrateInsightsStore
    const { machine } = deps
    const book = machine.book

    // A job is visible to its submitter, and to an admin of the organisation that pays for it.
    const visibleWhere = (scope: Scope) =>
      scope.standing === "admin"
        ? sql`(owner = ${scope.user} OR json_extract(spec, '$.payer') = ${scope.payer})`
        : sql`owner = ${scope.user}`

    const columns = sql`id, owner, json_extract(spec, '$.payer') AS payer, state, json_extract(spec, '$.image') AS image,
      json_extract(spec, '$.resources.vcpus') AS vcpus, json_extract(spec, '$.resources.memoryMiB') AS memory_mib,
      submitted_at_ms, started_at_ms, ended_at_ms, cost_micro`

    /** Visible jobs submitted before the period's end that had not ended before its start. */
    const jobsAround = (scope: Scope, period: Period) =>
      orDie(Effect.map(sql<JobFactRow>`SELECT ${columns} FROM jobs WHERE ${visibleWhere(scope)}
        AND submitted_at_ms < ${period.toMs} AND (ended_at_ms IS NULL OR ended_at_ms >= ${period.fromMs}) ORDER BY id`, (rows) => rows.map(factOf)))

    const visibleJobIds = (scope: Scope) =>
      orDie(Effect.map(sql<{ id: number }>`SELECT id FROM jobs WHERE ${visibleWhere(scope)}`, (rows) => new Set(rows.map((r) => r.id))))

    /** The traffic the caller's figures count: their own, or an admin's whole organisation's. */
    const trafficOf = (principal: Principal, scope: Scope, period: Period) =>
      Effect.gen(function* () {
        if (deps.flushTraffic !== undefined) yield* deps.flushTraffic
        if (period.toMs <= period.fromMs) return [] as Array<TrafficCount>
        const users = scope.standing === "admin" && deps.orgMembers !== undefined ? [...new Set([scope.user, ...(yield* deps.orgMembers(principal))])] : [scope.user]
        return yield* orDie(sql<TrafficCount>`SELECT route, sum(requests) AS requests, sum(bytes_in) AS bytesIn, sum(bytes_out) AS bytesOut
          FROM traffic WHERE ${sql.in("user", users)} AND day >= ${dayOf(period.fromMs)} AND day <= ${dayOf(period.toMs - 1)} GROUP BY route ORDER BY route`)
      })

    /** What is held in escrow from the account for jobs the caller may see. */
    const escrowMicro = (scope: Scope, visible: ReadonlySet<number>) =>
      book.openEscrows()
        .filter((e) => e.payer === scope.account && (seesWholeAccount(scope) || visible.has(e.job)))
        .reduce((s, e) => s + e.remaining, 0)

    const visibleEntries = (scope: Scope) => Effect.map(visibleJobIds(scope), (visible) => accountEntries(book.entries, scope, visible))

    const nodeRows = (nodes: ReadonlyArray<number>) =>
      nodes.length === 0
        ? Effect.succeed([] as Array<{ id: number; spec: string }>)
        : orDie(sql<{ id: number; spec: string }>`SELECT id, spec FROM nodes WHERE ${sql.in("id", nodes)}`)

    const api: InsightsApiShape = {
      dashboard: (principal, period) =>
        Effect.gen(function* () {
          const scope = scopeOf(principal)
          const jobs = (yield* jobsAround(scope, period)).filter((j) => within(period, j.submittedAtMs))
          const visible = yield* visibleJobIds(scope)
          const byState = countByState(jobs)
          return {
            fromMs: period.fromMs,
            toMs: period.toMs,
            jobs: { total: jobs.length, byState, failureRate: failureRate(byState) },
            traffic: sumTraffic(yield* trafficOf(principal, scope, period)),
            expensesCredits: creditsFromMicroCredits(chargesMicro(book.entries, visible, period)),
            balanceCredits: creditsFromMicroCredits(book.balance(scope.account)),
            escrowCredits: creditsFromMicroCredits(escrowMicro(scope, visible))
          }
        }),

      analytics: (principal, period, bucketMs) =>
        Effect.gen(function* () {
          const scope = scopeOf(principal)
          const around = yield* jobsAround(scope, period)
          const jobs = around.filter((j) => within(period, j.submittedAtMs))
          const visible = yield* visibleJobIds(scope)
          const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
          return {
            fromMs: period.fromMs,
            toMs: period.toMs,
            bucketMs,
            requestsByRoute: requestsByRoute(yield* trafficOf(principal, scope, period)),
            jobsByState: jobsByState(jobs),
            jobsByImage: jobsByImage(jobs),
            utilisation: utilisation(around, period, bucketMs, now),
            monthlyCost: monthlyCost(book.entries, visible, period),
            keyMetrics: keyMetrics(jobs)
          }
        }),

      billing: (principal) =>
        Effect.gen(function* () {
          const scope = scopeOf(principal)
          const visible = yield* visibleJobIds(scope)
          const entries = accountEntries(book.entries, scope, visible)
          return {
            account: scope.account,
            balanceCredits: creditsFromMicroCredits(book.balance(scope.account)),
            escrowCredits: creditsFromMicroCredits(escrowMicro(scope, visible)),
            canTopUp: seesWholeAccount(scope),
            entries: entries.reverse().map((e): BillingEntry => ({
              seq: e.seq, atMs: e.timeMs, kind: e.kind, amountCredits: creditsFromMicroCredits(netOn(e, scope.account)), memo: e.memo, job: jobOfEntry(e)
            }))
          }
        }),

      topUp: (principal, credits, key) =>
        Effect.gen(function* () {
          const scope = scopeOf(principal)
          if (!seesWholeAccount(scope)) return yield* new OrgAdminOnly({ action: "buy credits", org: principal.org?.name ?? scope.payer })
          if (!Number.isFinite(credits) || credits <= 0 || credits > topUpCreditsMax) {
            return yield* new InvalidTopUp({ field: "credits", reason: `must be more than 0 and at most ${topUpCreditsMax}` })
          }
          const microCredits = microCreditsFromCredits(credits)
          if (microCredits < 1) return yield* new InvalidTopUp({ field: "credits", reason: "must be at least 0.000001" })
          if (key !== undefined && (key.trim() === "" || key.length > topUpKeyLengthMax)) {
            return yield* new InvalidTopUp({ field: "key", reason: `must be 1-${topUpKeyLengthMax} characters, not blank` })
          }
          const purchase = key ?? randomUUID()
          // Keys are the payer's own: another account's purchase with the same key is another purchase.
          const result = yield* deps.step({ _tag: "TopUp", borrower: scope.payer as never, microCredits, key: `${scope.payer}/${purchase}` })
          if (result._tag === "Refused") {
            if (result.error._tag === "IdempotencyConflict") return yield* new TopUpConflict({ key: purchase, existingSeq: result.error.existingSeq })
            return yield* Effect.dieMessage(`top-up refused: ${result.error.message}`)
          }
          return { balanceCredits: creditsFromMicroCredits(book.balance(scope.account)), key: purchase }
        }),

      invoices: (principal) =>
        Effect.map(visibleEntries(scopeOf(principal)), (entries) => invoices(entries, scopeOf(principal).account).reverse()),

      invoiceCsv: (principal, month) =>
        Effect.gen(function* () {
          const scope = scopeOf(principal)
          const entries = (yield* visibleEntries(scope)).filter((e) => monthOf(e.timeMs) === month)
          if (entries.length === 0) return yield* new UnknownInvoice({ month })
          return invoiceCsv(entries, scope.account)
        }),

      auditLedger: () =>
        Effect.gen(function* () {
          const head = book.head
          const stored = yield* orDie(deps.ledgerStore.read(1, Math.max(1, head.seq + 1)))
          const checked = verifyLedger(stored, { expectedHead: head })
          return Either.match(checked, {
            onLeft: (e) => ({ ok: false, entries: stored.length, headSeq: head.seq, headHash: head.hash, problem: { seq: e.seq, kind: e.problem, message: e.message } }),
            onRight: (v) => ({ ok: true, entries: v.count, headSeq: v.head.seq, headHash: v.head.hash, problem: null })
          })
        }),

      lender: (principal) =>
        Effect.gen(function* () {
          const owned = yield* orDie(sql<{ node: number; created_at_ms: number }>`SELECT node, created_at_ms FROM node_owners WHERE owner = ${principal.user} ORDER BY node`)
          // The operator's own join tokens (the CLI's) record no owner: those nodes are the operator's.
          const unowned = principal.operator
            ? yield* orDie(sql<{ node: number; created_at_ms: number }>`SELECT id AS node, enrolled_at_ms AS created_at_ms FROM nodes
                WHERE id NOT IN (SELECT node FROM node_owners) ORDER BY id`)
            : []
          const mine = [...owned, ...unowned].sort((a, b) => a.node - b.node)
          const ids = mine.map((m) => m.node)
          const specs = new Map((yield* nodeRows(ids)).map((r) => [r.id, JSON.parse(r.spec) as { region: string }]))
          const served = new Map((ids.length === 0 ? [] : yield* orDie(sql<{ node: number; n: number }>`SELECT node, count(*) AS n FROM jobs
            WHERE ${sql.in("node", ids)} AND state IN ('succeeded', 'failed') GROUP BY node`)).map((r) => [r.node, r.n]))
          const connected = new Set<number>(yield* deps.endpoint.connectedNodes)
          const c = machine.coordinator.cluster
          const nodes = mine.map(({ node: i, created_at_ms }): LenderNode => {
            const enrolled = i < c.count
            const spec = specs.get(i)
            return {
              id: i as NodeId,
              enrolled,
              online: enrolled && c.online[i] === 1 && connected.has(i),
              region: spec?.region ?? null,
              vcpus: enrolled ? c.capCpu[i]! : 0,
              memoryMiB: enrolled ? c.capMem[i]! : 0,
              uptimeFraction: enrolled ? machine.market.reputation.view(i).uptime : 0,
              jobsServed: served.get(i) ?? 0,
              earningsCredits: creditsFromMicroCredits(book.balance(lenderAccount(i))),
              reputation: enrolled ? c.reputation[i]! : 0,
              lastSeenMs: enrolled ? machine.coordinator.lastSeen(i) : null,
              joinedAtMs: created_at_ms
            }
          })
          const sum = (f: (n: LenderNode) => number) => nodes.reduce((s, n) => s + f(n), 0)
          return {
            nodes,
            totals: {
              nodes: nodes.length,
              online: nodes.filter((n) => n.online).length,
              vcpus: sum((n) => n.vcpus),
              memoryMiB: sum((n) => n.memoryMiB),
              jobsServed: sum((n) => n.jobsServed),
              earningsCredits: creditsFromMicroCredits(ids.reduce((s, i) => s + book.balance(lenderAccount(i)), 0))
            }
          }
        }),

      createLenderJoinToken: (principal) =>
        Effect.gen(function* () {
          const nodeId = yield* deps.nextNodeId().pipe(Effect.provideService(SqlClient.SqlClient, sql))
          const token = yield* orDie(deps.endpoint.createJoinToken(nodeId))
          const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
          yield* orDie(sql`INSERT INTO node_owners (node, owner, created_at_ms) VALUES (${nodeId}, ${principal.user}, ${now})`)
          return { nodeId, token, command: `crowdcloud agent --join ${deps.endpoint.host}:${deps.endpoint.joinPort} --token ${token}` }
        })
    }
    return api
  })
