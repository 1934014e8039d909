import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { Sha256, sha256Hex, toHex } from "../crypto/sha256.ts"
import { Account, type AccountId, type MicroCredits } from "./accounts.ts"
import { decodeEntryBody, encodeEntryBody } from "./encoding.ts"
import type { LedgerEntry } from "./entry.ts"
import type { LedgerError } from "./errors.ts"
import { LedgerBook, type Receipt } from "./LedgerBook.ts"
import { requestsOf, scriptArb } from "./ledgerSuite.ts"
import type { IdempotencyKey, LedgerRequest } from "./requests.ts"
import { verifyLedger } from "./verifyLedger.ts"

const key = (k: string) => k as IdempotencyKey
const mc = (n: number) => n as MicroCredits
const ann = Account.user("ann")
const bob = Account.user("bob")
const node = Account.lender("n1")

const ok = (r: Either.Either<Receipt, LedgerError>): Receipt => {
  if (Either.isLeft(r)) throw new Error(`expected success, got ${r.left.message}`)
  return r.right
}
const err = (r: Either.Either<Receipt, LedgerError>): LedgerError => {
  if (Either.isRight(r)) throw new Error(`expected an error, got entry ${r.right.entry.seq}`)
  return r.left
}

const funded = (amount = 10_000_000) => {
  const book = new LedgerBook()
  ok(book.apply({ _tag: "Grant", key: key("grant:ann"), to: ann, amount: mc(amount) }, 0))
  return book
}

