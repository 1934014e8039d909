// A ledger entry: one transaction, a set of postings that sums to zero, sealed into a hash chain.
// `StoredEntry` is what stores persist: the canonical bytes the hash covers, plus the hash.
import { Schema } from "effect"
import { AccountId, MicroCredits } from "./accounts.ts"
import { IdempotencyKey } from "./requests.ts"

export const entryKinds = [
  "grant",
  "top-up",
  "transfer",
  "hold",
  "settle",
  "release",
  "collateral-post",
  "collateral-slash",
  "collateral-release"
] as const

export const EntryKind = Schema.Literal(...entryKinds)
export type EntryKind = typeof EntryKind.Type

export const Posting = Schema.Struct({ account: AccountId, amount: MicroCredits })
export type Posting = typeof Posting.Type

const Sha256Hex = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/))

export const LedgerEntry = Schema.Struct({
  /** 1, 2, 3, ... with no gaps. */
  seq: Schema.Int.pipe(Schema.positive()),
  /** Whole milliseconds of the clock the ledger runs on (virtual time in sim). */
  timeMs: Schema.NonNegativeInt,
  key: IdempotencyKey,
  kind: EntryKind,
  memo: Schema.String,
  postings: Schema.Array(Posting),
  /** The hash of entry seq - 1, or the genesis hash for entry 1. */
  prevHash: Sha256Hex,
  /** SHA-256 of the canonical encoding of every field above. */
  hash: Sha256Hex
})
export type LedgerEntry = typeof LedgerEntry.Type

/** An entry as a store keeps it; `seq` is the store's own record of it (a row key), checked against the body. */
export interface StoredEntry {
  readonly seq: number
  readonly body: Uint8Array
  readonly hash: string
}

export const genesisHash = "0".repeat(64)

/** The last sealed entry: what the next entry chains to, and what an auditor pins. */
export interface ChainHead {
  readonly seq: number
  readonly hash: string
}
