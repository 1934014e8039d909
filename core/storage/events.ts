// What the storage layer reports as it happens, so reputation (audits, corrupt shards) and
// operators (repairs, losses) can act. Delivered through ObjectStoreOptions.onEvent.
import type { NodeId } from "../domain/ids.ts"

export type AuditFailureReason = "wrong-answer" | "missing" | "gone" | "slow" | "corrupt"

export interface AuditOutcome {
  readonly node: NodeId
  readonly objectId: string
  readonly index: number
  readonly passed: boolean
  readonly reason?: AuditFailureReason
}

export type StorageEvent =
  | { readonly _tag: "AuditPassed"; readonly outcome: AuditOutcome }
  | { readonly _tag: "AuditFailed"; readonly outcome: AuditOutcome }
  /** A read or repair fetched a shard whose bytes do not match its checksum; it was discarded. */
  | { readonly _tag: "ShardCorruptDetected"; readonly node: NodeId; readonly objectId: string; readonly index: number }
  | { readonly _tag: "ShardRepaired"; readonly objectId: string; readonly index: number; readonly from: NodeId | undefined; readonly to: NodeId }
  /** Fewer than k healthy shards are known: the object cannot be read or repaired. */
  | { readonly _tag: "ObjectLost"; readonly bucket: string; readonly key: string; readonly healthy: number; readonly k: number }