describe("LedgerBook", () => {
  it("a job's life: hold the maximum cost, settle each attempt, release the rest to the payer", () => {
    const book = funded()
    ok(book.apply({ _tag: "Hold", key: key("hold:1"), job: 1, payer: ann, amount: mc(3_000_000) }, 10))
    expect(book.balance(ann)).toBe(7_000_000)
    expect(book.balance(Account.escrow(1))).toBe(3_000_000)
    // Attempt 1 was lost with its node: settled with nothing. Attempt 2 ran.
    ok(book.apply({ _tag: "Settle", key: key("settle:1:1"), job: 1, lender: node, lenderAmount: mc(0), platformFee: mc(0) }, 20))
    const settled = ok(book.apply({ _tag: "Settle", key: key("settle:1:2"), job: 1, lender: node, lenderAmount: mc(900_000), platformFee: mc(100_000) }, 30))
    expect(settled.entry.postings).toEqual([
      { account: "escrow:1", amount: -1_000_000 },
      { account: "lender:n1", amount: 900_000 },
      { account: "platform", amount: 100_000 }
    ])
    expect(book.escrow(1)).toEqual({ job: 1, payer: ann, heldAmount: 3_000_000, remaining: 2_000_000 })
    const released = ok(book.apply({ _tag: "Release", key: key("release:1"), job: 1 }, 40))
    expect(released.entry.postings).toEqual([
      { account: "escrow:1", amount: -2_000_000 },
      { account: "user:ann", amount: 2_000_000 }
    ])
    expect(book.balance(ann)).toBe(9_000_000)
    expect(book.balance(node)).toBe(900_000)
    expect(book.balance(Account.platform)).toBe(100_000)
    expect(book.escrow(1)).toBeUndefined()
    expect(book.balances().reduce((s, [, b]) => s + b, 0)).toBe(0)
    expect(book.head.seq).toBe(5)
    expect(book.entries.map((e) => e.timeMs)).toEqual([0, 10, 20, 30, 40])
  })

  it("a borrower without enough credits cannot hold, and learns the account, balance and amount", () => {
    const book = funded(1_000_000)
    const head = book.head
    const e = err(book.apply({ _tag: "Hold", key: key("hold:2"), job: 2, payer: ann, amount: mc(1_500_000) }, 0))
    expect(e).toMatchObject({ _tag: "InsufficientCredits", account: "user:ann", balance: 1_000_000, amount: 1_500_000 })
    expect(e.message).toBe("user:ann holds 1 credits but 1.5 credits were asked of it")
    expect(book.head).toEqual(head)
    expect(book.escrow(2)).toBeUndefined()
  })

  it("settling more than remains is EscrowOverdrawn; settling or holding after release is EscrowClosed", () => {
    const book = funded()
    expect(err(book.apply({ _tag: "Settle", key: key("s0"), job: 3, lender: node, lenderAmount: mc(1), platformFee: mc(0) }, 0))._tag).toBe("UnknownEscrow")
    ok(book.apply({ _tag: "Hold", key: key("h"), job: 3, payer: ann, amount: mc(1_000) }, 0))
    expect(err(book.apply({ _tag: "Settle", key: key("s1"), job: 3, lender: node, lenderAmount: mc(950), platformFee: mc(51) }, 0))).toMatchObject({
      _tag: "EscrowOverdrawn",
      job: 3,
      remaining: 1_000,
      requested: 1_001
    })
    ok(book.apply({ _tag: "Settle", key: key("s2"), job: 3, lender: node, lenderAmount: mc(950), platformFee: mc(50) }, 0))
    ok(book.apply({ _tag: "Release", key: key("r"), job: 3 }, 0))
    expect(err(book.apply({ _tag: "Settle", key: key("s3"), job: 3, lender: node, lenderAmount: mc(0), platformFee: mc(0) }, 0))._tag).toBe("EscrowClosed")
    expect(err(book.apply({ _tag: "Hold", key: key("h2"), job: 3, payer: ann, amount: mc(1) }, 0))._tag).toBe("EscrowClosed")
    expect(err(book.apply({ _tag: "Release", key: key("r2"), job: 3 }, 0))._tag).toBe("EscrowClosed")
    // A job id far beyond the dense range closes just the same.
    const far = 2 ** 40
    ok(book.apply({ _tag: "Hold", key: key("far:h"), job: far, payer: ann, amount: mc(5) }, 0))
    ok(book.apply({ _tag: "Release", key: key("far:r"), job: far }, 0))
    expect(err(book.apply({ _tag: "Hold", key: key("far:h2"), job: far, payer: ann, amount: mc(5) }, 0))._tag).toBe("EscrowClosed")
  })

  it("a second hold by the same payer adds to the escrow; another payer is refused", () => {
    const book = funded()
    ok(book.apply({ _tag: "Grant", key: key("grant:bob"), to: bob, amount: mc(500) }, 0))
    ok(book.apply({ _tag: "Hold", key: key("h1"), job: 4, payer: ann, amount: mc(100) }, 0))
    ok(book.apply({ _tag: "Hold", key: key("h2"), job: 4, payer: ann, amount: mc(50) }, 0))
    expect(book.escrow(4)?.remaining).toBe(150)
    expect(err(book.apply({ _tag: "Hold", key: key("h3"), job: 4, payer: bob, amount: mc(1) }, 0))).toMatchObject({ _tag: "EscrowPayerMismatch", heldBy: "user:ann" })
  })

  it("a replayed key returns the original entry and changes nothing; the same key for another request is a conflict", () => {
    const book = funded()
    const hold: LedgerRequest = { _tag: "Hold", key: key("hold:job:5"), job: 5, payer: ann, amount: mc(700) }
    const first = ok(book.apply(hold, 1))
    const head = book.head
    const again = ok(book.apply(hold, 99))
    expect(again).toEqual({ entry: first.entry, replayed: true })
    expect(book.head).toEqual(head)
    expect(book.balance(ann)).toBe(10_000_000 - 700)
    const conflict = err(book.apply({ ...hold, amount: mc(701) }, 2))
    expect(conflict).toMatchObject({ _tag: "IdempotencyConflict", key: "hold:job:5", existingSeq: first.entry.seq })
    expect(err(book.apply({ _tag: "Release", key: key("hold:job:5"), job: 5 }, 2))._tag).toBe("IdempotencyConflict")
  })

  it("collateral is posted, slashed to the platform or a named account, and released", () => {
    const book = new LedgerBook()
    ok(book.apply({ _tag: "Grant", key: key("g"), to: node, amount: mc(1_000) }, 0))
    ok(book.apply({ _tag: "PostCollateral", key: key("p"), lender: node, amount: mc(800) }, 0))
    expect(book.balance(Account.collateral("n1"))).toBe(800)
    ok(book.apply({ _tag: "SlashCollateral", key: key("s1"), lender: node, amount: mc(100) }, 0))
    ok(book.apply({ _tag: "SlashCollateral", key: key("s2"), lender: node, amount: mc(200), to: ann }, 0))
    expect(err(book.apply({ _tag: "SlashCollateral", key: key("s3"), lender: node, amount: mc(501) }, 0))).toMatchObject({
      _tag: "InsufficientCredits",
      account: "collateral:n1",
      balance: 500
    })
    ok(book.apply({ _tag: "ReleaseCollateral", key: key("r"), lender: node, amount: mc(500) }, 0))
    expect([book.balance(node), book.balance(Account.platform), book.balance(ann), book.balance(Account.collateral("n1"))]).toEqual([700, 100, 200, 0])
  })

  it("refuses amounts that are negative, fractional or too large, and accounts in the wrong role", () => {
    const book = funded()
    const tags = [
      book.apply({ _tag: "Hold", key: key("a"), job: 1, payer: ann, amount: mc(-1) }, 0),
      book.apply({ _tag: "Hold", key: key("b"), job: 1, payer: ann, amount: mc(0.5) }, 0),
      book.apply({ _tag: "Grant", key: key("c"), to: ann, amount: mc(Number.MAX_SAFE_INTEGER) }, 0),
      book.apply({ _tag: "Hold", key: key("d"), job: 1, payer: node, amount: mc(1) }, 0),
      book.apply({ _tag: "Grant", key: key("e"), to: Account.escrow(1), amount: mc(1) }, 0),
      book.apply({ _tag: "Transfer", key: key("f"), from: Account.issuance, to: ann, amount: mc(1) }, 0),
      book.apply({ _tag: "Settle", key: key("g"), job: 1, lender: ann, lenderAmount: mc(1), platformFee: mc(0) }, 0),
      book.apply({ _tag: "SlashCollateral", key: key("h"), lender: node, amount: mc(0), to: "collateral:n2" as AccountId }, 0)
    ].map((r) => err(r)._tag)
    expect(tags).toEqual(["InvalidAmount", "InvalidAmount", "InvalidAmount", "InvalidAccount", "InvalidAccount", "InvalidAccount", "InvalidAccount", "InvalidAccount"])
    expect(book.head.seq).toBe(1)
  })

  it("without retained entries: the same chain and balances, keys of closed escrows forgotten, closed jobs still closed", () => {
    const full = funded()
    const compact = new LedgerBook({ retainEntries: false })
    ok(compact.apply({ _tag: "Grant", key: key("grant:ann"), to: ann, amount: mc(10_000_000) }, 0))
    for (let job = 0; job < 50; job++) {
      const requests: Array<LedgerRequest> = [
        { _tag: "Hold", key: key(`h:${job}`), job, payer: ann, amount: mc(1_000) },
        { _tag: "Settle", key: key(`s:${job}`), job, lender: node, lenderAmount: mc(300 + job), platformFee: mc(30) },
        { _tag: "Release", key: key(`r:${job}`), job }
      ]
      for (const r of requests) {
        const a = ok(full.apply(r, job))
        const b = ok(compact.apply(r, job))
        expect(b.entry).toEqual(a.entry)
      }
    }
    expect(compact.head).toEqual(full.head)
    expect(compact.balances()).toEqual(full.balances())
    expect(compact.entries).toEqual([])
    // Only the grant's key is left: nothing is kept per finished job but a bit.
    expect([compact.rememberedKeys, full.rememberedKeys]).toEqual([1, 151])
    expect(compact.openEscrows()).toEqual([])
    expect(ok(full.apply({ _tag: "Release", key: key("r:7"), job: 7 }, 0)).replayed).toBe(true)
    expect(err(compact.apply({ _tag: "Release", key: key("r:7"), job: 7 }, 0))._tag).toBe("EscrowClosed")
    expect(err(compact.apply({ _tag: "Hold", key: key("h:7:again"), job: 7, payer: ann, amount: mc(1) }, 0))._tag).toBe("EscrowClosed")
    expect(compact.head).toEqual(full.head)
  })

  it("any script: both memory modes agree, the entries verify, and restoring them rebuilds the same book", () => {
    fc.assert(
      fc.property(scriptArb, (script) => {
        const full = new LedgerBook()
        const compact = new LedgerBook({ retainEntries: false })
        requestsOf(script).forEach((r, i) => {
          const a = full.apply(r, i)
          const b = compact.apply(r, i)
          // Replays of closed escrows' keys are the one place the modes differ.
          if (Either.isRight(a) && a.right.replayed && Either.isLeft(b)) expect(b.left._tag).toBe("EscrowClosed")
          else expect(Either.isRight(b)).toBe(Either.isRight(a))
        })
        expect(compact.head).toEqual(full.head)
        expect(compact.balances()).toEqual(full.balances())
        expect(Either.getOrThrow(verifyLedger(full.entries)).head).toEqual(full.head)
        const restored = new LedgerBook()
        for (const e of full.entries) expect(restored.restore(e)).toBeUndefined()
        expect(restored.head).toEqual(full.head)
        expect(restored.balances()).toEqual(full.balances())
        expect(restored.openEscrows()).toEqual(full.openEscrows())
        expect(restored.issued).toBe(full.issued)
      }),
      { numRuns: 200 }
    )
  })

  it("restore refuses entries that break the rules even when their hashes are right", () => {
    const book = funded(100)
    const [grant] = book.entries
    const overdraw = new LedgerBook()
    overdraw.restore(grant!)
    const forged: LedgerEntry = { ...grant!, seq: 2, prevHash: grant!.hash, key: key("x"), kind: "transfer", postings: [{ account: ann, amount: mc(-200) }, { account: bob, amount: mc(200) }] }
    expect(overdraw.restore(forged)).toMatch(/overdraws user:ann/)
    expect(new LedgerBook().restore({ ...grant!, seq: 2 })).toMatch(/follows 0/)
    const printing = new LedgerBook()
    printing.restore(grant!)
    const minted = { ...forged, postings: [{ account: Account.issuance, amount: mc(-5) }, { account: bob, amount: mc(5) }] }
    expect(printing.restore(minted)).toMatch(/issuance outside a grant/)
    expect(printing.restore({ ...forged, kind: "settle" })).toMatch(/has 2 postings, a settle has 3/)
  })
})

