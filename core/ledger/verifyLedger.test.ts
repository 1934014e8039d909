import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { Account, type MicroCredits } from "./accounts.ts"
import { digestHex, EntryEncoder, encodeEntryBody, hexToBytes } from "./encoding.ts"
import type { LedgerEntry, StoredEntry } from "./entry.ts"
import { LedgerBook } from "./LedgerBook.ts"
import type { IdempotencyKey } from "./requests.ts"
import { type TamperKind, verifyLedger } from "./verifyLedger.ts"

const key = (k: string) => k as IdempotencyKey
const ann = Account.user("ann")

/** Ten entries: a grant, then three jobs of hold, settle, release. */
const sample = (): ReadonlyArray<LedgerEntry> => {
  const book = new LedgerBook()
  book.apply({ _tag: "Grant", key: key("g"), to: ann, amount: 1_000_000 as MicroCredits }, 0)
  for (let job = 0; job < 3; job++) {
    book.apply({ _tag: "Hold", key: key(`h${job}`), job, payer: ann, amount: 1_000 as MicroCredits }, job)
    book.apply({ _tag: "Settle", key: key(`s${job}`), job, lender: Account.lender("n"), lenderAmount: 400 as MicroCredits, platformFee: 40 as MicroCredits }, job)
    book.apply({ _tag: "Release", key: key(`r${job}`), job }, job)
  }
  return book.entries
}

/** Seals an entry the way the book does: what a forger with the code (but not the pinned head) can do. */
const reseal = (e: Omit<LedgerEntry, "hash">): LedgerEntry => {
  const digest = new EntryEncoder().encode(e.seq, e.timeMs, hexToBytes(e.prevHash)!, e.kind, e.key, e.memo, e.postings).hash()
  return { ...e, hash: digestHex(digest) }
}

const problem = (entries: ReadonlyArray<LedgerEntry | StoredEntry>, options?: Parameters<typeof verifyLedger>[1]): [TamperKind, number] => {
  const r = verifyLedger(entries, options)
  if (Either.isRight(r)) throw new Error("expected the audit to fail")
  return [r.left.problem, r.left.seq]
}

describe("verifyLedger", () => {
  it("an intact ledger verifies, as entries or as stored bytes, and a suffix verifies from its predecessor", () => {
    const entries = sample()
    const head = { seq: 10, hash: entries[9]!.hash }
    expect(verifyLedger(entries)).toEqual(Either.right({ count: 10, head }))
    const stored = entries.map((e) => ({ seq: e.seq, body: encodeEntryBody(e)!, hash: e.hash }))
    expect(verifyLedger(stored, { expectedHead: head })).toEqual(Either.right({ count: 10, head }))
    expect(Either.isRight(verifyLedger(entries.slice(4), { after: { seq: 4, hash: entries[3]!.hash } }))).toBe(true)
  })

  it("names an altered entry: a changed amount, time, key or hash", () => {
    const entries = sample()
    const at = (i: number, e: LedgerEntry) => entries.map((x, j) => (j === i ? e : x))
    const e5 = entries[5]!
    expect(problem(at(5, { ...e5, postings: [{ ...e5.postings[0]!, amount: -1 as MicroCredits }, ...e5.postings.slice(1)] }))).toEqual(["altered", 6])
    expect(problem(at(5, { ...e5, timeMs: e5.timeMs + 1 }))).toEqual(["altered", 6])
    expect(problem(at(5, { ...e5, key: key("other") }))).toEqual(["altered", 6])
    expect(problem(at(5, { ...e5, hash: entries[4]!.hash }))).toEqual(["altered", 6])
  })

  it("names a removed entry, reordered entries and an inserted one", () => {
    const entries = sample()
    expect(problem([...entries.slice(0, 3), ...entries.slice(4)])).toEqual(["removed", 4])
    expect(problem([...entries.slice(0, 3), entries[4]!, entries[3]!, ...entries.slice(5)])).toEqual(["reordered", 5])
    expect(problem([...entries.slice(0, 6), entries[3]!, ...entries.slice(6)])).toEqual(["inserted", 4])
    // A forged entry sealed onto entry 3, slipped in before the real entry 4.
    const forged = reseal({ ...entries[3]!, key: key("forged"), memo: "free credits" })
    const withForged = [...entries.slice(0, 3), forged, ...entries.slice(3)]
    const r = verifyLedger(withForged)
    expect(Either.isLeft(r) && [r.left.problem, r.left.index]).toEqual(["inserted", 3])
  })

  it("entries cut from the end are caught against a pinned head", () => {
    const entries = sample()
    expect(Either.isRight(verifyLedger(entries.slice(0, 8)))).toBe(true)
    expect(problem(entries.slice(0, 8), { expectedHead: { seq: 10, hash: entries[9]!.hash } })).toEqual(["truncated", 9])
  })

  it("a rebuilt chain with an unbalanced entry is named as unbalanced", () => {
    const entries = sample()
    const out: Array<LedgerEntry> = []
    for (const e of entries) {
      const prevHash = out.length === 0 ? e.prevHash : out[out.length - 1]!.hash
      const postings = e.seq === 2 ? [e.postings[0]!, { ...e.postings[1]!, amount: 5_000 as MicroCredits }] : e.postings
      out.push(reseal({ ...e, prevHash, postings }))
    }
    expect(problem(out)).toEqual(["unbalanced", 2])
  })

  it("any single-byte change to any stored entry is caught and named", () => {
    const entries = sample()
    fc.assert(
      fc.property(fc.nat(9), fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }), (i, inBody, offset, xor) => {
        const stored = entries.map((e) => ({ seq: e.seq, body: encodeEntryBody(e)!, hash: e.hash }))
        const target = stored[i]!
        if (inBody) target.body[offset % target.body.length] ^= xor
        else {
          const o = offset % 64
          target.hash = target.hash.slice(0, o) + String.fromCharCode(target.hash.charCodeAt(o) ^ xor) + target.hash.slice(o + 1)
        }
        expect(problem(stored)).toEqual(["altered", i + 1])
      }),
      { numRuns: 500 }
    )
  })
})
