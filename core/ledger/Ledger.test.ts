// The shared ledger suite over the in-memory store.
import { Effect, Layer } from "effect"
import { ledgerStoreSuite } from "./ledgerSuite.ts"
import { LedgerStore } from "./LedgerStore.ts"
import { makeMemoryLedgerStore } from "./memoryLedgerStore.ts"

ledgerStoreSuite({
  name: "the in-memory store",
  runs: 60,
  fresh: Effect.sync(() => {
    const store = makeMemoryLedgerStore()
    const at = (seq: number) => store.stored.find((e) => e.seq === seq)!
    return {
      layer: Layer.succeed(LedgerStore, store),
      sizes: (seq) => Effect.sync(() => ({ body: at(seq).body.length, hash: at(seq).hash.length })),
      corrupt: (seq, part, offset, xor) =>
        Effect.sync(() => {
          const e = at(seq)
          if (part === "body") e.body[offset] = e.body[offset]! ^ xor
          else e.hash = e.hash.slice(0, offset) + String.fromCharCode((e.hash.charCodeAt(offset) ^ xor) & 0xff) + e.hash.slice(offset + 1)
        })
    }
  })
})