describe("entry encoding", () => {
  const text = fc.string({ unit: "binary", maxLength: 30 })
  const entryArb = fc.record({
    seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    timeMs: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    key: text.filter((s) => s.length > 0),
    kind: fc.constantFrom("grant" as const, "settle" as const, "collateral-release" as const),
    memo: text,
    postings: fc.array(fc.record({ account: text, amount: fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }) }), { maxLength: 5 }),
    prevHash: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex)
  })

  it("decodes exactly what it encoded, any text and any safe integer", () => {
    fc.assert(
      fc.property(entryArb, (e) => {
        const entry = { ...e, postings: e.postings.map((p) => ({ ...p, amount: (p.amount === 0 ? 0 : p.amount) as MicroCredits })) } as unknown as LedgerEntry
        const body = encodeEntryBody(entry)!
        const hash = sha256Hex(body)
        expect(decodeEntryBody(body, hash)).toEqual(Either.right({ ...entry, hash }))
      }),
      { numRuns: 300 }
    )
  })

  it("a reused hasher (reset, or digestOf a buffer's prefix) digests like a fresh one", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.nat(300)), { minLength: 1, maxLength: 5 }), (messages) => {
        const reused = new Sha256()
        for (const [m, cut] of messages) {
          expect(toHex(reused.reset().update(m).digest())).toBe(sha256Hex(m))
          const n = Math.min(cut, m.length)
          expect(toHex(reused.digestOf(m, n))).toBe(sha256Hex(m.slice(0, n)))
        }
      })
    )
  })
})
