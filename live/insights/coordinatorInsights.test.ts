import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import type { JobId } from "../../core/domain/ids.ts"
import { parseCsv } from "./csv.testing.ts"
import { parseMicroCredits } from "./invoiceCsv.ts"
import { openTestCluster, orgPrincipal, personal, type TestCluster } from "./testing.ts"
import { jobVisible, scopeOf } from "./visibility.ts"

const at = (month: number, day: number, hour = 0, minute = 0) => Date.UTC(2026, month, day, hour, minute)
const micro = 1_000_000

const alice = personal("alice")
const eve = personal("eve")
const ada = orgPrincipal("ada", "org.acme", "admin")
const mo = orgPrincipal("mo", "org.acme", "member")
const bob = orgPrincipal("bob", "org.acme", "member")
const oz = orgPrincipal("oz", "org.other", "admin")
const lena = personal("lena")
const operator = { ...personal("admin"), operator: true }

const jan = { fromMs: at(0, 1), toMs: at(1, 1) }
const feb = { fromMs: at(1, 1), toMs: at(2, 1) }
const both = { fromMs: at(0, 1), toMs: at(2, 1) }

/**
 * Two months of a small cluster: lena lends node 0 (by her join token), the operator node 1. Alice
 * (personal) runs a job in January that succeeds and one in February still running; acme's member
 * mo runs one in January, its admin ada one in February that fails, member bob one he cancels; eve
 * (personal) one that succeeds. Alice and ada buy credits.
 */
const history = Effect.gen(function* () {
  const c = yield* openTestCluster
  yield* c.at(at(0, 1))
  const token = yield* c.insights.createLenderJoinToken(lena)
  yield* c.addNode("eu")
  yield* c.addNode("us")
  for (const b of ["alice", "org.acme", "eve"]) yield* c.fund(b)

  const run = (job: JobId, startAt: number, endAt: number | null, outcome: "succeeded" | "failed" = "succeeded") =>
    Effect.gen(function* () {
      yield* c.at(startAt)
      yield* c.start(job)
      if (endAt === null) return
      yield* c.at(endAt)
      yield* c.finish(job, outcome, endAt - startAt)
    })
  yield* c.at(at(0, 10, 9))
  const a0 = yield* c.submit("alice")
  yield* run(a0, at(0, 10, 9, 1), at(0, 10, 10, 1))
  yield* c.at(at(0, 15))
  yield* c.insights.topUp(alice, 50, "k1")
  yield* c.at(at(0, 20, 12))
  const m1 = yield* c.submit("mo", { payer: "org.acme", vcpus: 2, image: "python" })
  yield* run(m1, at(0, 20, 12, 1), at(0, 20, 12, 31))
  yield* c.at(at(1, 2, 8))
  const d2 = yield* c.submit("ada", { payer: "org.acme" })
  yield* run(d2, at(1, 2, 8, 1), at(1, 2, 8, 11), "failed")
  yield* c.at(at(1, 3))
  yield* c.insights.topUp(ada, 100)
  yield* c.at(at(1, 5))
  const b3 = yield* c.submit("bob", { payer: "org.acme" })
  yield* c.cancel(b3)
  yield* c.at(at(1, 10, 10))
  const a4 = yield* c.submit("alice", { memoryMiB: 512 })
  yield* run(a4, at(1, 10, 10, 5), null)
  yield* c.at(at(1, 11))
  const e5 = yield* c.submit("eve")
  yield* run(e5, at(1, 11, 0, 1), at(1, 11, 0, 2))
  yield* c.at(at(1, 20))
  return { c, token, jobs: { a0, m1, d2, b3, a4, e5 }, grant: c.machine.settings.economy.grantPerBorrower * micro }
})

const costMicro = (c: TestCluster, job: number) =>
  Effect.map(c.run(Effect.flatMap(c.sql, (sql) => sql<{ cost_micro: number }>`SELECT cost_micro FROM jobs WHERE id = ${job}`)), (rows) => rows[0]!.cost_micro)

