// For tests that build every policy: an availability oracle for a cluster whose nodes never leave.
import type { AvailabilityOracle } from "./riskModels.ts"

export const alwaysAvailable: AvailabilityOracle = { upUntilMs: () => Infinity }
