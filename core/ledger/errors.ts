// Expected ledger errors: a rejected request changes nothing, and its error names the facts
// needed to act on it (which account, how much it holds, how much was asked).
import { Data } from "effect"
import { creditsFromMicroCredits } from "./accounts.ts"

const credits = (micro: number): string => `${creditsFromMicroCredits(micro)} credits`

export class InsufficientCredits extends Data.TaggedError("InsufficientCredits")<{
  readonly account: string
  readonly balance: number
  readonly amount: number
}> {
  override get message() {
    return `${this.account} holds ${credits(this.balance)} but ${credits(this.amount)} were asked of it`
  }
}

export class EscrowOverdrawn extends Data.TaggedError("EscrowOverdrawn")<{
  readonly job: number
  readonly remaining: number
  readonly requested: number
}> {
  override get message() {
    return `escrow of job ${this.job} has ${credits(this.remaining)} left, a settlement asked for ${credits(this.requested)}`
  }
}

export class UnknownEscrow extends Data.TaggedError("UnknownEscrow")<{ readonly job: number }> {
  override get message() {
    return `job ${this.job} has no escrow: hold credits before settling or releasing`
  }
}

export class EscrowClosed extends Data.TaggedError("EscrowClosed")<{ readonly job: number }> {
  override get message() {
    return `the escrow of job ${this.job} was released and is closed`
  }
}

export class EscrowPayerMismatch extends Data.TaggedError("EscrowPayerMismatch")<{
  readonly job: number
  readonly payer: string
  readonly heldBy: string
}> {
  override get message() {
    return `job ${this.job}'s escrow is held by ${this.heldBy}, not ${this.payer}`
  }
}

export class IdempotencyConflict extends Data.TaggedError("IdempotencyConflict")<{
  readonly key: string
  readonly existingSeq: number
}> {
  override get message() {
    return `idempotency key ${this.key} was already used by entry ${this.existingSeq} for a different request`
  }
}

export class InvalidAmount extends Data.TaggedError("InvalidAmount")<{
  readonly field: string
  readonly amount: number
  readonly reason: string
}> {
  override get message() {
    return `${this.field} = ${this.amount} is not a valid amount: ${this.reason}`
  }
}

export class InvalidAccount extends Data.TaggedError("InvalidAccount")<{
  readonly account: string
  readonly role: string
  readonly expected: string
}> {
  override get message() {
    return `${this.account} cannot be the ${this.role} of this request: expected ${this.expected}`
  }
}

export type LedgerError =
  | InsufficientCredits
  | EscrowOverdrawn
  | UnknownEscrow
  | EscrowClosed
  | EscrowPayerMismatch
  | IdempotencyConflict
  | InvalidAmount
  | InvalidAccount
