// A child process for the crash test: writes job batches (hold, settle, release per job) to a
// SQLite ledger forever, each batch one group commit, until it is killed. It reports "begin <n>"
// before a batch, "append" / "appended" around the store transaction, and "committed <n>" after
// the batch, so the test can aim its SIGKILL inside the transaction.
// Usage: crashWriter.ts <file> <jobsPerBatch>
import { Effect, Either, Layer } from "effect"
import { LedgerStore } from "../../core/ledger/LedgerStore.ts"
import { Account, type MicroCredits } from "../../core/ledger/accounts.ts"
import { Ledger } from "../../core/ledger/Ledger.ts"
import type { IdempotencyKey, LedgerRequest } from "../../core/ledger/requests.ts"
import { sqliteLedgerStoreLayer } from "./sqliteLedgerStore.ts"

const [filename, jobsArg] = process.argv.slice(2)
const jobsPerBatch = Number(jobsArg)
const payer = Account.user("crash-test")
const lender = Account.lender("node-1")
const key = (k: string) => k as IdempotencyKey
const mc = (n: number) => n as MicroCredits

const batchRequests = (batch: number, jobs: number): Array<LedgerRequest> =>
  Array.from({ length: jobs }, (_, j) => {
    const job = batch * jobs + j
    return [
      { _tag: "Hold", key: key(`batch:${batch}:job:${job}:hold`), job, payer, amount: mc(1_000_000) },
      { _tag: "Settle", key: key(`batch:${batch}:job:${job}:settle`), job, lender, lenderAmount: mc(600_000), platformFee: mc(60_000) },
      { _tag: "Release", key: key(`batch:${batch}:job:${job}:release`), job }
    ] satisfies Array<LedgerRequest>
  }).flat()

const program = Effect.gen(function* () {
  const ledger = yield* Ledger
  yield* ledger.submit({ _tag: "Grant", key: key("grant"), to: payer, amount: mc(Number.MAX_SAFE_INTEGER - 1) })
  const head = yield* ledger.head
  // A restarted writer carries on after the batches already there.
  let batch = Math.floor((head.seq - 1) / (3 * jobsPerBatch))
  for (;;) {
    process.stdout.write(`begin ${batch}\n`)
    const results = yield* ledger.submitAll(batchRequests(batch, jobsPerBatch))
    const rejected = results.find(Either.isLeft)
    if (rejected) return yield* Effect.die(rejected.left)
    process.stdout.write(`committed ${batch}\n`)
    batch++
  }
})

/** The SQLite store, announcing each append on stdout (pipes are synchronous on Linux). */
const announcedStore = (file: string) =>
  Layer.effect(
    LedgerStore,
    Effect.map(LedgerStore, (store) => ({
      ...store,
      append: (entries, balances) =>
        Effect.sync(() => process.stdout.write("append\n")).pipe(
          Effect.zipRight(store.append(entries, balances)),
          Effect.tap(() => Effect.sync(() => process.stdout.write("appended\n")))
        )
    }))
  ).pipe(Layer.provide(sqliteLedgerStoreLayer({ filename: file })))

if (filename !== undefined) {
  Effect.runPromise(program.pipe(Effect.provide(Ledger.layer().pipe(Layer.provide(announcedStore(filename)))))).catch((e) => {
    process.stderr.write(`${e}\n`)
    process.exit(1)
  })
}
