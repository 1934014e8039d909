// The test suite every LedgerStore must pass, run by the in-memory store's tests here and by the
// SQLite store's tests in live/: random scripts of requests (fast-check) check conservation,
// non-negative balances, escrows that close out exactly, idempotent replays, concurrent
// settlements that never double-spend, reopening, and that any single-byte change to a stored
// entry is caught by the audit.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Option, type Scope } from "effect"
import fc from "fast-check"
import { Account, type AccountId, type MicroCredits } from "./accounts.ts"
import { Ledger, type LedgerCorrupted, type SubmitResult } from "./Ledger.ts"
import type { LedgerStore, LedgerStoreError } from "./LedgerStore.ts"
import type { IdempotencyKey, LedgerRequest } from "./requests.ts"

export interface StoreFixture {
  /** Opens the fixture's store; building it again reopens the same data, as a restart would. */
  readonly layer: Layer.Layer<LedgerStore, LedgerStoreError>
  /** Byte lengths of a stored entry's parts, to aim a corruption at. */
  readonly sizes: (seq: number) => Effect.Effect<{ readonly body: number; readonly hash: number }>
  /** XORs one byte of a stored entry's body or hash, in the store's own stored form. */
  readonly corrupt: (seq: number, part: "body" | "hash", offset: number, xor: number) => Effect.Effect<void>
}

export interface StoreHarness {
  readonly name: string
  /** A fresh, empty store (a new temp file for SQLite), cleaned up with the scope. */
  readonly fresh: Effect.Effect<StoreFixture, never, Scope.Scope>
  /** fast-check runs per property: durable stores are slower, keep them modest. */
  readonly runs: number
}

const users = ["ann", "bob", "cy"].map(Account.user)
const org = Account.org("acme")
const lenders = ["n1", "n2"].map(Account.lender)
const payers = [...users, org]
const key = (k: string) => k as IdempotencyKey
const mc = (n: number) => n as MicroCredits

/** One scripted step; `replay`/`conflict` point back at an earlier step. */
type Step =
  | { readonly op: "grant" | "topup"; readonly to: number; readonly amount: number }
  | { readonly op: "transfer"; readonly from: number; readonly to: number; readonly amount: number }
  | { readonly op: "hold"; readonly job: number; readonly payer: number; readonly amount: number }
  | { readonly op: "settle"; readonly job: number; readonly lender: number; readonly lenderAmount: number; readonly fee: number }
  | { readonly op: "release"; readonly job: number }
  | { readonly op: "collateral"; readonly action: "post" | "slash" | "release"; readonly lender: number; readonly amount: number }
  | { readonly op: "replay" | "conflict"; readonly back: number }

const amount = fc.integer({ min: 0, max: 3_000 })
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("grant" as const, "topup" as const), to: fc.nat(payers.length + lenders.length - 1), amount }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("transfer" as const), from: fc.nat(payers.length - 1), to: fc.nat(payers.length - 1), amount }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("hold" as const), job: fc.nat(5), payer: fc.nat(payers.length - 1), amount }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("settle" as const), job: fc.nat(5), lender: fc.nat(1), lenderAmount: amount, fee: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("release" as const), job: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("collateral" as const), action: fc.constantFrom("post" as const, "slash" as const, "release" as const), lender: fc.nat(1), amount }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("replay" as const, "conflict" as const), back: fc.nat(40) }) }
)
export const scriptArb = fc.array(stepArb, { minLength: 1, maxLength: 40 })

/** Turns a script into requests: each step gets its own key; replays reuse one, conflicts reuse one with other content. */
export const requestsOf = (script: ReadonlyArray<Step>): Array<LedgerRequest> => {
  const out: Array<LedgerRequest> = []
  const holders = [...payers, ...lenders]
  script.forEach((s, i) => {
    const k = key(`step:${i}`)
    switch (s.op) {
      case "grant":
        return out.push({ _tag: "Grant", key: k, to: holders[s.to]!, amount: mc(s.amount) })
      case "topup":
        return out.push({ _tag: "TopUp", key: k, to: holders[s.to]!, amount: mc(s.amount), memo: "card" })
      case "transfer":
        return out.push({ _tag: "Transfer", key: k, from: payers[s.from]!, to: payers[s.to]!, amount: mc(s.amount) })
      case "hold":
        return out.push({ _tag: "Hold", key: k, job: s.job, payer: payers[s.payer]!, amount: mc(s.amount) })
      case "settle":
        return out.push({ _tag: "Settle", key: k, job: s.job, lender: lenders[s.lender]!, lenderAmount: mc(s.lenderAmount), platformFee: mc(s.fee) })
      case "release":
        return out.push({ _tag: "Release", key: k, job: s.job })
      case "collateral": {
        const tag = s.action === "post" ? "PostCollateral" : s.action === "slash" ? "SlashCollateral" : "ReleaseCollateral"
        return out.push({ _tag: tag, key: k, lender: lenders[s.lender]!, amount: mc(s.amount) })
      }
      case "replay":
      case "conflict": {
        if (out.length === 0) return out.push({ _tag: "Grant", key: k, to: users[0]!, amount: mc(1) })
        const original = out[s.back % out.length]!
        if (s.op === "replay") return out.push(original)
        return out.push({ ...original, memo: `${original.memo ?? ""}!` })
      }
    }
  })
  return out
}

