import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import fc from "fast-check"
import { estimateJobCost, meteredCost, Pricing, splitFee, surgeMultiplier } from "./pricing.ts"

const dynamic = Schema.decodeUnknownSync(Pricing)({ kind: "dynamic" })
const fixed = Schema.decodeUnknownSync(Pricing)({ kind: "fixed", creditsPerVCpuHour: 2 })

describe("pricing", () => {
  it("the fixed rate is vCPUs x hours x rate, whoever the lender and however busy the cluster", () => {
    expect(meteredCost(fixed, { cpuMs: 2 * 3_600_000, memoryMiB: 4096, wallMs: 3_600_000, bytesTransferred: 1e9 }, 9, 2)).toBe(4_000_000)
    expect(estimateJobCost(fixed, { vcpus: 2, memoryMiB: 0, requestedTimeMs: 1_800_000 }, 9, 2).maxMicroCredits).toBe(2_000_000)
  })

  it("dynamic prices add memory, transfer and storage, and surge only above the threshold", () => {
    expect(surgeMultiplier(dynamic, 0.5)).toBe(1)
    expect(surgeMultiplier(dynamic, 0.85)).toBeCloseTo(1.5)
    expect(surgeMultiplier(dynamic, 1)).toBe(2)
    const cpuOnly = meteredCost(dynamic, { cpuMs: 3_600_000, memoryMiB: 0, wallMs: 3_600_000, bytesTransferred: 0 }, 1.5, 1)
    expect(cpuOnly).toBe(1_500_000)
    const withMemoryAndNetwork = meteredCost(dynamic, { cpuMs: 3_600_000, memoryMiB: 1024, wallMs: 3_600_000, bytesTransferred: 2e9 }, 1.5, 1)
    expect(withMemoryAndNetwork).toBe(1_500_000 + 10_000 + 100_000)
    const e = estimateJobCost(dynamic, { vcpus: 1, memoryMiB: 0, requestedTimeMs: 3_600_000, storedGBHours: 100 }, 1, 1)
    expect(e.breakdown.storage).toBeCloseTo(0.01)
  })

  it("fast-check: a run within its request never costs more than the estimate holds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 65536 }), fc.integer({ min: 1000, max: 86_400_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }),
        (vcpus, memoryMiB, requestedTimeMs, runShare, utilisation, ask) => {
          for (const pricing of [dynamic, fixed]) {
            const wallMs = requestedTimeMs * runShare
            const cost = meteredCost(pricing, { cpuMs: wallMs * vcpus, memoryMiB, wallMs, bytesTransferred: 0 }, ask, surgeMultiplier(pricing, utilisation))
            expect(cost).toBeLessThanOrEqual(estimateJobCost(pricing, { vcpus, memoryMiB, requestedTimeMs }, ask, 1).maxMicroCredits)
          }
        }
      )
    )
  })

  it("fast-check: the fee split loses and creates nothing", () => {
    fc.assert(fc.property(fc.nat(1e12), fc.double({ min: 0, max: 1, noNaN: true }), (amount, rate) => {
      const { lender, platform } = splitFee(amount, rate)
      expect(lender + platform).toBe(amount)
      expect(Math.min(lender, platform)).toBeGreaterThanOrEqual(0)
    }))
  })
})
