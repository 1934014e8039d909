// The in-memory LedgerStore: entries as the same bytes a durable store would keep, so tests can
// tamper with the stored form exactly as they do with SQLite's.
import { Effect, Layer } from "effect"
import type { AccountId, MicroCredits } from "./accounts.ts"
import type { StoredEntry } from "./entry.ts"
import { LedgerStore, LedgerStoreError, type LedgerStoreShape } from "./LedgerStore.ts"

export interface MemoryLedgerStore extends LedgerStoreShape {
  /** The stored entries themselves (mutable: tests corrupt them to check the audit). */
  readonly stored: Array<{ seq: number; body: Uint8Array; hash: string }>
}

export const makeMemoryLedgerStore = (): MemoryLedgerStore => {
  const stored: Array<{ seq: number; body: Uint8Array; hash: string }> = []
  const balances = new Map<AccountId, MicroCredits>()
  return {
    stored,
    load: Effect.sync(() => ({
      entries: stored.map((e) => ({ seq: e.seq, body: e.body.slice(), hash: e.hash })),
      balances: [...balances.entries()]
    })),
    append: (entries, changed) =>
      Effect.suspend(() => {
        const last = stored.length === 0 ? 0 : stored[stored.length - 1]!.seq
        if (entries.length > 0 && entries[0]!.seq !== last + 1)
          return Effect.fail(new LedgerStoreError({ operation: "append", cause: new Error(`entry ${entries[0]!.seq} does not follow ${last}`) }))
        for (const e of entries) stored.push({ seq: e.seq, body: e.body.slice(), hash: e.hash })
        for (const [account, balance] of changed) {
          if (balance === 0) balances.delete(account)
          else balances.set(account, balance)
        }
        return Effect.void
      }),
    read: (fromSeq, limit) =>
      Effect.sync(() =>
        stored
          .filter((e) => e.seq >= fromSeq)
          .slice(0, limit)
          .map((e): StoredEntry => ({ seq: e.seq, body: e.body.slice(), hash: e.hash }))
      )
  }
}

export const memoryLedgerStoreLayer: Layer.Layer<LedgerStore> = Layer.sync(LedgerStore, makeMemoryLedgerStore)
