// Ledger accounts and amounts. Amounts are integers of micro-credits so every sum is exact; an
// account id names its kind in its prefix, which is what the book checks a request's roles by.
import { Schema } from "effect"

/** 1 credit = 1,000,000 micro-credits. Signed: postings debit (−) and credit (+). */
export const MicroCredits = Schema.Int.pipe(Schema.brand("MicroCredits"))
export type MicroCredits = typeof MicroCredits.Type

export const microCreditsPerCredit = 1_000_000

/** Rounds to the nearest micro-credit: pricing works in fractional credits, the ledger never does. */
export const microCreditsFromCredits = (credits: number): MicroCredits => Math.round(credits * microCreditsPerCredit) as MicroCredits

export const creditsFromMicroCredits = (amount: number): number => amount / microCreditsPerCredit

export type AccountKind = "user" | "org" | "lender" | "platform" | "escrow" | "collateral" | "issuance"

const accountPattern = /^(?:(?:user|org|lender|collateral):.+|escrow:(?:0|[1-9][0-9]*)|platform|issuance)$/s

export const AccountId = Schema.String.pipe(
  Schema.pattern(accountPattern, { message: () => "an account id is user:<id>, org:<id>, lender:<id>, escrow:<job>, collateral:<lender>, platform or issuance" }),
  Schema.brand("AccountId")
)
export type AccountId = typeof AccountId.Type

/** Constructors for every kind of account; `escrow` takes the job id it holds credits for. */
export const Account = {
  user: (id: string): AccountId => `user:${id}` as AccountId,
  org: (id: string): AccountId => `org:${id}` as AccountId,
  lender: (id: string): AccountId => `lender:${id}` as AccountId,
  escrow: (job: number): AccountId => `escrow:${job}` as AccountId,
  /** The collateral account of a lender, named by the lender's own id (not its account id). */
  collateral: (lenderId: string): AccountId => `collateral:${lenderId}` as AccountId,
  platform: "platform" as AccountId,
  /** The source of every credit: the only account whose balance may be negative. */
  issuance: "issuance" as AccountId
} as const

export const isAccountId = (text: string): text is AccountId => accountPattern.test(text)

/** The kind of a well-formed account id, or undefined when the text is not one. */
export const accountKind = (account: string): AccountKind | undefined => {
  if (!accountPattern.test(account)) return undefined
  const colon = account.indexOf(":")
  return (colon < 0 ? account : account.slice(0, colon)) as AccountKind
}

/** The collateral account that backs a lender account (`lender:x` -> `collateral:x`). */
export const collateralOf = (lender: AccountId): AccountId => `collateral:${lender.slice("lender:".length)}` as AccountId
