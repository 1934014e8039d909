// What only the simulator knows about availability: when each node's current churn session ends.
// The oracle policy reads it (the upper bound of the scheduler experiment); nothing else may.
import type { AvailabilityOracle } from "../../core/scheduler/ai/riskModels.ts"

export class ChurnOracle implements AvailabilityOracle {
  private upUntil = new Float64Array(0)

  /** Called by the world once it knows its node count. */
  reset(nodes: number): void {
    this.upUntil = new Float64Array(nodes).fill(Infinity)
  }

  sessionScheduled(node: number, endsAtMs: number): void {
    this.upUntil[node] = endsAtMs
  }

  upUntilMs(node: number): number {
    return this.upUntil[node] ?? Infinity
  }
}
