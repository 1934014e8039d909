import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import type { AccountId, MicroCredits } from "../../core/ledger/accounts.ts"
import { LedgerBook } from "../../core/ledger/LedgerBook.ts"
import type { IdempotencyKey, LedgerRequest } from "../../core/ledger/requests.ts"
import { parseCsv } from "./csv.testing.ts"
import { failureRate, invoices, type JobFact, monthOf, monthsOf, utilisation } from "./figures.ts"
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