interface Snapshot {
  readonly balances: ReadonlyArray<readonly [AccountId, MicroCredits]>
  readonly head: { readonly seq: number; readonly hash: string }
  readonly issued: number
}

const snapshot = Effect.gen(function* () {
  const ledger = yield* Ledger
  return { balances: yield* ledger.balances, head: yield* ledger.head, issued: yield* ledger.issued } satisfies Snapshot
})

/** Conservation and non-negativity: what must hold after any sequence of requests. */
const checkInvariants = (s: Snapshot, grantedByReceipts: number) => {
  let all = 0
  let nonIssuance = 0
  for (const [account, balance] of s.balances) {
    all += balance
    if (account === "issuance") continue
    nonIssuance += balance
    expect(balance, `${account} went negative`).toBeGreaterThanOrEqual(0)
  }
  expect(all).toBe(0)
  expect(nonIssuance).toBe(s.issued)
  expect(s.issued).toBe(grantedByReceipts)
}

const ledgerOver = (fixture: StoreFixture) => Ledger.layer({ maxBatchRequests: 64 }).pipe(Layer.provide(fixture.layer))

/** Submits the requests in chunks (each chunk one group commit), returning every result. */
const runScript = (requests: ReadonlyArray<LedgerRequest>, chunk: number) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const results = []
    for (let i = 0; i < requests.length; i += chunk) results.push(...(yield* ledger.submitAll(requests.slice(i, i + chunk))))
    return results
  })

/** Credits created by the grants and top-ups among the results, counting each entry once. */
const grantedBy = (results: ReadonlyArray<SubmitResult>) =>
  results.reduce((sum, r) => (Either.isRight(r) && !r.right.replayed && (r.right.entry.kind === "grant" || r.right.entry.kind === "top-up") ? sum + r.right.entry.postings[1]!.amount : sum), 0)

const property = <A>(harness: StoreHarness, arb: fc.Arbitrary<A>, body: (a: A, fixture: StoreFixture) => Effect.Effect<void, unknown>) =>
  Effect.promise(() =>
    fc.assert(
      fc.asyncProperty(arb, (a) => Effect.runPromise(Effect.scoped(Effect.flatMap(harness.fresh, (fixture) => body(a, fixture))))),
      { numRuns: harness.runs }
    )
  )

