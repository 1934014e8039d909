// The persistence port: stores keep sealed entries and the balances they lead to, atomically
// per batch, and hand everything back on open. They hold no ledger logic; the book checks
// whatever they return. Sim and tests use the in-memory store; live uses SQLite.
import { Context, Data, type Effect } from "effect"
import type { AccountId, MicroCredits } from "./accounts.ts"
import type { StoredEntry } from "./entry.ts"

export class LedgerStoreError extends Data.TaggedError("LedgerStoreError")<{
  readonly operation: string
  readonly cause: unknown
}> {
  override get message() {
    return `ledger store failed to ${this.operation}: ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
  }
}

export interface PersistedLedger {
  readonly entries: ReadonlyArray<StoredEntry>
  /** Every account with a non-zero balance. */
  readonly balances: ReadonlyArray<readonly [AccountId, MicroCredits]>
}

export interface LedgerStoreShape {
  /** Everything persisted, entries in seq order. */
  readonly load: Effect.Effect<PersistedLedger, LedgerStoreError>
  /**
   * Appends entries (consecutive seqs following the last stored one) and sets the given accounts'
   * balances (0 = drop the account's row, as for a closed escrow), all in one atomic transaction:
   * after a crash either all of it is there or none.
   */
  readonly append: (
    entries: ReadonlyArray<StoredEntry>,
    balances: ReadonlyArray<readonly [AccountId, MicroCredits]>
  ) => Effect.Effect<void, LedgerStoreError>
  /** Up to `limit` stored entries from `fromSeq` on, in seq order. */
  readonly read: (fromSeq: number, limit: number) => Effect.Effect<ReadonlyArray<StoredEntry>, LedgerStoreError>
}

export class LedgerStore extends Context.Tag("crowdcloud/LedgerStore")<LedgerStore, LedgerStoreShape>() {}
