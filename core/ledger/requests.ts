// What a caller can ask of the ledger. Every request carries an idempotency key: a replay of the
// same key returns the original entry and changes nothing. Amounts are computed by the caller
// (pricing lives elsewhere); the ledger only checks them and moves the credits.
import { Schema } from "effect"
import { AccountId, MicroCredits } from "./accounts.ts"

/** Names one intended effect, e.g. `settle:job:42:attempt:1`; unique per effect, stable across retries. */
export const IdempotencyKey = Schema.NonEmptyString.pipe(Schema.brand("IdempotencyKey"))
export type IdempotencyKey = typeof IdempotencyKey.Type

const common = {
  key: IdempotencyKey,
  memo: Schema.optional(Schema.String)
}

/** Jobs are the coordinator's dense integer JobIds. */
const JobNumber = Schema.NonNegativeInt

/** Credits created for an account (a sign-up grant): issuance -> `to`. */
export const Grant = Schema.TaggedStruct("Grant", { ...common, to: AccountId, amount: MicroCredits })
/** Credits bought by an account: issuance -> `to`. */
export const TopUp = Schema.TaggedStruct("TopUp", { ...common, to: AccountId, amount: MicroCredits })
/** Credits moved between two users, organisations, lenders or the platform. */
export const Transfer = Schema.TaggedStruct("Transfer", { ...common, from: AccountId, to: AccountId, amount: MicroCredits })
/** At submission: the job's maximum cost, payer -> escrow:<job>. A second hold by the same payer adds to it. */
export const Hold = Schema.TaggedStruct("Hold", { ...common, job: JobNumber, payer: AccountId, amount: MicroCredits })
/** One attempt's metered usage: escrow -> lender and escrow -> platform (all three postings are recorded, zeros too). */
export const Settle = Schema.TaggedStruct("Settle", {
  ...common,
  job: JobNumber,
  lender: AccountId,
  lenderAmount: MicroCredits,
  platformFee: MicroCredits
})
/** The remainder back to the payer; closes the escrow for good. */
export const Release = Schema.TaggedStruct("Release", { ...common, job: JobNumber })
/** lender -> collateral:<lender>. */
export const PostCollateral = Schema.TaggedStruct("PostCollateral", { ...common, lender: AccountId, amount: MicroCredits })
/** collateral:<lender> -> `to` (the platform, or a wronged borrower). */
export const SlashCollateral = Schema.TaggedStruct("SlashCollateral", {
  ...common,
  lender: AccountId,
  amount: MicroCredits,
  to: Schema.optional(AccountId)
})
/** collateral:<lender> -> lender. */
export const ReleaseCollateral = Schema.TaggedStruct("ReleaseCollateral", { ...common, lender: AccountId, amount: MicroCredits })

export const LedgerRequest = Schema.Union(Grant, TopUp, Transfer, Hold, Settle, Release, PostCollateral, SlashCollateral, ReleaseCollateral)
export type LedgerRequest = typeof LedgerRequest.Type
