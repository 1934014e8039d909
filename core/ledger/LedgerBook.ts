// The ledger's logic, synchronous and allocation-light so the simulator can call it in its hot
// loop: it validates a request against current balances, builds the entry, seals it into the
// hash chain and applies it. Stores only persist what it produces; the Effect `Ledger` wraps it.
// With `retainEntries: false` it keeps only balances, open escrows (with the idempotency keys
// that touched them), non-escrow keys and the chain head, so a million-job run stays small.
import { Either } from "effect"
import { type AccountId, accountKind, collateralOf, type MicroCredits } from "./accounts.ts"
import { digestHex, EntryEncoder, hexToBytes } from "./encoding.ts"
import { type ChainHead, type EntryKind, genesisHash, type LedgerEntry, type Posting } from "./entry.ts"
import {
  EscrowClosed,
  EscrowOverdrawn,
  EscrowPayerMismatch,
  IdempotencyConflict,
  InsufficientCredits,
  InvalidAccount,
  InvalidAmount,
  type LedgerError,
  UnknownEscrow
} from "./errors.ts"
import type { IdempotencyKey, LedgerRequest } from "./requests.ts"

export interface LedgerBookOptions {
  /** Keep every entry in memory (default). Off for long simulations: balances and the head still advance. */
  readonly retainEntries?: boolean
}

/** The result of a request: the entry it produced, or the original entry when its key was seen before. */
export interface Receipt {
  readonly entry: LedgerEntry
  readonly replayed: boolean
}

export interface EscrowView {
  readonly job: number
  readonly payer: AccountId
  /** Everything ever held for the job. */
  readonly heldAmount: MicroCredits
  /** What is still in escrow: held minus settled. */
  readonly remaining: MicroCredits
}

interface OpenEscrow {
  readonly account: AccountId
  readonly payer: AccountId
  held: number
  remaining: number
  /** Keys of this escrow's entries, forgotten at release when entries are not retained. */
  readonly keys: Array<string>
}

const payerKinds = "a user or organisation account"
const holderKinds = "a user, organisation, lender or platform account"

const isHolder = (account: string): boolean => {
  const k = accountKind(account)
  return k === "user" || k === "org" || k === "lender" || k === "platform"
}

const checkAmount = (field: string, amount: number): InvalidAmount | undefined =>
  Number.isSafeInteger(amount) && amount >= 0
    ? undefined
    : new InvalidAmount({ field, amount, reason: "amounts are non-negative whole micro-credits" })

const post = (account: AccountId, amount: number): Posting => ({ account, amount: amount as MicroCredits })

export class LedgerBook {
  private readonly retain: boolean
  private readonly balanceOf = new Map<string, number>()
  private readonly open = new Map<number, OpenEscrow>()
  /** Closed escrows as a bitset over (dense) job ids: one bit per job even when nothing else is kept. */
  private closed = new Uint8Array(1024)
  /** Closed jobs with ids too large for the bitset (which would otherwise be allocated up to them). */
  private readonly closedSparse = new Set<number>()
  private readonly byKey = new Map<string, LedgerEntry>()
  private readonly retained: Array<LedgerEntry> = []
  private readonly encoder = new EntryEncoder()
  private seq = 0
  private headHash = genesisHash
  private headBytes: Uint8Array = new Uint8Array(32)
  private issuedTotal = 0

  constructor(options: LedgerBookOptions = {}) {
    this.retain = options.retainEntries ?? true
  }

