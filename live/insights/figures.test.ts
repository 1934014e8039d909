import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { defaultCoordinatorConfig } from "../../core/coordinator/Coordinator.ts"
import type { JobId, NodeId, RegionId, UserId } from "../../core/domain/ids.ts"
import { defaultEconomySettings } from "../../core/economy/settings.ts"
import type { AccountId, MicroCredits } from "../../core/ledger/accounts.ts"
import { LedgerBook } from "../../core/ledger/LedgerBook.ts"
import type { IdempotencyKey, LedgerRequest } from "../../core/ledger/requests.ts"
import { ClusterMachine } from "../coordinator/ClusterMachine.ts"
import type { CoordinatorInput } from "../coordinator/inputs.ts"
import { parseCsv } from "./csv.testing.ts"
import { chargesMicro, failureRate, invoices, type JobFact, monthlyCost, monthOf, monthsOf, utilisation } from "./figures.ts"
import { formatMicroCredits, invoiceCsv, invoiceHeader, parseMicroCredits } from "./invoiceCsv.ts"
import { accountEntries, jobOfEntry, netOn, scopeOf } from "./visibility.ts"
import { orgPrincipal, personal } from "./testing.ts"

const day = 86_400_000
const start2026 = Date.UTC(2026, 0, 1)

/**
 * A random book over two payers (a person and an organisation) and a year of time: grants, top-ups,
 * holds for jobs (numbered by submitter: even ids are the member's), partial settlements and releases.
 */
const history = fc.array(
  fc.record({
    kind: fc.constantFrom("grant", "topup", "job"),
    payer: fc.constantFrom("user:alice", "user:org.acme"),
    amount: fc.integer({ min: 1, max: 5_000_000 }),
    paidShare: fc.double({ min: 0, max: 1, noNaN: true }),
    gapMs: fc.integer({ min: 0, max: 20 * day }),
    memo: fc.string()
  }),
  { maxLength: 40 }
)

const bookOf = (steps: typeof history extends fc.Arbitrary<infer T> ? T : never) => {
  const book = new LedgerBook()
  let t = start2026
  let job = 0
  const apply = (r: LedgerRequest) => Either.getOrThrow(book.apply(r, t))
  for (const [i, s] of steps.entries()) {
    t += s.gapMs
    const key = (k: string) => `${k}:${i}` as IdempotencyKey
    const payer = s.payer as AccountId
    if (s.kind !== "job") {
      apply({ _tag: s.kind === "grant" ? "Grant" : "TopUp", key: key(s.kind), to: payer, amount: s.amount as MicroCredits, memo: s.memo })
      continue
    }
    if (book.balance(payer) < s.amount) continue
    const j = job++
    apply({ _tag: "Hold", key: key("hold"), job: j, payer, amount: s.amount as MicroCredits })
    t += s.gapMs
    const paid = Math.floor(s.amount * s.paidShare)
    const fee = Math.floor(paid / 10)
    if (paid > 0) apply({ _tag: "Settle", key: key("settle"), job: j, lender: "lender:0" as AccountId, lenderAmount: (paid - fee) as MicroCredits, platformFee: fee as MicroCredits })
    apply({ _tag: "Release", key: key("release"), job: j })
  }
  return book
}

