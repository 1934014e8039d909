// Units carried in the type so a duration in ms is never mixed up with seconds or MiB.
import { Schema } from "effect"

/** Milliseconds of (virtual or real) time: the unit of Effect's Clock. */
export const Ms = Schema.NonNegative.pipe(Schema.brand("Ms"))
export type Ms = typeof Ms.Type

export const MiB = Schema.NonNegativeInt.pipe(Schema.brand("MiB"))
export type MiB = typeof MiB.Type

export const VCpus = Schema.Int.pipe(Schema.positive(), Schema.brand("VCpus"))
export type VCpus = typeof VCpus.Type

/** Credits per vCPU-hour: the unit of a lender's asking price. */
export const CreditsPerVCpuHour = Schema.NonNegative.pipe(Schema.brand("CreditsPerVCpuHour"))
export type CreditsPerVCpuHour = typeof CreditsPerVCpuHour.Type

export const msFromSeconds = (seconds: number): Ms => (seconds * 1000) as Ms
export const secondsFromMs = (ms: number): number => ms / 1000