  /** Validates and applies one request at `nowMs` (whole ms are recorded). Rejections change nothing. */
  apply(request: LedgerRequest, nowMs: number): Either.Either<Receipt, LedgerError> {
    const seen = this.byKey.get(request.key)
    if (seen !== undefined) {
      return matchesEntry(request, seen)
        ? Either.right({ entry: seen, replayed: true })
        : Either.left(new IdempotencyConflict({ key: request.key, existingSeq: seen.seq }))
    }
    switch (request._tag) {
      case "Grant":
      case "TopUp":
        return this.issue(request.key, request._tag === "Grant" ? "grant" : "top-up", request.to, request.amount, request.memo, nowMs)
      case "Transfer":
        return this.transfer(request.key, request.from, request.to, request.amount, request.memo, nowMs)
      case "Hold":
        return this.hold(request.key, request.job, request.payer, request.amount, request.memo, nowMs)
      case "Settle":
        return this.settle(request.key, request.job, request.lender, request.lenderAmount, request.platformFee, request.memo, nowMs)
      case "Release":
        return this.release(request.key, request.job, request.memo, nowMs)
      case "PostCollateral":
        return this.collateral(request.key, "collateral-post", request.lender, request.amount, undefined, request.memo, nowMs)
      case "SlashCollateral":
        return this.collateral(request.key, "collateral-slash", request.lender, request.amount, request.to ?? ("platform" as AccountId), request.memo, nowMs)
      case "ReleaseCollateral":
        return this.collateral(request.key, "collateral-release", request.lender, request.amount, undefined, request.memo, nowMs)
    }
  }

  balance(account: AccountId | string): MicroCredits {
    if (account.startsWith("escrow:")) return (this.open.get(jobOf(account) ?? -1)?.remaining ?? 0) as MicroCredits
    return (this.balanceOf.get(account) ?? 0) as MicroCredits
  }

  /** Every account with a non-zero balance, sorted by account id. */
  balances(): Array<readonly [AccountId, MicroCredits]> {
    return [...this.balanceOf.entries(), ...[...this.open.values()].map((e) => [e.account, e.remaining] as const)]
      .filter(([, b]) => b !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) as unknown as Array<readonly [AccountId, MicroCredits]>
  }

  /** Credits created so far by grants and top-ups: what every non-issuance balance sums to. */
  get issued(): MicroCredits {
    return this.issuedTotal as MicroCredits
  }

  get head(): ChainHead {
    return { seq: this.seq, hash: this.headHash }
  }

  /** How many idempotency keys the book remembers: what a long run's memory grows with. */
  get rememberedKeys(): number {
    return this.byKey.size
  }

  /** The retained entries in order (empty when entries are not retained). */
  get entries(): ReadonlyArray<LedgerEntry> {
    return this.retained
  }

  escrow(job: number): EscrowView | undefined {
    const e = this.open.get(job)
    return e && { job, payer: e.payer, heldAmount: e.held as MicroCredits, remaining: e.remaining as MicroCredits }
  }

  openEscrows(): Array<EscrowView> {
    return [...this.open.keys()].sort((a, b) => a - b).map((j) => this.escrow(j)!)
  }

  isClosed(job: number): boolean {
    if (job >= bitsetJobs) return this.closedSparse.has(job)
    return job < this.closed.length * 8 && (this.closed[job >>> 3]! & (1 << (job & 7))) !== 0
  }