describe("figures", () => {
  it("months of a period run across the year's end and exclude the month the period ends at", () => {
    expect(monthsOf({ fromMs: Date.UTC(2025, 10, 30), toMs: Date.UTC(2026, 1, 1) })).toEqual(["2025-11", "2025-12", "2026-01"])
    expect(monthsOf({ fromMs: Date.UTC(2026, 1, 1), toMs: Date.UTC(2026, 1, 1) })).toEqual([])
    expect(monthOf(Date.UTC(2026, 0, 31, 23, 59, 59, 999))).toBe("2026-01")
  })

  it("the failure rate counts failed and lost jobs among those that ended, leaving cancelled ones out", () => {
    expect(failureRate({ succeeded: 3, failed: 1, cancelled: 5, running: 2 })).toBe(0.25)
    expect(failureRate({ lost: 1, failed: 1 })).toBe(1)
    expect(failureRate({ cancelled: 2 })).toBe(0)
  })

  it("utilisation spreads each job's running time over the buckets exactly (integral conserved)", () => {
    const job = fc.record({
      startedAtMs: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null }),
      runMs: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null }),
      vcpus: fc.integer({ min: 1, max: 8 })
    })
    fc.assert(fc.property(fc.array(job, { maxLength: 20 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 25_000 }),
      (specs, fromMs, spanMs, bucketMs, nowMs) => {
        const period = { fromMs, toMs: fromMs + spanMs }
        const jobs: Array<JobFact> = specs.map((s, id) => ({
          id, owner: "a", payer: null, state: "running", image: "busybox", vcpus: s.vcpus, memoryMiB: 2 * s.vcpus,
          submittedAtMs: 0, startedAtMs: s.startedAtMs, endedAtMs: s.startedAtMs !== null && s.runMs !== null ? s.startedAtMs + s.runMs : null, costMicro: 0
        }))
        const points = utilisation(jobs, period, bucketMs, nowMs)
        expect(points.length).toBe(Math.ceil(spanMs / bucketMs))
        const integral = points.reduce((s, p) => s + p.vcpus * (Math.min(p.tMs + bucketMs, period.toMs) - p.tMs), 0)
        const expected = jobs.reduce((s, j) => {
          if (j.startedAtMs === null) return s
          const end = Math.min(j.endedAtMs ?? Math.max(nowMs, j.startedAtMs), period.toMs)
          return s + Math.max(0, end - Math.max(j.startedAtMs, period.fromMs)) * j.vcpus
        }, 0)
        expect(integral).toBeCloseTo(expected, 6)
        for (const p of points) expect(p.memoryMiB).toBeCloseTo(2 * p.vcpus, 9)
      }), { numRuns: 200 })
  })

  it("invoice totals over all months equal the account's balance (its net movement from zero), and each CSV parses back to its entries and total", () => {
    fc.assert(fc.property(history, (steps) => {
      const book = bookOf(steps)
      for (const account of ["user:alice", "user:org.acme"]) {
        const entries = book.entries.filter((e) => e.postings.some((p) => p.account === account))
        const months = invoices(entries, account)
        const totalMicro = months.reduce((s, m) => s + Math.round(m.totalCredits * 1_000_000), 0)
        expect(totalMicro).toBe(book.balance(account))
        expect(months.reduce((s, m) => s + m.entries, 0)).toBe(entries.length)
        for (const m of months) {
          const ofMonth = entries.filter((e) => monthOf(e.timeMs) === m.month)
          const rows = parseCsv(invoiceCsv(ofMonth, account))
          expect(rows[0]).toEqual([...invoiceHeader])
          const body = rows.slice(1, -1)
          expect(body.map((r) => [Date.parse(r[0]!), Number(r[1]), r[2], r[3] === "" ? null : Number(r[3]), r[4], parseMicroCredits(r[5]!)]))
            .toEqual(ofMonth.map((e) => [e.timeMs, e.seq, e.kind, jobOfEntry(e), e.memo, netOn(e, account)]))
          const total = rows.at(-1)!
          expect(total[0]).toBe("total")
          expect(parseMicroCredits(total[5]!)).toBe(body.reduce((s, r) => s + parseMicroCredits(r[5]!), 0))
          expect(parseMicroCredits(total[5]!)).toBe(Math.round(m.totalCredits * 1_000_000))
        }
      }
    }), { numRuns: 150 })
  })

  it("a member's ledger view is the account's entries for their own jobs only; an admin's and a person's is all of it", () => {
    fc.assert(fc.property(history, (steps) => {
      const book = bookOf(steps)
      const own = new Set(Array.from({ length: 40 }, (_, i) => i).filter((j) => j % 2 === 0))
      const member = accountEntries(book.entries, scopeOf(orgPrincipal("mo", "org.acme", "member")), own)
      const admin = accountEntries(book.entries, scopeOf(orgPrincipal("ada", "org.acme", "admin")), own)
      const alice = accountEntries(book.entries, scopeOf(personal("alice")), own)
      const touching = (a: string) => book.entries.filter((e) => e.postings.some((p) => p.account === a))
      expect(admin).toEqual(touching("user:org.acme"))
      expect(alice).toEqual(touching("user:alice"))
      expect(member).toEqual(touching("user:org.acme").filter((e) => jobOfEntry(e) !== null && own.has(jobOfEntry(e)!)))
      expect(member.every((e) => e.kind === "hold" || e.kind === "release")).toBe(true)
    }), { numRuns: 100 })
  })

  it("amounts are written as exact decimal credits and read back exactly", () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), (micro) => {
      expect(parseMicroCredits(formatMicroCredits(micro))).toBe(micro)
    }))
    expect(formatMicroCredits(-1_500_000)).toBe("-1.500000")
    expect(formatMicroCredits(7)).toBe("0.000007")
  })
})

