// The Ledger service: the synchronous book behind one writer fiber, over a LedgerStore. Callers
// on any number of fibers submit requests; the writer takes whatever is queued, applies it to the
// book in order (so concurrent settlements can never double-spend) and persists the new entries
// and balances in one store transaction: a group commit. A failed commit reloads the book from
// the store, so memory never runs ahead of what is durable.
import { Clock, Context, Data, Deferred, Effect, Either, Layer, Option, Queue, type Scope } from "effect"
import type { AccountId, MicroCredits } from "./accounts.ts"
import { decodeEntryBody, EntryEncoder, encodeEntryBody } from "./encoding.ts"
import type { ChainHead, LedgerEntry, StoredEntry } from "./entry.ts"
import type { LedgerError } from "./errors.ts"
import { type EscrowView, LedgerBook, type Receipt } from "./LedgerBook.ts"
import { LedgerStore, type LedgerStoreError, type LedgerStoreShape } from "./LedgerStore.ts"
import type { LedgerRequest } from "./requests.ts"
import { type LedgerTampered, type VerifiedLedger, verifyLedger } from "./verifyLedger.ts"

/** What the store handed back on open does not add up: the ledger refuses to start on it. */
export class LedgerCorrupted extends Data.TaggedError("LedgerCorrupted")<{
  readonly reason: string
  readonly tampered?: LedgerTampered
}> {
  override get message() {
    return `the stored ledger is inconsistent: ${this.reason}`
  }
}

export type SubmitResult = Either.Either<Receipt, LedgerError>

export interface LedgerShape {
  readonly submit: (request: LedgerRequest) => Effect.Effect<Receipt, LedgerError | LedgerStoreError>
  /** Applies the requests in order and commits them in one store transaction; each gets its own result. */
  readonly submitAll: (requests: ReadonlyArray<LedgerRequest>) => Effect.Effect<ReadonlyArray<SubmitResult>, LedgerStoreError>
  readonly balance: (account: AccountId) => Effect.Effect<MicroCredits>
  /** Every non-zero balance, by account id. */
  readonly balances: Effect.Effect<ReadonlyArray<readonly [AccountId, MicroCredits]>>
  /** Credits created by grants and top-ups so far. */
  readonly issued: Effect.Effect<MicroCredits>
  readonly escrow: (job: number) => Effect.Effect<Option.Option<EscrowView>>
  readonly openEscrows: Effect.Effect<ReadonlyArray<EscrowView>>
  readonly head: Effect.Effect<ChainHead>
  /** Stored entries from `fromSeq` on, decoded. */
  readonly entries: (fromSeq: number, limit: number) => Effect.Effect<ReadonlyArray<LedgerEntry>, LedgerStoreError | LedgerCorrupted>
  /** Audits the stored ledger against its hash chain and the head this ledger has committed. */
  readonly verify: Effect.Effect<Either.Either<VerifiedLedger, LedgerTampered>, LedgerStoreError>
}

export interface LedgerOptions {
  /** Most requests one group commit takes from the queue. */
  readonly maxBatchRequests?: number
  /**
   * Keep every entry in memory (default): replays of any key return the original entry. Off, the
   * memory stays bounded and a replay on a closed escrow is answered with EscrowClosed instead.
   */
  readonly retainEntries?: boolean
}

interface Pending {
  readonly requests: ReadonlyArray<LedgerRequest>
  readonly done: Deferred.Deferred<ReadonlyArray<SubmitResult>, LedgerStoreError>
}

/** Rebuilds a book from what a store holds, checking the chain, every rule and the stored balances. */
export const loadBook = (store: LedgerStoreShape, retainEntries = true): Effect.Effect<LedgerBook, LedgerStoreError | LedgerCorrupted> =>
  Effect.gen(function* () {
    const persisted = yield* store.load
    const audit = verifyLedger(persisted.entries)
    if (Either.isLeft(audit)) return yield* new LedgerCorrupted({ reason: audit.left.message, tampered: audit.left })
    const book = new LedgerBook({ retainEntries })
    for (const stored of persisted.entries) {
      const entry = Either.getOrThrow(decodeEntryBody(stored.body, stored.hash))
      const wrong = book.restore(entry)
      if (wrong !== undefined) return yield* new LedgerCorrupted({ reason: wrong })
    }
    const stored = new Map<string, number>(persisted.balances)
    for (const [account, balance] of stored) {
      if (book.balance(account) !== balance)
        return yield* new LedgerCorrupted({ reason: `the stored balance of ${account} is ${balance}, its entries add up to ${book.balance(account)}` })
    }
    for (const [account, balance] of book.balances()) {
      if (!stored.has(account)) return yield* new LedgerCorrupted({ reason: `${account} has no stored balance, its entries add up to ${balance}` })
    }
    return book
  })

