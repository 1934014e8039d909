// The three resources a lender offers and a job requests.
import { Schema } from "effect"

export const Resources = Schema.Struct({
  vcpus: Schema.Int.pipe(Schema.positive()),
  memoryMiB: Schema.NonNegativeInt,
  diskMiB: Schema.NonNegativeInt
})
export type Resources = typeof Resources.Type

export const fits = (request: Resources, free: Resources): boolean =>
  request.vcpus <= free.vcpus && request.memoryMiB <= free.memoryMiB && request.diskMiB <= free.diskMiB