describe("figures over the coordinator's own machine", () => {
  const settings = { policy: "fcfs", seed: 3, config: { ...defaultCoordinatorConfig, heartbeatTimeoutMs: 1000 }, economy: defaultEconomySettings }
  const node = (id: number) => ({ id: id as NodeId, resources: { vcpus: 2, memoryMiB: 2048, diskMiB: 2048 }, speed: 1, region: "local" as RegionId, askingPrice: 1 })
  const submit = (owner: string, payer: string | undefined): CoordinatorInput => ({
    _tag: "Submit",
    request: {
      owner: owner as UserId, ...(payer !== undefined ? { payer: payer as UserId } : {}),
      resources: { vcpus: 1, memoryMiB: 256, diskMiB: 64 }, requestedTimeMs: 600_000, workMs: 600_000, image: "busybox", command: ["true"], replication: 1
    }
  })
  const input = fc.oneof(
    fc.constantFrom<[string, string | undefined]>(["alice", undefined], ["mo", "org.acme"], ["ada", "org.acme"]).map(([o, p]) => submit(o, p)),
    fc.record({ borrower: fc.constantFrom("alice", "org.acme"), micro: fc.integer({ min: 1, max: 50_000_000 }), key: fc.string({ minLength: 1, maxLength: 3 }) })
      .map(({ borrower, micro, key }): CoordinatorInput => ({ _tag: "TopUp", borrower: borrower as UserId, microCredits: micro, key })),
    fc.nat(15).map((job): CoordinatorInput => ({ _tag: "Cancel", job: job as JobId })),
    // An agent's report on one of the jobs placed now (picked at apply time), so most reports land.
    fc.record({ pick: fc.nat(), ok: fc.boolean(), wallMs: fc.integer({ min: 0, max: 600_000 }) }).map((r) => ({ _tag: "Finish" as const, ...r }))
  )
  type Step = CoordinatorInput | { readonly _tag: "Finish"; readonly pick: number; readonly ok: boolean; readonly wallMs: number }
  const resolve = (m: ClusterMachine, step: Step): CoordinatorInput | undefined => {
    if (step._tag !== "Finish") return step
    const j = m.coordinator.jobs
    const live = Array.from({ length: j.count }, (_, i) => i).filter((i) => m.coordinator.status(i) === "placed" || m.coordinator.status(i) === "running")
    if (live.length === 0) return undefined
    const job = live[step.pick % live.length]!
    return {
      _tag: "FromAgent",
      message: { _tag: "JobFinished", nodeId: j.node[job]! as NodeId, jobId: job as JobId, attempt: j.attempts[job]! - 1, outcome: step.ok ? "succeeded" : "failed", usage: { cpuMs: step.wallMs, wallMs: step.wallMs, memoryMiBMax: 100 } }
    }
  }

  it("invoices add up to each account's balance, a member's to the net of their own jobs' entries, and monthly costs to the settlements", () => {
    fc.assert(fc.property(fc.array(fc.tuple(input, fc.integer({ min: 0, max: 9 * day })), { maxLength: 50 }), (steps) => {
      const m = new ClusterMachine(settings)
      let t = start2026
      for (const spec of [node(0), node(1)]) {
        m.apply({ _tag: "Enroll", spec }, t)
        m.apply({ _tag: "FromAgent", message: { _tag: "Register", node: spec, session: 1 } }, t)
      }
      for (const [step, gap] of steps) {
        const resolved = resolve(m, step)
        if (resolved !== undefined) m.apply(resolved, (t += gap))
      }
      const owners = Array.from({ length: m.coordinator.jobs.count }, (_, j) => m.coordinator.userOf(j))
      const jobsOf = (user: string) => new Set(owners.flatMap((o, j) => (o === user ? [j] : [])))
      const micro = (credits: number) => Math.round(credits * 1_000_000)
      for (const p of [personal("alice"), orgPrincipal("ada", "org.acme", "admin"), orgPrincipal("mo", "org.acme", "member")]) {
        const scope = scopeOf(p)
        const own = jobsOf(p.user)
        const seen = accountEntries(m.book.entries, scope, own)
        const total = invoices(seen, scope.account).reduce((s, i) => s + micro(i.totalCredits), 0)
        if (scope.standing === "member") expect(total).toBe(seen.reduce((s, e) => s + netOn(e, scope.account), 0))
        else expect(total).toBe(m.book.balance(scope.account))
      }
      const all = new Set(owners.map((_, j) => j))
      const whole = { fromMs: start2026, toMs: t + 1 }
      const settled = m.book.entries.filter((e) => e.kind === "settle").flatMap((e) => e.postings).filter((p) => p.account.startsWith("lender:") || p.account === "platform").reduce((s, p) => s + p.amount, 0)
      expect(chargesMicro(m.book.entries, all, whole)).toBe(settled)
      expect(monthlyCost(m.book.entries, all, whole).reduce((s, c) => s + micro(c.credits), 0)).toBe(settled)
    }), { numRuns: 100 })
  })
})
