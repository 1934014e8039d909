// The marketplace's escrow operations as requests to core/ledger's book. A refusal the market can
// act on (a borrower short of credits) comes back as a value; any other refusal means the market
// broke the ledger's rules, which is a bug, so it is raised as a defect.
import { Either } from "effect"
import { type AccountId, Account } from "../ledger/accounts.ts"
import type { InsufficientCredits } from "../ledger/errors.ts"
import type { LedgerBook } from "../ledger/LedgerBook.ts"
import type { IdempotencyKey, LedgerRequest } from "../ledger/requests.ts"
import type { EscrowAccounts } from "./accounts.ts"

export const ledgerAccounts = (book: LedgerBook): EscrowAccounts<InsufficientCredits> => {
  const apply = (request: LedgerRequest, now: number) => {
    const r = book.apply(request, now)
    if (Either.isLeft(r)) throw new Error(`ledger refused ${request._tag} ${request.key}: ${r.left.message}`)
    return r.right
  }
  const key = (k: string) => k as IdempotencyKey
  const id = (a: string) => a as AccountId
  const amount = (n: number) => n as never
  return {
    grant: (account, micro, k, now) => void apply({ _tag: "Grant", key: key(k), to: id(account), amount: amount(micro) }, now),
    hold: (job, payer, micro, now) => {
      const r = book.apply({ _tag: "Hold", key: key(`hold:${job}`), job, payer: id(payer), amount: amount(micro) }, now)
      if (Either.isRight(r)) return Either.right(undefined)
      if (r.left._tag === "InsufficientCredits") return Either.left(r.left)
      throw new Error(`ledger refused the hold for job ${job}: ${r.left.message}`)
    },
    settle: (job, k, lender, lenderMicro, platformMicro, now) =>
      void apply({ _tag: "Settle", key: key(k), job, lender: id(lender), lenderAmount: amount(lenderMicro), platformFee: amount(platformMicro) }, now),
    release: (job, now) => void apply({ _tag: "Release", key: key(`release:${job}`), job }, now),
    postCollateral: (lender, micro, now) => void apply({ _tag: "PostCollateral", key: key(`collateral:${lender}:${now}`), lender: id(lender), amount: amount(micro) }, now),
    slashCollateral: (lender, micro, k, now) => {
      const take = Math.min(micro, book.balance(Account.collateral(lender.slice("lender:".length))))
      if (take > 0) apply({ _tag: "SlashCollateral", key: key(k), lender: id(lender), amount: amount(take) }, now)
      return take
    },
    collateralOf: (lender) => book.balance(Account.collateral(lender.slice("lender:".length))),
    balance: (account) => book.balance(account)
  }
}