describe("InsightsApi over the coordinator", () => {
  it.scoped("the dashboard counts each caller's jobs of the period, their failure rate, expenses, balance and escrow", () =>
    Effect.gen(function* () {
      const { c, jobs, grant } = yield* history
      const cost0 = yield* costMicro(c, jobs.a0)
      expect(cost0).toBeGreaterThan(0)

      const aliceJan = yield* c.insights.dashboard(alice, jan)
      expect(aliceJan.jobs).toEqual({ total: 1, byState: { succeeded: 1 }, failureRate: 0 })
      expect(aliceJan.expensesCredits * micro).toBeCloseTo(cost0, 3)
      const aliceFeb = yield* c.insights.dashboard(alice, feb)
      expect(aliceFeb.jobs).toEqual({ total: 1, byState: { running: 1 }, failureRate: 0 })
      expect(aliceFeb.expensesCredits).toBe(0)
      // The running job's maximum is held; what is left plus the escrow is the grant, the purchase, less the charge.
      const held = c.machine.book.escrow(jobs.a4)!.remaining
      expect(aliceFeb.escrowCredits * micro).toBeCloseTo(held, 3)
      expect(Math.round((aliceFeb.balanceCredits + aliceFeb.escrowCredits) * micro)).toBe(grant + 50 * micro - cost0)

      const adaFeb = yield* c.insights.dashboard(ada, feb)
      expect(adaFeb.jobs).toEqual({ total: 2, byState: { failed: 1, cancelled: 1 }, failureRate: 1 })
      const moFeb = yield* c.insights.dashboard(mo, feb)
      expect(moFeb.jobs.total).toBe(0)
      const moJan = yield* c.insights.dashboard(mo, jan)
      expect(moJan.jobs).toEqual({ total: 1, byState: { succeeded: 1 }, failureRate: 0 })
      // A member sees the organisation's balance, not only what their jobs left of it.
      expect(moJan.balanceCredits).toBe(adaFeb.balanceCredits)
      const adaBoth = yield* c.insights.dashboard(ada, both)
      const orgCharges = (yield* costMicro(c, jobs.m1)) + (yield* costMicro(c, jobs.d2)) + (yield* costMicro(c, jobs.b3))
      expect(Math.round(adaBoth.expensesCredits * micro)).toBe(orgCharges)
      expect(Math.round(adaBoth.balanceCredits * micro)).toBe(grant + 100 * micro - orgCharges)
      expect(adaBoth.escrowCredits).toBe(0)

      const ozBoth = yield* c.insights.dashboard(oz, both)
      expect(ozBoth.jobs.total).toBe(0)
      expect([ozBoth.balanceCredits, ozBoth.expensesCredits, ozBoth.escrowCredits]).toEqual([0, 0, 0])
    }))

  it.scoped("the jobs each caller is shown are exactly those the visibility rule allows", () =>
    Effect.gen(function* () {
      const { c } = yield* history
      const all = yield* c.run(Effect.flatMap(c.sql, (sql) => sql<{ id: number; owner: string; payer: string | null }>`SELECT id, owner, json_extract(spec, '$.payer') AS payer FROM jobs`))
      for (const p of [alice, eve, ada, mo, bob, oz, lena]) {
        const shown = (yield* c.insights.dashboard(p, both)).jobs.total
        expect(shown).toBe(all.filter((j) => jobVisible(scopeOf(p), j.owner, j.payer)).length)
      }
      expect(all.filter((j) => jobVisible(scopeOf(ada), j.owner, j.payer)).map((j) => j.owner).sort()).toEqual(["ada", "bob", "mo"])
    }))

  it.scoped("traffic on the dashboard and in analytics is the caller's own (an admin's: the organisation's), of the period's days", () =>
    Effect.gen(function* () {
      const { c } = yield* history
      yield* c.at(at(0, 31, 23, 59))
      yield* c.meter.record(alice.user, "GET /api/jobs", 10, 1000)
      yield* c.meter.record(alice.user, "POST /api/jobs", 400, 300)
      yield* c.meter.record(mo.user, "GET /api/jobs", 1, 1)
      yield* c.at(at(1, 1, 0, 1))
      yield* c.meter.record(alice.user, "GET /api/jobs", 20, 2000)
      // Read at once: the dashboard does not wait for the meter's timer.
      expect((yield* c.insights.dashboard(alice, jan)).traffic).toEqual({ requests: 2, bytesIn: 410, bytesOut: 1300 })
      expect((yield* c.insights.dashboard(alice, feb)).traffic).toEqual({ requests: 1, bytesIn: 20, bytesOut: 2000 })
      expect((yield* c.insights.analytics(alice, both, 86_400_000)).requestsByRoute).toEqual([{ label: "GET /api/jobs", value: 2 }, { label: "POST /api/jobs", value: 1 }])
      // An admin counts the organisation's members' requests; a member only their own.
      expect((yield* c.insights.dashboard(ada, both)).traffic.requests).toBe(0)
      c.orgMembers.set("org.acme", ["ada", "mo", "bob"])
      expect((yield* c.insights.dashboard(ada, both)).traffic).toEqual({ requests: 1, bytesIn: 1, bytesOut: 1 })
      expect((yield* c.insights.dashboard(mo, both)).traffic.requests).toBe(1)
      expect((yield* c.insights.dashboard(bob, both)).traffic.requests).toBe(0)
    }))

  it.scoped("analytics: breakdowns, utilisation over time, monthly cost and key metrics of the caller's jobs", () =>
    Effect.gen(function* () {
      const { c, jobs } = yield* history
      const window = { fromMs: at(0, 10, 9), toMs: at(0, 10, 12) }
      const a = yield* c.insights.analytics(alice, window, 3600_000)
      // Alice's January job held 1 vCPU and 256 MiB from 09:01 to 10:01.
      expect(a.utilisation.map((p) => p.tMs)).toEqual([at(0, 10, 9), at(0, 10, 10), at(0, 10, 11)])
      expect(a.utilisation[0]!.vcpus).toBeCloseTo(59 / 60, 9)
      expect(a.utilisation[1]!.memoryMiB).toBeCloseTo(256 / 60, 9)
      expect(a.utilisation[2]!.runningJobs).toBe(0)
      expect(a.keyMetrics).toEqual({ jobs: 1, succeeded: 1, failed: 0, meanRunS: 3600, meanWaitS: 60, costCredits: (yield* costMicro(c, jobs.a0)) / micro })

      const b = yield* c.insights.analytics(alice, both, 7 * 86_400_000)
      expect(b.jobsByState).toEqual([{ label: "running", value: 1 }, { label: "succeeded", value: 1 }])
      expect(b.monthlyCost).toEqual([{ month: "2026-01", credits: (yield* costMicro(c, jobs.a0)) / micro }, { month: "2026-02", credits: 0 }])
      // The running job counts up to now (20 February) in the last buckets.
      expect(b.utilisation.at(-1)!.vcpus).toBe(0)
      expect(b.utilisation.some((p) => p.memoryMiB > 256)).toBe(true)

      const d = yield* c.insights.analytics(ada, both, 86_400_000)
      expect(d.jobsByImage).toEqual([{ label: "busybox", value: 2 }, { label: "python", value: 1 }])
      expect(d.keyMetrics.failed).toBe(1)
      const m = yield* c.insights.analytics(mo, both, 86_400_000)
      expect(m.jobsByImage).toEqual([{ label: "python", value: 1 }])
    }))

  it.scoped("billing: a person and an admin see every entry of their account; a member only their own jobs' and cannot top up", () =>
    Effect.gen(function* () {
      const { c, jobs } = yield* history
      const touching = (account: string) => c.machine.book.entries.filter((e) => e.postings.some((p) => p.account === account)).map((e) => e.seq).reverse()
      const a = yield* c.insights.billing(alice)
      expect(a.account).toBe("user:alice")
      expect(a.canTopUp).toBe(true)
      expect(a.entries.map((e) => e.seq)).toEqual(touching("user:alice"))
      expect(a.entries.map((e) => e.kind).sort()).toEqual(["grant", "hold", "hold", "release", "top-up"])
      const d = yield* c.insights.billing(ada)
      expect(d.account).toBe("user:org.acme")
      expect(d.entries.map((e) => e.seq)).toEqual(touching("user:org.acme"))
      const m = yield* c.insights.billing(mo)
      expect(m.canTopUp).toBe(false)
      expect(m.balanceCredits).toBe(d.balanceCredits)
      expect(m.entries.length).toBeGreaterThan(0)
      expect(new Set(m.entries.map((e) => e.job))).toEqual(new Set([jobs.m1]))
      const o = yield* c.insights.billing(oz)
      expect(o.entries).toEqual([])

      const refused = yield* Effect.exit(c.insights.topUp(mo, 10))
      expect(Exit.isFailure(refused) && refused.cause._tag === "Fail" && refused.cause.error._tag).toBe("OrgAdminOnly")
      expect((yield* c.insights.billing(ada)).balanceCredits).toBe(d.balanceCredits)
    }))

  it.scoped("a top-up twice with one key credits once; the key for another amount is a conflict; another payer's same key is their own purchase", () =>
    Effect.gen(function* () {
      const { c } = yield* history
      const before = c.machine.book.balance("user:eve")
      const first = yield* c.insights.topUp(eve, 12.5, "p1")
      const again = yield* c.insights.topUp(eve, 12.5, "p1")
      expect(first.key).toBe("p1")
      expect(again.balanceCredits).toBe(first.balanceCredits)
      expect(c.machine.book.balance("user:eve")).toBe(before + 12.5 * micro)
      const conflict = yield* Effect.flip(c.insights.topUp(eve, 13, "p1"))
      expect(conflict._tag).toBe("TopUpConflict")
      const aliceBefore = c.machine.book.balance("user:alice")
      yield* c.insights.topUp(alice, 1, "p1")
      expect(c.machine.book.balance("user:alice")).toBe(aliceBefore + micro)
      // Without a key each purchase is new.
      yield* c.insights.topUp(eve, 1)
      yield* c.insights.topUp(eve, 1)
      expect(c.machine.book.balance("user:eve")).toBe(before + 14.5 * micro)
      for (const credits of [0, -1, 1_000_001, Number.NaN, 1e-9]) {
        const bad = yield* Effect.flip(c.insights.topUp(eve, credits))
        expect([bad._tag, bad._tag === "InvalidTopUp" && bad.field]).toEqual(["InvalidTopUp", "credits"])
      }
    }))

  it.scoped("invoices: one per month of the account's entries; each CSV parses back to its entries and a total that sums them", () =>
    Effect.gen(function* () {
      const { c, jobs, grant } = yield* history
      const list = yield* c.insights.invoices(alice)
      expect(list.map((i) => i.month)).toEqual(["2026-02", "2026-01"])
      expect(Math.round(list.reduce((s, i) => s + i.totalCredits, 0) * micro)).toBe(c.machine.book.balance("user:alice"))
      const jan = list.find((i) => i.month === "2026-01")!
      expect(Math.round(jan.totalCredits * micro)).toBe(grant + 50 * micro - (yield* costMicro(c, jobs.a0)))
      expect(jan.jobs).toBe(1)

      const rows = parseCsv(yield* c.insights.invoiceCsv(alice, "2026-01"))
      const entries = c.machine.book.entries.filter((e) => e.postings.some((p) => p.account === "user:alice") && e.timeMs < at(1, 1))
      expect(rows.slice(1, -1).map((r) => Number(r[1]))).toEqual(entries.map((e) => e.seq))
      expect(rows.slice(1, -1).map((r) => r[0])).toEqual(entries.map((e) => new Date(e.timeMs).toISOString()))
      expect(parseMicroCredits(rows.at(-1)![5]!)).toBe(Math.round(jan.totalCredits * micro))

      expect((yield* Effect.flip(c.insights.invoiceCsv(alice, "2026-03")))._tag).toBe("UnknownInvoice")
      // A member's invoice holds their own jobs' charges only; another org has none.
      const moRows = parseCsv(yield* c.insights.invoiceCsv(mo, "2026-01")).slice(1, -1)
      expect(new Set(moRows.map((r) => r[3]))).toEqual(new Set([String(jobs.m1)]))
      expect((yield* Effect.flip(c.insights.invoiceCsv(mo, "2026-02")))._tag).toBe("UnknownInvoice")
      expect(yield* c.insights.invoices(oz)).toEqual([])
    }))

  it.scoped("the audit reports the stored chain ok, and names the entry whose stored bytes were altered", () =>
    Effect.gen(function* () {
      const { c } = yield* history
      const good = yield* c.insights.auditLedger(alice)
      expect(good).toEqual({ ok: true, entries: c.machine.book.head.seq, headSeq: c.machine.book.head.seq, headHash: c.machine.book.head.hash, problem: null })
      yield* c.run(Effect.flatMap(c.sql, (sql) => Effect.gen(function* () {
        const [row] = yield* sql<{ body: Uint8Array }>`SELECT body FROM ledger_entries WHERE seq = 4`
        const body = new Uint8Array(row!.body)
        body[body.length - 1] ^= 1
        yield* sql`UPDATE ledger_entries SET body = ${body} WHERE seq = 4`
      })))
      const bad = yield* c.insights.auditLedger(alice)
      expect(bad.ok).toBe(false)
      expect(bad.problem).toMatchObject({ seq: 4, kind: "altered" })
      yield* c.run(Effect.flatMap(c.sql, (sql) => sql`DELETE FROM ledger_entries WHERE seq = ${c.machine.book.head.seq}`))
      expect((yield* c.insights.auditLedger(alice)).ok).toBe(false)
    }))

  it.scoped("lenders see their own nodes with state, jobs served, earnings and reputation; a new join token is the caller's node", () =>
    Effect.gen(function* () {
      const { c, token } = yield* history
      expect(token.nodeId).toBe(0)
      expect(token.command).toBe(`crowdcloud agent --join 127.0.0.1:7001 --token ${token.token}`)
      const l = yield* c.insights.lender(lena)
      expect(l.nodes.map((n) => n.id)).toEqual([0])
      const n = l.nodes[0]!
      const served = yield* c.run(Effect.flatMap(c.sql, (sql) => sql<{ n: number }>`SELECT count(*) AS n FROM jobs WHERE node = 0 AND state IN ('succeeded', 'failed')`))
      const paid = c.machine.book.entries.flatMap((e) => e.postings).filter((p) => p.account === "lender:0").reduce((s, p) => s + p.amount, 0)
      expect(n).toMatchObject({ enrolled: true, online: true, region: "eu", vcpus: 4, memoryMiB: 4096, jobsServed: served[0]!.n })
      expect(n.jobsServed).toBeGreaterThan(0)
      expect(Math.round(n.earningsCredits * micro)).toBe(paid)
      expect(n.earningsCredits).toBeGreaterThan(0)
      expect(n.reputation).toBe(c.machine.coordinator.cluster.reputation[0])
      expect(l.totals).toMatchObject({ nodes: 1, online: 1, jobsServed: n.jobsServed, earningsCredits: n.earningsCredits })
      c.connected.delete(0 as never)
      expect((yield* c.insights.lender(lena)).nodes[0]!.online).toBe(false)

      // The operator's CLI tokens record no owner: node 1 is the operator's.
      expect((yield* c.insights.lender(operator)).nodes.map((x) => x.id)).toEqual([1])
      expect((yield* c.insights.lender(alice)).nodes).toEqual([])
      const mine = yield* c.insights.createLenderJoinToken(alice)
      const pending = (yield* c.insights.lender(alice)).nodes
      expect(pending).toEqual([expect.objectContaining({ id: mine.nodeId, enrolled: false, online: false, jobsServed: 0, earningsCredits: 0 })])
      expect((yield* c.insights.lender(lena)).nodes.map((x) => x.id)).toEqual([0])
    }))
})
