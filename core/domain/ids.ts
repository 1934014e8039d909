// Branded identifiers. Node and job ids are dense non-negative integers assigned by the
// coordinator, so hot paths can index typed arrays by them directly.
import { Schema } from "effect"

export const NodeId = Schema.NonNegativeInt.pipe(Schema.brand("NodeId"))
export type NodeId = typeof NodeId.Type

export const JobId = Schema.NonNegativeInt.pipe(Schema.brand("JobId"))
export type JobId = typeof JobId.Type

export const UserId = Schema.NonEmptyTrimmedString.pipe(Schema.brand("UserId"))
export type UserId = typeof UserId.Type

export const RegionId = Schema.NonEmptyTrimmedString.pipe(Schema.brand("RegionId"))
export type RegionId = typeof RegionId.Type
