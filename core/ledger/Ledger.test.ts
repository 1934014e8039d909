// The shared ledger suite over the in-memory store, and the service's own behaviour.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Option } from "effect"
import { Account, type MicroCredits } from "./accounts.ts"
import { Ledger } from "./Ledger.ts"
import { ledgerStoreSuite } from "./ledgerSuite.ts"
import { LedgerStore, LedgerStoreError, type LedgerStoreShape } from "./LedgerStore.ts"
import { makeMemoryLedgerStore, memoryLedgerStoreLayer } from "./memoryLedgerStore.ts"
import type { IdempotencyKey } from "./requests.ts"

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

describe("Ledger service", () => {
  const key = (k: string) => k as IdempotencyKey
  const ann = Account.user("ann")

  /** The memory store, counting appends and failing them on demand. */
  const instrumented = () => {
    const inner = makeMemoryLedgerStore()
    const state = { appends: 0, fail: false }
    const store: LedgerStoreShape = {
      ...inner,
      append: (entries, balances) =>
        Effect.suspend(() => {
          state.appends++
          return state.fail ? Effect.fail(new LedgerStoreError({ operation: "append entries", cause: new Error("disk full") })) : inner.append(entries, balances)
        })
    }
    return { state, layer: Ledger.layer().pipe(Layer.provide(Layer.succeed(LedgerStore, store))) }
  }

  it.effect("concurrent requests are group-committed: fewer store transactions than requests", () => {
    const { state, layer } = instrumented()
    return Effect.gen(function* () {
      const ledger = yield* Ledger
      const receipts = yield* Effect.forEach(
        Array.from({ length: 200 }, (_, i) => i),
        (i) => ledger.submit({ _tag: "Grant", key: key(`g${i}`), to: ann, amount: 1 as MicroCredits }),
        { concurrency: "unbounded" }
      )
      expect(new Set(receipts.map((r) => r.entry.seq)).size).toBe(200)
      expect(state.appends).toBeLessThan(200)
      expect(yield* ledger.balance(ann)).toBe(200)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a failed commit reports LedgerStoreError and leaves the ledger as the store has it", () => {
    const { state, layer } = instrumented()
    return Effect.gen(function* () {
      const ledger = yield* Ledger
      yield* ledger.submit({ _tag: "Grant", key: key("g"), to: ann, amount: 10 as MicroCredits })
      const head = yield* ledger.head
      state.fail = true
      const failed = yield* Effect.flip(ledger.submit({ _tag: "Grant", key: key("g2"), to: ann, amount: 5 as MicroCredits }))
      expect(failed._tag).toBe("LedgerStoreError")
      expect(failed.message).toMatch(/disk full/)
      expect(yield* ledger.head).toEqual(head)
      expect(yield* ledger.balance(ann)).toBe(10)
      state.fail = false
      const retried = yield* ledger.submit({ _tag: "Grant", key: key("g2"), to: ann, amount: 5 as MicroCredits })
      expect([retried.replayed, retried.entry.seq]).toEqual([false, 2])
      expect(Either.isRight(yield* ledger.verify)).toBe(true)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a rejected request comes back as its typed error and the job is not held", () =>
    Effect.gen(function* () {
      const ledger = yield* Ledger
      const e = yield* Effect.flip(ledger.submit({ _tag: "Hold", key: key("h"), job: 1, payer: ann, amount: 1 as MicroCredits }))
      expect(e).toMatchObject({ _tag: "InsufficientCredits", account: "user:ann", balance: 0, amount: 1 })
      expect(Option.isNone(yield* ledger.escrow(1))).toBe(true)
      expect((yield* ledger.head).seq).toBe(0)
    }).pipe(Effect.provide(Ledger.layer().pipe(Layer.provide(memoryLedgerStoreLayer))))
  )

  it.effect("without retained entries the service stays bounded, reopens to the same state, and refuses replays on closed escrows", () => {
    const store = makeMemoryLedgerStore()
    const layer = Ledger.layer({ retainEntries: false }).pipe(Layer.provide(Layer.succeed(LedgerStore, store)))
    const node = Account.lender("n1")
    return Effect.gen(function* () {
      const first = yield* Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* ledger.submit({ _tag: "Grant", key: key("g"), to: ann, amount: 1_000 as MicroCredits })
        yield* ledger.submit({ _tag: "Hold", key: key("h"), job: 3, payer: ann, amount: 600 as MicroCredits })
        yield* ledger.submit({ _tag: "Settle", key: key("s"), job: 3, lender: node, lenderAmount: 200 as MicroCredits, platformFee: 20 as MicroCredits })
        yield* ledger.submit({ _tag: "Release", key: key("r"), job: 3 })
        return { head: yield* ledger.head, balances: yield* ledger.balances }
      }).pipe(Effect.provide(layer))
      const again = yield* Effect.gen(function* () {
        const ledger = yield* Ledger
        const replay = yield* Effect.flip(ledger.submit({ _tag: "Settle", key: key("s"), job: 3, lender: node, lenderAmount: 200 as MicroCredits, platformFee: 20 as MicroCredits }))
        expect(replay._tag).toBe("EscrowClosed")
        return { head: yield* ledger.head, balances: yield* ledger.balances }
      }).pipe(Effect.provide(layer))
      expect(again).toEqual(first)
      expect(first.balances).toEqual([["issuance", -1_000], ["lender:n1", 200], ["platform", 20], ["user:ann", 780]])
    })
  })
})