  /**
   * Re-applies an entry read back from a store, checking that it chains onto the head and keeps
   * every rule (so a store that lies is caught on open). Returns what is wrong, if anything.
   */
  restore(entry: LedgerEntry): string | undefined {
    if (entry.seq !== this.seq + 1) return `entry ${entry.seq} follows ${this.seq}`
    if (entry.prevHash !== this.headHash) return `entry ${entry.seq} does not chain onto entry ${this.seq}`
    let sum = 0
    for (const p of entry.postings) sum += p.amount
    if (sum !== 0) return `entry ${entry.seq}'s postings sum to ${sum}`
    const ps = entry.postings
    const account = (i: number) => ps[i]?.account ?? ""
    if (ps.length !== (entry.kind === "settle" ? 3 : 2)) return `entry ${entry.seq} has ${ps.length} postings, a ${entry.kind} has ${entry.kind === "settle" ? 3 : 2}`
    if (entry.kind !== "hold" && entry.kind !== "settle" && entry.kind !== "release" && ps.some((p) => p.account.startsWith("escrow:")))
      return `entry ${entry.seq} moves escrow credits outside a hold, settlement or release`
    const issues = entry.kind === "grant" || entry.kind === "top-up"
    if (ps.some((p, i) => (p.account === "issuance") !== (issues && i === 0)))
      return `entry ${entry.seq} touches issuance outside a grant or top-up`
    switch (entry.kind) {
      case "hold": {
        const job = jobOf(account(1))
        if (job === undefined) return `entry ${entry.seq} is not a hold`
        if (this.isClosed(job)) return `entry ${entry.seq} holds for closed job ${job}`
        const e = this.open.get(job)
        if (e !== undefined && e.payer !== account(0)) return `entry ${entry.seq} holds for job ${job} from a second payer`
        break
      }
      case "settle":
      case "release": {
        const job = jobOf(account(0))
        if (job === undefined || !this.open.has(job)) return `entry ${entry.seq} ${entry.kind}s a job with no open escrow`
        if (entry.kind === "release" && (account(1) !== this.open.get(job)!.payer || ps[0]!.amount !== -this.open.get(job)!.remaining))
          return `entry ${entry.seq} does not release job ${job}'s remainder to its payer`
        break
      }
    }
    for (const p of ps) {
      if (p.account === "issuance") continue
      if (this.balance(p.account) + p.amount < 0) return `entry ${entry.seq} overdraws ${p.account}`
    }
    const hashBytes = hexToBytes(entry.hash)
    if (hashBytes === undefined) return `entry ${entry.seq} has a malformed hash`
    this.headBytes = hashBytes
    this.commit(entry, entry.kind === "hold" ? jobOf(account(1))! : entry.kind === "settle" || entry.kind === "release" ? jobOf(account(0))! : -1)
    return undefined
  }

  private issue(key: IdempotencyKey, kind: EntryKind, to: AccountId, amount: number, memo: string | undefined, nowMs: number): Either.Either<Receipt, LedgerError> {
    const bad = checkAmount("amount", amount)
    if (bad) return Either.left(bad)
    if (!isHolder(to)) return Either.left(new InvalidAccount({ account: to, role: "recipient", expected: holderKinds }))
    if (!Number.isSafeInteger(this.issuedTotal + amount) || !Number.isSafeInteger(this.balance(to) + amount))
      return Either.left(new InvalidAmount({ field: "amount", amount, reason: "the total would exceed the largest exact integer" }))
    return this.seal(key, kind, memo, nowMs, [post("issuance" as AccountId, -amount), post(to, amount)])
  }

  private transfer(key: IdempotencyKey, from: AccountId, to: AccountId, amount: number, memo: string | undefined, nowMs: number): Either.Either<Receipt, LedgerError> {
    const bad = checkAmount("amount", amount)
    if (bad) return Either.left(bad)
    if (!isHolder(from)) return Either.left(new InvalidAccount({ account: from, role: "sender", expected: holderKinds }))
    if (!isHolder(to)) return Either.left(new InvalidAccount({ account: to, role: "recipient", expected: holderKinds }))
    const have = this.balance(from)
    if (have < amount) return Either.left(new InsufficientCredits({ account: from, balance: have, amount }))
    return this.seal(key, "transfer", memo, nowMs, [post(from, -amount), post(to, amount)])
  }

  private hold(key: IdempotencyKey, job: number, payer: AccountId, amount: number, memo: string | undefined, nowMs: number): Either.Either<Receipt, LedgerError> {
    const bad = checkAmount("amount", amount) ?? checkJob(job)
    if (bad) return Either.left(bad)
    const kind = accountKind(payer)
    if (kind !== "user" && kind !== "org") return Either.left(new InvalidAccount({ account: payer, role: "payer", expected: payerKinds }))
    if (this.isClosed(job)) return Either.left(new EscrowClosed({ job }))
    const e = this.open.get(job)
    if (e !== undefined && e.payer !== payer) return Either.left(new EscrowPayerMismatch({ job, payer, heldBy: e.payer }))
    const have = this.balance(payer)
    if (have < amount) return Either.left(new InsufficientCredits({ account: payer, balance: have, amount }))
    return this.seal(key, "hold", memo, nowMs, [post(payer, -amount), post(e?.account ?? (`escrow:${job}` as AccountId), amount)], job)
  }

