// A marketplace's economic rules, as a scenario or the live coordinator's config states them.
import { Schema } from "effect"
import { VerificationSettings } from "../verification/settings.ts"
import { Pricing } from "./pricing.ts"

export const EconomySettings = Schema.Struct({
  pricing: Schema.optionalWith(Pricing, {
    default: () => ({ kind: "dynamic" as const, creditsPerGiBHour: 0.01, creditsPerGBTransferred: 0.05, creditsPerGBHourStored: 0.0001, surgeFromUtilisation: 0.7, surgeMax: 2 })
  }),
  /** The platform's share of every payment. */
  platformFeeRate: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.1 }),
  /** The sign-up grant every borrower receives (credits). */
  grantPerBorrower: Schema.optionalWith(Schema.NonNegative, { default: () => 1_000_000 }),
  /** Collateral every lender posts on joining (credits, granted for the simulation); misbehaviour costs a share of it. */
  collateralPerLender: Schema.optionalWith(Schema.NonNegative, { default: () => 0 }),
  /** Share of its remaining collateral a lender loses per wrong result caught. */
  slashFraction: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { default: () => 0.5 }),
  verification: Schema.optionalWith(VerificationSettings, { default: () => ({ mode: "none" as const, spotCheckRate: 0.1, maxInstances: 4 }) })
})
export type EconomySettings = typeof EconomySettings.Type
export type EconomySettingsInput = typeof EconomySettings.Encoded

export const defaultEconomySettings: EconomySettings = Schema.decodeUnknownSync(EconomySettings)({})
