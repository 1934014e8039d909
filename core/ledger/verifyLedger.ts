// The audit: recomputes every entry's hash and follows the chain, naming the first entry that is
// wrong and how: altered (its bytes no longer match its hash), removed (a gap in seq), reordered
// (a seq appears out of place), inserted (an entry that does not belong in the chain), or
// unbalanced (a sealed entry whose postings do not sum to zero, i.e. forged with a rebuilt chain).
// Works on decoded entries and on a store's raw form alike.
import { Data, Either } from "effect"
import { toHex } from "../crypto/sha256.ts"
import { decodeEntryBody, EntryEncoder, hexToBytes } from "./encoding.ts"
import { type ChainHead, genesisHash, type LedgerEntry, type StoredEntry } from "./entry.ts"

export type TamperKind = "altered" | "removed" | "reordered" | "inserted" | "unbalanced" | "truncated"

export class LedgerTampered extends Data.TaggedError("LedgerTampered")<{
  /** Position in the list that was checked. */
  readonly index: number
  /** The seq the bad entry claims (or, for `removed`/`truncated`, the first seq that is missing). */
  readonly seq: number
  readonly problem: TamperKind
  readonly detail: string
}> {
  override get message() {
    return `ledger entry ${this.seq} (position ${this.index}) is ${this.problem}: ${this.detail}`
  }
}

export interface VerifiedLedger {
  readonly count: number
  readonly head: ChainHead
}

export interface VerifyOptions {
  /** Where the list starts, when it is a suffix of the ledger: the entry before it. Default: genesis. */
  readonly after?: ChainHead
  /** The head an auditor pinned earlier: catches entries removed from the end. */
  readonly expectedHead?: ChainHead
}

const isStored = (e: LedgerEntry | StoredEntry): e is StoredEntry => "body" in e

export const verifyLedger = (
  entries: ReadonlyArray<LedgerEntry | StoredEntry>,
  options: VerifyOptions = {}
): Either.Either<VerifiedLedger, LedgerTampered> => {
  const encoder = new EntryEncoder()
  const start = options.after ?? { seq: 0, hash: genesisHash }
  const decoded: Array<LedgerEntry | undefined> = []
  const tampered = (index: number, seq: number, problem: TamperKind, detail: string) =>
    Either.left(new LedgerTampered({ index, seq, problem, detail }))

  // First pass: each entry on its own must match its hash.
  for (let i = 0; i < entries.length; i++) {
    const raw = entries[i]!
    let entry: LedgerEntry | undefined
    if (isStored(raw)) {
      const actual = toHex(encoder.hashOf(raw.body))
      if (actual !== raw.hash) return tampered(i, raw.seq, "altered", `its bytes hash to ${actual.slice(0, 12)}…, its stored hash is ${raw.hash.slice(0, 12)}…`)
      const d = decodeEntryBody(raw.body, raw.hash)
      if (Either.isLeft(d)) return tampered(i, raw.seq, "altered", `its body does not decode: ${d.left}`)
      entry = d.right
      if (entry.seq !== raw.seq) return tampered(i, raw.seq, "altered", `stored under seq ${raw.seq} but sealed as ${entry.seq}`)
    } else {
      entry = raw
      const prev = hexToBytes(entry.prevHash)
      const actual = prev && toHex(encoder.encode(entry.seq, entry.timeMs, prev, entry.kind, entry.key, entry.memo, entry.postings).hash())
      if (actual !== entry.hash) return tampered(i, entry.seq, "altered", `its fields hash to ${actual?.slice(0, 12) ?? "nothing"}…, its hash is ${entry.hash.slice(0, 12)}…`)
    }
    decoded.push(entry)
  }

  // Second pass: the chain.
  let prevSeq = start.seq
  let prevHash = start.hash
  for (let i = 0; i < decoded.length; i++) {
    const e = decoded[i]!
    const expected = prevSeq + 1
    if (e.seq !== expected || e.prevHash !== prevHash) {
      const later = decoded.findIndex((d, j) => j > i && d!.seq === expected)
      if (e.seq > expected) {
        return later >= 0
          ? tampered(i, e.seq, "reordered", `entry ${e.seq} comes before entry ${expected}`)
          : tampered(i, expected, "removed", `entries ${expected}..${e.seq - 1} are missing before entry ${e.seq}`)
      }
      if (e.seq < expected) {
        // A copy or forgery of an earlier seq; when the entry after it chains past it, it was slipped in.
        const original = decoded.findIndex((d, j) => j < i && d!.seq === e.seq)
        if (original >= 0 && decoded[original]!.hash === e.hash) return tampered(i, e.seq, "inserted", `a second copy of entry ${e.seq}`)
        // Two entries claim one place in the chain: the one the rest of the chain follows is genuine.
        if (original >= 0 && decoded[original]!.prevHash === e.prevHash) {
          const followed = decoded[i + 1]?.prevHash === e.hash
          return followed
            ? tampered(original, e.seq, "inserted", `entry ${e.seq} at position ${original} forks the chain; the entries after position ${i} follow another entry ${e.seq}`)
            : tampered(i, e.seq, "inserted", `a second entry ${e.seq} forks the chain after entry ${e.seq - 1}`)
        }
        if (later >= 0) return tampered(i, e.seq, "reordered", `entry ${e.seq} comes after entry ${prevSeq}`)
        return tampered(i, e.seq, "inserted", `entry ${e.seq} appears again after entry ${prevSeq}`)
      }
      // Right seq, wrong link: either an entry forged in here (the next one chains past it) or a broken link.
      const next = decoded[i + 1]
      if (next !== undefined && next.seq === e.seq && next.prevHash === prevHash)
        return tampered(i, e.seq, "inserted", `entry ${e.seq} does not chain onto entry ${prevSeq}; the entry after it does`)
      if (next !== undefined && next.prevHash === prevHash) return tampered(i, e.seq, "inserted", `the entry after it chains onto entry ${prevSeq}`)
      return tampered(i, e.seq, "altered", `its prevHash does not match entry ${prevSeq}'s hash`)
    }
    let sum = 0
    for (const p of e.postings) sum += p.amount
    if (sum !== 0) return tampered(i, e.seq, "unbalanced", `its postings sum to ${sum}`)
    prevSeq = e.seq
    prevHash = e.hash
  }
  const head = { seq: prevSeq, hash: prevHash }
  const pinned = options.expectedHead
  if (pinned !== undefined && (pinned.seq !== head.seq || pinned.hash !== head.hash)) {
    if (pinned.seq > head.seq) return tampered(decoded.length, head.seq + 1, "truncated", `the ledger ends at entry ${head.seq}, the pinned head is entry ${pinned.seq}`)
    return tampered(decoded.length - 1, head.seq, "altered", `the ledger ends at entry ${head.seq} (${head.hash.slice(0, 12)}…), the pinned head is entry ${pinned.seq} (${pinned.hash.slice(0, 12)}…)`)
  }
  return Either.right({ count: decoded.length, head })
}
