// Storage audits feed the same reputation as verified results: a node that cannot answer a
// challenge from a shard's content, or serves corrupt bytes, has lied or lost data, and a node
// that answers has shown it still holds what it was paid to keep. Plug into ObjectStore's onEvent.
import type { StorageEvent } from "../storage/events.ts"
import type { ReputationBook } from "./reputation.ts"

export const reputationFromStorageEvents = (reputation: ReputationBook) => (event: StorageEvent): void => {
  switch (event._tag) {
    case "AuditPassed":
      reputation.ensure(event.outcome.node + 1)
      reputation.verificationPassed(event.outcome.node)
      break
    case "AuditFailed":
      reputation.ensure(event.outcome.node + 1)
      // A node that is merely offline or slow loses reliability, not honesty.
      if (event.outcome.reason === "gone" || event.outcome.reason === "slow") reputation.attemptLost(event.outcome.node)
      else reputation.verificationFailed(event.outcome.node)
      break
    case "ShardCorruptDetected":
      reputation.ensure(event.node + 1)
      reputation.verificationFailed(event.node)
      break
    default:
      break
  }
}