export const ledgerStoreSuite = (harness: StoreHarness) =>
  describe(`Ledger over ${harness.name}`, () => {
    it.effect("any script conserves credits, keeps balances non-negative, closes escrows exactly and survives a reopen", () =>
      property(harness, fc.tuple(scriptArb, fc.integer({ min: 1, max: 8 })), ([script, chunk], fixture) =>
        Effect.gen(function* () {
          const requests = requestsOf(script)
          const before = yield* Effect.gen(function* () {
            const ledger = yield* Ledger
            const results = yield* runScript(requests, chunk)
            const granted = grantedBy(results)
            checkInvariants(yield* snapshot, granted)
            // Close every escrow still open: hold = settled + refunded for every job.
            for (const e of yield* ledger.openEscrows) yield* ledger.submit({ _tag: "Release", key: key(`close:${e.job}`), job: e.job })
            expect(yield* ledger.openEscrows).toEqual([])
            const after = yield* snapshot
            checkInvariants(after, granted)
            expect(after.balances.filter(([a]) => a.startsWith("escrow:"))).toEqual([])
            const entries = yield* ledger.entries(1, 1_000_000)
            for (let job = 0; job <= 5; job++) {
              const escrow = Account.escrow(job)
              const flows = entries.flatMap((e) => e.postings.filter((p) => p.account === escrow).map((p) => [e.kind, p.amount] as const))
              const held = flows.filter(([k]) => k === "hold").reduce((s, [, a]) => s + a, 0)
              const out = flows.filter(([k]) => k !== "hold").reduce((s, [, a]) => s - a, 0)
              expect(out).toBe(held)
            }
            expect(Either.isRight(yield* ledger.verify)).toBe(true)
            return after
          }).pipe(Effect.provide(ledgerOver(fixture)))
          const reopened = yield* snapshot.pipe(Effect.provide(ledgerOver(fixture)))
          expect(reopened).toEqual(before)
        })
      )
    )

    it.effect("replaying any requests, in any order and any number of times, returns the original entries and changes nothing", () =>
      property(
        harness,
        fc.tuple(scriptArb, fc.array(fc.nat(1000), { minLength: 1, maxLength: 60 })),
        ([script, picks], fixture) =>
          Effect.gen(function* () {
            const ledger = yield* Ledger
            const requests = requestsOf(script)
            const results = yield* runScript(requests, 5)
            const done = requests.flatMap((r, i) => {
              const result = results[i]!
              return Either.isRight(result) ? [[r, result.right.entry] as const] : []
            })
            const before = yield* snapshot
            if (done.length === 0) return
            const replays = picks.map((p) => done[p % done.length]!)
            const again = yield* Effect.forEach(replays, ([r]) => ledger.submit(r), { concurrency: "unbounded" })
            again.forEach((receipt, i) => {
              expect(receipt.replayed).toBe(true)
              expect(receipt.entry).toEqual(replays[i]![1])
            })
            expect(yield* snapshot).toEqual(before)
          }).pipe(Effect.provide(ledgerOver(fixture)))
      )
    )

    it.effect("hundreds of fibers settling one escrow at once never pay out more than was held", () =>
      property(
        harness,
        fc.tuple(fc.integer({ min: 1_000, max: 50_000 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 40 })), { minLength: 200, maxLength: 300 }), fc.nat()),
        ([held, settlements, dupSeed], fixture) =>
          Effect.gen(function* () {
            const ledger = yield* Ledger
            const payer = users[0]!
            yield* ledger.submit({ _tag: "Grant", key: key("grant"), to: payer, amount: mc(held) })
            yield* ledger.submit({ _tag: "Hold", key: key("hold"), job: 7, payer, amount: mc(held) })
            // Every 7th request repeats an earlier key: a duplicated completion message.
            const requests = settlements.map(([lenderAmount, fee], i): LedgerRequest => {
              const attempt = i % 7 === 6 ? (i + dupSeed) % (i - 1) : i
              const [la, f] = settlements[attempt]!
              return { _tag: "Settle", key: key(`settle:job:7:attempt:${attempt}`), job: 7, lender: lenders[attempt % 2]!, lenderAmount: mc(attempt === i ? lenderAmount : la), platformFee: mc(attempt === i ? fee : f) }
            })
            const results = yield* Effect.forEach(requests, (r) => Effect.either(ledger.submit(r)), { concurrency: "unbounded" })
            const paid = new Map<number, number>()
            for (const r of results) {
              if (Either.isLeft(r)) {
                expect(r.left._tag).toBe("EscrowOverdrawn")
                continue
              }
              const prior = paid.get(r.right.entry.seq)
              const total = -r.right.entry.postings[0]!.amount
              if (prior !== undefined) expect(prior).toBe(total)
              paid.set(r.right.entry.seq, total)
            }
            const settled = [...paid.values()].reduce((s, a) => s + a, 0)
            expect(settled).toBeLessThanOrEqual(held)
            const escrow = Option.getOrThrow(yield* ledger.escrow(7))
            expect(escrow.remaining).toBe(held - settled)
            const earned = (yield* ledger.balance(lenders[0]!)) + (yield* ledger.balance(lenders[1]!)) + (yield* ledger.balance(Account.platform))
            expect(earned).toBe(settled)
            checkInvariants(yield* snapshot, held)
            expect(Either.isRight(yield* ledger.verify)).toBe(true)
          }).pipe(Effect.provide(ledgerOver(fixture)))
      )
    )

    it.effect("any single-byte change to a stored entry is caught by the audit, naming that entry", () =>
      property(
        harness,
        fc.tuple(scriptArb, fc.nat(), fc.constantFrom("body" as const, "hash" as const), fc.nat(), fc.integer({ min: 1, max: 255 })),
        ([script, pick, part, offset, xor], fixture) =>
          Effect.gen(function* () {
            const seq = yield* Effect.gen(function* () {
              const ledger = yield* Ledger
              yield* ledger.submit({ _tag: "Grant", key: key("seed"), to: users[0]!, amount: mc(10_000) })
              yield* runScript(requestsOf(script), 4)
              const head = yield* ledger.head
              const seq = 1 + (pick % head.seq)
              const sizes = yield* fixture.sizes(seq)
              yield* fixture.corrupt(seq, part, offset % sizes[part], xor)
              // The running ledger's audit reads the store afresh.
              const audit = yield* ledger.verify
              expect(Either.isLeft(audit)).toBe(true)
              const tampered = Either.flip(audit).pipe(Either.getOrThrow)
              expect(tampered.seq).toBe(seq)
              expect(tampered.problem).toBe("altered")
              return seq
            }).pipe(Effect.provide(ledgerOver(fixture)))
            // A restarting ledger refuses the data, naming the same entry.
            const refused = yield* Effect.flip(snapshot.pipe(Effect.provide(ledgerOver(fixture))))
            expect(refused._tag).toBe("LedgerCorrupted")
            expect((refused as LedgerCorrupted).tampered?.seq).toBe(seq)
          })
      )
    )
  })
