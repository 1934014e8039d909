// Kill a process writing the SQLite ledger with SIGKILL in the middle of a batch, reopen the
// file, and the ledger must be consistent and verify, with the last batch wholly there or absent.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { Ledger } from "../../core/ledger/Ledger.ts"
import { Prng } from "../../core/random/prng.ts"
import { sqliteLedgerStoreLayer } from "./sqliteLedgerStore.ts"
import { scopedTempDir } from "../testing/tempDir.ts"

const root = path.resolve(import.meta.dirname, "../..")
const jobsPerBatch = 1500

interface Kill {
  readonly lastBegun: number
  readonly lastCommitted: number
  /** Whether the kill came after the store said its transaction was open and before it said it was done. */
  readonly insideAppend: boolean
}

/**
 * Runs the writer until it has committed `warmBatches` batches, timing its store transactions;
 * then, once the next batch's transaction opens, kills it `fraction` of a typical transaction later.
 */
const runAndKill = (filename: string, warmBatches: number, fraction: number) =>
  new Promise<Kill>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "crashWriter.ts"), filename, String(jobsPerBatch)], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let lastBegun = -1
    let lastCommitted = -1
    let committedHere = 0
    let appendStarted = 0
    let inAppend = false
    let insideAppend = false
    const appendMs: Array<number> = []
    let armed = false
    let stderr = ""
    let buffered = ""
    child.stderr.on("data", (d) => (stderr += d))
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString()
      const lines = buffered.split("\n")
      buffered = lines.pop()!
      for (const line of lines) {
        const [what, n] = line.split(" ")
        if (what === "begin") lastBegun = Number(n)
        if (what === "append") {
          inAppend = true
          appendStarted = performance.now()
          if (armed || committedHere < warmBatches) continue
          armed = true
          const typical = Math.min(...appendMs)
          setTimeout(() => {
            insideAppend = inAppend
            child.kill("SIGKILL")
          }, typical * fraction)
        }
        if (what === "appended") {
          inAppend = false
          appendMs.push(performance.now() - appendStarted)
        }
        if (what === "committed") {
          lastCommitted = Number(n)
          committedHere++
        }
      }
    })
    child.on("error", reject)
    child.on("exit", (code, signal) =>
      signal === "SIGKILL" ? resolve({ lastBegun, lastCommitted, insideAppend }) : reject(new Error(`writer exited with ${code}: ${stderr}`))
    )
  })

const inspect = (filename: string) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    return {
      audit: yield* ledger.verify,
      head: yield* ledger.head,
      balances: yield* ledger.balances,
      issued: yield* ledger.issued,
      open: yield* ledger.openEscrows,
      entries: yield* ledger.entries(1, Number.MAX_SAFE_INTEGER)
    }
  }).pipe(Effect.provide(Ledger.layer().pipe(Layer.provide(sqliteLedgerStoreLayer({ filename })))))

describe("SQLite ledger under SIGKILL", () => {
  it.effect("after a kill mid-batch the reopened ledger verifies, balances, and holds whole batches only", () =>
    Effect.gen(function* () {
      const dir = yield* scopedTempDir("crash")
      const filename = path.join(dir, "ledger.sqlite")
      const rng = Prng.fromSeed(7, "ledger-crash")
      // Several kills into the same file, each writer resuming after what the last one left, until
      // at least two kills have landed inside an open store transaction.
      let insideKills = 0
      for (let round = 0; round < 6 && insideKills < 2; round++) {
        const run = yield* Effect.promise(() => runAndKill(filename, 2, rng.uniform(0.1, 0.5)))
        if (run.insideAppend) insideKills++
        expect(run.lastBegun).toBeGreaterThan(run.lastCommitted)
        const state = yield* inspect(filename)
        expect(Either.isRight(state.audit)).toBe(true)
        let sum = 0
        for (const [account, balance] of state.balances) {
          sum += balance
          if (account !== "issuance") expect(balance).toBeGreaterThanOrEqual(0)
        }
        expect(sum).toBe(0)
        expect(state.issued).toBe(Number.MAX_SAFE_INTEGER - 1)
        expect(state.open).toEqual([])
        // Entry 1 is the grant; every batch is 3 entries per job, all of it or none.
        const perBatch = new Map<number, number>()
        for (const e of state.entries.slice(1)) {
          const b = Number(e.key.split(":")[1])
          perBatch.set(b, (perBatch.get(b) ?? 0) + 1)
        }
        const batches = [...perBatch.keys()].sort((a, b) => a - b)
        expect(batches).toEqual(batches.map((_, i) => i))
        for (const count of perBatch.values()) expect(count).toBe(3 * jobsPerBatch)
        expect(state.head.seq).toBe(1 + 3 * jobsPerBatch * batches.length)
        // Every batch reported committed is there; the one being written when killed is all or nothing.
        expect(batches.length === run.lastCommitted + 1 || batches.length === run.lastBegun + 1).toBe(true)
      }
      expect(insideKills).toBe(2)
    }).pipe(Effect.scoped)
  )
})
