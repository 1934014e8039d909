// Expected codec errors: each names the facts needed to act on it.
import { Data } from "effect"

export class InvalidCodecParameters extends Data.TaggedError("InvalidCodecParameters")<{
  readonly k: number
  readonly m: number
  readonly reason: string
}> {
  override get message() {
    return `Reed-Solomon ${this.k}+${this.m} is not a valid code: ${this.reason}`
  }
}

export class NotEnoughShards extends Data.TaggedError("NotEnoughShards")<{ readonly k: number; readonly present: number }> {
  override get message() {
    return `${this.present} shard${this.present === 1 ? " is" : "s are"} present but at least ${this.k} are needed to decode`
  }
}