  private settle(
    key: IdempotencyKey,
    job: number,
    lender: AccountId,
    lenderAmount: number,
    platformFee: number,
    memo: string | undefined,
    nowMs: number
  ): Either.Either<Receipt, LedgerError> {
    const bad = checkAmount("lenderAmount", lenderAmount) ?? checkAmount("platformFee", platformFee) ?? checkJob(job)
    if (bad) return Either.left(bad)
    if (accountKind(lender) !== "lender") return Either.left(new InvalidAccount({ account: lender, role: "lender", expected: "a lender account" }))
    const e = this.open.get(job)
    if (e === undefined) return Either.left(this.isClosed(job) ? new EscrowClosed({ job }) : new UnknownEscrow({ job }))
    const total = lenderAmount + platformFee
    if (total > e.remaining) return Either.left(new EscrowOverdrawn({ job, remaining: e.remaining, requested: total }))
    return this.seal(key, "settle", memo, nowMs, [post(e.account, -total), post(lender, lenderAmount), post("platform" as AccountId, platformFee)], job)
  }

  private release(key: IdempotencyKey, job: number, memo: string | undefined, nowMs: number): Either.Either<Receipt, LedgerError> {
    const bad = checkJob(job)
    if (bad) return Either.left(bad)
    const e = this.open.get(job)
    if (e === undefined) return Either.left(this.isClosed(job) ? new EscrowClosed({ job }) : new UnknownEscrow({ job }))
    return this.seal(key, "release", memo, nowMs, [post(e.account, -e.remaining), post(e.payer, e.remaining)], job)
  }

  private collateral(
    key: IdempotencyKey,
    kind: "collateral-post" | "collateral-slash" | "collateral-release",
    lender: AccountId,
    amount: number,
    to: AccountId | undefined,
    memo: string | undefined,
    nowMs: number
  ): Either.Either<Receipt, LedgerError> {
    const bad = checkAmount("amount", amount)
    if (bad) return Either.left(bad)
    if (accountKind(lender) !== "lender") return Either.left(new InvalidAccount({ account: lender, role: "lender", expected: "a lender account" }))
    const pledge = collateralOf(lender)
    const from = kind === "collateral-post" ? lender : pledge
    const dest = kind === "collateral-post" ? pledge : kind === "collateral-slash" ? to! : lender
    if (kind === "collateral-slash" && !isHolder(dest))
      return Either.left(new InvalidAccount({ account: dest, role: "recipient of slashed collateral", expected: holderKinds }))
    const have = this.balance(from)
    if (have < amount) return Either.left(new InsufficientCredits({ account: from, balance: have, amount }))
    return this.seal(key, kind, memo, nowMs, [post(from, -amount), post(dest, amount)])
  }

  private seal(
    key: IdempotencyKey,
    kind: EntryKind,
    memo: string | undefined,
    nowMs: number,
    postings: Array<Posting>,
    job = -1
  ): Either.Either<Receipt, LedgerError> {
    const seq = this.seq + 1
    const timeMs = Math.floor(nowMs)
    const m = memo ?? ""
    const digest = this.encoder.encode(seq, timeMs, this.headBytes, kind, key, m, postings).hash()
    const entry: LedgerEntry = { seq, timeMs, key, kind, memo: m, postings, prevHash: this.headHash, hash: digestHex(digest) }
    this.headBytes = digest
    this.commit(entry, job)
    return Either.right({ entry, replayed: false })
  }

