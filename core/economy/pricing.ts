// What compute costs. Two rules: the prototype's fixed rate (vCPUs x hours x one rate), and dynamic
// pricing from metered use (CPU-seconds at the lender's asking price, memory GB-seconds, network
// bytes, storage GB-hours) with a surge multiplier driven by how busy the cluster is. Amounts are
// returned in micro-credits (integers) so the ledger's sums stay exact.
import { Schema } from "effect"

export const microPerCredit = 1_000_000

export const FixedPricing = Schema.Struct({
  kind: Schema.Literal("fixed"),
  /** Credits per vCPU-hour, whoever the lender is. */
  creditsPerVCpuHour: Schema.NonNegative
})

export const DynamicPricing = Schema.Struct({
  kind: Schema.Literal("dynamic"),
  /** Credits per GiB-hour of memory held. */
  creditsPerGiBHour: Schema.optionalWith(Schema.NonNegative, { default: () => 0.01 }),
  /** Credits per GB moved in or out. */
  creditsPerGBTransferred: Schema.optionalWith(Schema.NonNegative, { default: () => 0.05 }),
  /** Credits per GB-hour of object storage. */
  creditsPerGBHourStored: Schema.optionalWith(Schema.NonNegative, { default: () => 0.0001 }),
  /** Surge starts above this cluster utilisation... */
  surgeFromUtilisation: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.7 }),
  /** ...and rises linearly to this multiplier at full utilisation. */
  surgeMax: Schema.optionalWith(Schema.Number.pipe(Schema.greaterThanOrEqualTo(1)), { default: () => 2 })
})

export const Pricing = Schema.Union(FixedPricing, DynamicPricing)
export type Pricing = typeof Pricing.Type

/** What an attempt used, as metered by its sandbox. */
export interface MeteredUse {
  readonly cpuMs: number
  readonly memoryMiB: number
  readonly wallMs: number
  readonly bytesTransferred: number
}

/** A job's resource request, for estimates made before it runs. */
export interface PricedRequest {
  readonly vcpus: number
  readonly memoryMiB: number
  readonly requestedTimeMs: number
  readonly bytesTransferred?: number
  readonly storedGBHours?: number
}

const msPerHour = 3_600_000
const toMicro = (credits: number): number => Math.ceil(credits * microPerCredit)

/** The price multiplier at a cluster utilisation (allocated / online vCPUs). */
export const surgeMultiplier = (pricing: Pricing, utilisation: number): number => {
  if (pricing.kind === "fixed") return 1
  const u = Math.min(1, Math.max(0, utilisation))
  if (u <= pricing.surgeFromUtilisation) return 1
  return 1 + ((pricing.surgeMax - 1) * (u - pricing.surgeFromUtilisation)) / (1 - pricing.surgeFromUtilisation)
}

/** Micro-credits for one attempt's metered use on a node asking `askingPrice` per vCPU-hour. */
export const meteredCost = (pricing: Pricing, use: MeteredUse, askingPrice: number, surge: number): number => {
  if (pricing.kind === "fixed") return toMicro((use.cpuMs / msPerHour) * pricing.creditsPerVCpuHour)
  const cpu = (use.cpuMs / msPerHour) * askingPrice * surge
  const memory = ((use.memoryMiB / 1024) * use.wallMs / msPerHour) * pricing.creditsPerGiBHour
  const network = (use.bytesTransferred / 1e9) * pricing.creditsPerGBTransferred
  return toMicro(cpu + memory + network)
}

export interface PriceEstimate {
  /** What escrow holds: the most the job can cost if it runs its whole requested time at the highest price. */
  readonly maxMicroCredits: number
  /** The likely cost at today's price if it runs its whole requested time. */
  readonly expectedMicroCredits: number
  readonly breakdown: { readonly cpu: number; readonly memory: number; readonly network: number; readonly storage: number }
}

/**
 * Prices a job before it is submitted. `askingPrice` is the price the borrower expects to pay
 * (its cap, or the market's highest ask for the worst case); the maximum assumes the full surge.
 */
export const estimateJobCost = (
  pricing: Pricing,
  request: PricedRequest,
  askingPrice: number,
  surgeNow: number,
  instances = 1
): PriceEstimate => {
  const hours = request.requestedTimeMs / msPerHour
  if (pricing.kind === "fixed") {
    const cpu = request.vcpus * hours * pricing.creditsPerVCpuHour * instances
    return { maxMicroCredits: toMicro(cpu), expectedMicroCredits: toMicro(cpu), breakdown: { cpu, memory: 0, network: 0, storage: 0 } }
  }
  const cpuAt = (surge: number) => request.vcpus * hours * askingPrice * surge * instances
  const memory = (request.memoryMiB / 1024) * hours * pricing.creditsPerGiBHour * instances
  const network = ((request.bytesTransferred ?? 0) / 1e9) * pricing.creditsPerGBTransferred * instances
  const storage = (request.storedGBHours ?? 0) * pricing.creditsPerGBHourStored
  const rest = memory + network + storage
  return {
    maxMicroCredits: toMicro(cpuAt(pricing.surgeMax) + rest),
    expectedMicroCredits: toMicro(cpuAt(surgeNow) + rest),
    breakdown: { cpu: cpuAt(surgeNow), memory, network, storage }
  }
}

/** Splits a payment between the lender and the platform; the fee is rounded down so the lender never loses a micro-credit to rounding. */
export const splitFee = (microCredits: number, platformFeeRate: number): { readonly lender: number; readonly platform: number } => {
  const platform = Math.floor(microCredits * platformFeeRate)
  return { lender: microCredits - platform, platform }
}
