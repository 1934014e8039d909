// What a lender's machine offers: capacity, relative speed, failure domain and asking price.
import { Schema } from "effect"
import { NodeId, RegionId } from "./ids.ts"
import { Resources } from "./resources.ts"

export const NodeSpec = Schema.Struct({
  id: NodeId,
  resources: Resources,
  /** Work units per ms relative to the reference machine (1 = reference speed). */
  speed: Schema.Positive,
  /** Failure domain: nodes in one region can fail together. */
  region: RegionId,
  /** Credits per vCPU-hour the lender asks. */
  askingPrice: Schema.NonNegative
})
export type NodeSpec = typeof NodeSpec.Type