  /**
   * Applies a sealed, valid entry to the state (the caller has set `headBytes`). `job` is the
   * escrow's job for holds, settlements and releases: escrow balances live in the open escrow
   * itself, not in the balance map.
   */
  private commit(entry: LedgerEntry, job: number): void {
    const ps = entry.postings
    this.seq = entry.seq
    this.headHash = entry.hash
    let escrow: OpenEscrow | undefined
    switch (entry.kind) {
      case "hold": {
        escrow = this.open.get(job)
        if (escrow === undefined) {
          escrow = { account: ps[1]!.account, payer: ps[0]!.account, held: 0, remaining: 0, keys: [] }
          this.open.set(job, escrow)
        }
        escrow.held += ps[1]!.amount
        escrow.remaining += ps[1]!.amount
        this.add(ps[0]!)
        break
      }
      case "settle":
        escrow = this.open.get(job)!
        escrow.remaining += ps[0]!.amount
        this.add(ps[1]!)
        this.add(ps[2]!)
        break
      case "release":
        escrow = this.open.get(job)!
        this.open.delete(job)
        this.add(ps[1]!)
        this.markClosed(job)
        if (!this.retain) {
          for (const k of escrow.keys) this.byKey.delete(k)
          return
        }
        break
      default:
        for (let i = 0; i < ps.length; i++) this.add(ps[i]!)
        if (entry.kind === "grant" || entry.kind === "top-up") this.issuedTotal += ps[1]!.amount
    }
    this.byKey.set(entry.key, entry)
    if (this.retain) this.retained.push(entry)
    else if (escrow !== undefined) escrow.keys.push(entry.key)
  }

  private add(p: Posting): void {
    if (p.amount !== 0) this.balanceOf.set(p.account, (this.balanceOf.get(p.account) ?? 0) + p.amount)
  }

  private markClosed(job: number): void {
    if (job >= bitsetJobs) {
      this.closedSparse.add(job)
      return
    }
    const byte = job >>> 3
    if (byte >= this.closed.length) {
      let n = this.closed.length
      while (n <= byte) n *= 2
      const next = new Uint8Array(n)
      next.set(this.closed)
      this.closed = next
    }
    this.closed[byte] = this.closed[byte]! | (1 << (job & 7))
  }
}

/** Job ids below this live in the closed-escrow bitset (at most 16 MiB of it). */
const bitsetJobs = 2 ** 27

const checkJob = (job: number): InvalidAmount | undefined =>
  Number.isSafeInteger(job) && job >= 0 ? undefined : new InvalidAmount({ field: "job", amount: job, reason: "job ids are non-negative integers" })

const jobOf = (account: string): number | undefined => {
  if (!account.startsWith("escrow:")) return undefined
  const n = Number(account.slice(7))
  return Number.isSafeInteger(n) ? n : undefined
}

/** Whether a request with an already-used key is the same request as the one that made `entry`. */
export const matchesEntry = (request: LedgerRequest, entry: LedgerEntry): boolean => {
  const ps = entry.postings
  const is = (i: number, account: string, amount?: number) =>
    ps[i] !== undefined && ps[i]!.account === account && (amount === undefined || ps[i]!.amount === amount)
  if ((request.memo ?? "") !== entry.memo) return false
  switch (request._tag) {
    case "Grant":
    case "TopUp":
      return entry.kind === (request._tag === "Grant" ? "grant" : "top-up") && is(1, request.to, request.amount) && ps.length === 2
    case "Transfer":
      return entry.kind === "transfer" && is(0, request.from, -request.amount) && is(1, request.to, request.amount)
    case "Hold":
      return entry.kind === "hold" && is(0, request.payer, -request.amount) && is(1, `escrow:${request.job}`)
    case "Settle":
      return (
        entry.kind === "settle" &&
        is(0, `escrow:${request.job}`) &&
        is(1, request.lender, request.lenderAmount) &&
        is(2, "platform", request.platformFee)
      )
    case "Release":
      return entry.kind === "release" && is(0, `escrow:${request.job}`)
    case "PostCollateral":
      return entry.kind === "collateral-post" && is(0, request.lender, -request.amount)
    case "SlashCollateral":
      return entry.kind === "collateral-slash" && is(0, collateralOf(request.lender), -request.amount) && is(1, request.to ?? "platform")
    case "ReleaseCollateral":
      return entry.kind === "collateral-release" && is(0, collateralOf(request.lender), -request.amount) && is(1, request.lender)
  }
}
