// What a principal may see of jobs and of the ledger (portal-common.md's model): a personal user sees
// their jobs and account; an org admin the org's account and every job the org paid for; a member
// their own jobs, the org's balance, and of the org's ledger only their own jobs' charges.
import { borrowerAccount } from "../../core/economy/accounts.ts"
import type { LedgerEntry } from "../../core/ledger/entry.ts"
import type { Principal } from "../api/Principal.ts"

export type Standing = "personal" | "admin" | "member"

export interface Scope {
  readonly user: string
  readonly payer: string
  /** The ledger account the caller's jobs draw on. */
  readonly account: string
  readonly standing: Standing
}

export const scopeOf = (principal: Principal): Scope => ({
  user: principal.user,
  payer: principal.payer,
  account: borrowerAccount(principal.payer),
  standing: principal.org === null ? "personal" : principal.org.role === "admin" ? "admin" : "member"
})

/** Whether the caller may buy credits for the account and read all of its ledger. */
export const seesWholeAccount = (scope: Scope): boolean => scope.standing !== "member"

/** Whether a job (by its submitter and payer) is the caller's to see. */
export const jobVisible = (scope: Scope, owner: string, payer: string | null): boolean =>
  owner === scope.user || (scope.standing === "admin" && (payer ?? owner) === scope.payer)

const escrowPattern = /^escrow:(0|[1-9][0-9]*)$/

/** The job whose escrow an entry moves, if any. */
export const jobOfEntry = (entry: LedgerEntry): number | null => {
  for (const p of entry.postings) {
    const m = escrowPattern.exec(p.account)
    if (m !== null) return Number(m[1])
  }
  return null
}

/** The entry's net posting on the account (micro-credits), 0 when it does not touch it. */
export const netOn = (entry: LedgerEntry, account: string): number => {
  let sum = 0
  for (const p of entry.postings) if (p.account === account) sum += p.amount
  return sum
}

export const touches = (entry: LedgerEntry, account: string): boolean => entry.postings.some((p) => p.account === account)

/**
 * The account's entries the caller may read: all of them for a personal user or an admin, only
 * those of their own jobs for a member (`visibleJobs` is what the caller may see).
 */
export const accountEntries = (entries: ReadonlyArray<LedgerEntry>, scope: Scope, visibleJobs: ReadonlySet<number>): Array<LedgerEntry> =>
  entries.filter((e) => {
    if (!touches(e, scope.account)) return false
    if (seesWholeAccount(scope)) return true
    const job = jobOfEntry(e)
    return job !== null && visibleJobs.has(job)
  })