const toStored = (encoder: EntryEncoder) => (entry: LedgerEntry): StoredEntry => ({ seq: entry.seq, body: encodeEntryBody(entry, encoder)!, hash: entry.hash })

export const makeLedger = (options: LedgerOptions = {}): Effect.Effect<LedgerShape, LedgerStoreError | LedgerCorrupted, LedgerStore | Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* LedgerStore
    const maxBatch = options.maxBatchRequests ?? 8192
    const retain = options.retainEntries ?? true
    let book = yield* loadBook(store, retain)
    const lock = yield* Effect.makeSemaphore(1)
    const queue = yield* Effect.acquireRelease(Queue.unbounded<Pending>(), Queue.shutdown)
    const encode = toStored(new EntryEncoder())

    const commitGroup = (group: ReadonlyArray<Pending>) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const results = group.map((p) => p.requests.map((r) => book.apply(r, now)))
        const fresh: Array<LedgerEntry> = []
        for (const rs of results) for (const r of rs) if (Either.isRight(r) && !r.right.replayed) fresh.push(r.right.entry)
        if (fresh.length > 0) {
          const touched = new Set<AccountId>()
          for (const e of fresh) for (const p of e.postings) touched.add(p.account)
          const balances = [...touched].map((a) => [a, book.balance(a)] as const)
          const committed = yield* Effect.exit(store.append(fresh.map(encode), balances))
          if (committed._tag === "Failure") {
            // Memory is ahead of the store: fall back to what the store holds, then report the failure.
            book = yield* Effect.orDie(loadBook(store, retain))
            for (const p of group) yield* Deferred.failCause(p.done, committed.cause)
            return
          }
        }
        for (let i = 0; i < group.length; i++) yield* Deferred.succeed(group[i]!.done, results[i]!)
      })

    const writer = Effect.gen(function* () {
      const first = yield* Queue.take(queue)
      const group = [first]
      let count = first.requests.length
      while (count < maxBatch) {
        const next = yield* Queue.poll(queue)
        if (Option.isNone(next)) break
        group.push(next.value)
        count += next.value.requests.length
      }
      // A defect in one group must not leave its callers waiting forever.
      yield* lock.withPermits(1)(commitGroup(group)).pipe(
        Effect.catchAllCause((cause) => Effect.forEach(group, (p) => Deferred.failCause(p.done, cause)))
      )
    }).pipe(Effect.forever)
    yield* Effect.forkScoped(writer)

    const submitAll = (requests: ReadonlyArray<LedgerRequest>) =>
      Effect.gen(function* () {
        const done = yield* Deferred.make<ReadonlyArray<SubmitResult>, LedgerStoreError>()
        yield* Queue.offer(queue, { requests, done })
        return yield* Deferred.await(done)
      })
    const read = <A>(f: () => A) => lock.withPermits(1)(Effect.sync(f))

    return {
      submit: (request) => Effect.flatMap(submitAll([request]), (rs) => rs[0]!),
      submitAll,
      balance: (account) => read(() => book.balance(account)),
      balances: read(() => book.balances()),
      issued: read(() => book.issued),
      escrow: (job) => read(() => Option.fromNullable(book.escrow(job))),
      openEscrows: read(() => book.openEscrows()),
      head: read(() => book.head),
      entries: (fromSeq, limit) =>
        Effect.flatMap(store.read(fromSeq, limit), (stored) =>
          Effect.forEach(stored, (s) =>
            Either.match(decodeEntryBody(s.body, s.hash), {
              onLeft: (why) => Effect.fail(new LedgerCorrupted({ reason: `stored entry ${s.seq} does not decode: ${why}` })),
              onRight: Effect.succeed
            })
          )
        ),
      verify: lock.withPermits(1)(
        Effect.map(store.read(1, Number.MAX_SAFE_INTEGER), (stored) => verifyLedger(stored, { expectedHead: book.head }))
      )
    } satisfies LedgerShape
  })

export class Ledger extends Context.Tag("crowdcloud/Ledger")<Ledger, LedgerShape>() {
  static readonly layer = (options?: LedgerOptions): Layer.Layer<Ledger, LedgerStoreError | LedgerCorrupted, LedgerStore> =>
    Layer.scoped(Ledger, makeLedger(options))
}
