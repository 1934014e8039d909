// The narrow view of the ledger the marketplace needs: escrow per borrower job, payments out of it,
// grants and lender collateral. core/ledger's book implements it (see ledgerAccounts.ts).
import type { Either } from "effect"

export const borrowerAccount = (owner: string): string => `user:${owner}`
export const lenderAccount = (node: number): string => `lender:${node}`

export interface EscrowAccounts<E> {
  /** Records credits created for an account (a sign-up grant or a top-up). */
  grant(account: string, microCredits: number, key: string, now: number): void
  /** Holds a job's maximum cost from its payer; fails when the payer cannot cover it. */
  hold(job: number, payer: string, microCredits: number, now: number): Either.Either<void, E>
  /** Pays one attempt out of the job's escrow: the lender's share and the platform's fee. */
  settle(job: number, key: string, lender: string, lenderMicro: number, platformMicro: number, now: number): void
  /** Returns what is left in the job's escrow to its payer and closes it. */
  release(job: number, now: number): void
  postCollateral(lender: string, microCredits: number, now: number): void
  /** Moves up to `microCredits` of a lender's collateral to the platform; returns what was taken. */
  slashCollateral(lender: string, microCredits: number, key: string, now: number): number
  collateralOf(lender: string): number
  balance(account: string): number
}
