// Where an object's shards go: weighted rendezvous hashing (highest random weight). Every node gets
// a score from hash(objectId, node) scaled by its capacity; the object goes to the best-scoring nodes
// that have room, one shard per node, spread over regions (failure domains) as evenly as the
// regions allow. A node joining or leaving only moves the shards it wins or held: every other
// object keeps its nodes, which is what keeps placement stable under churn.
import { Either } from "effect"
import type { NodeId } from "../domain/ids.ts"
import { NotEnoughNodes } from "./errors.ts"

export interface PlacementNode {
  readonly id: NodeId
  /** Failure domain. */
  readonly region: string
  readonly capacityBytes: number
  readonly freeBytes: number
}

export interface PlacementRequest {
  /** Names the object (its ObjectId); the same id always ranks the nodes the same way. */
  readonly objectId: string
  readonly shards: number
  readonly shardSizeBytes: number
  /** Nodes that must not be chosen (they already hold a shard of this object, or failed). */
  readonly exclude?: ReadonlySet<number>
  /** Regions already used by the object's surviving shards (repair places into the gaps first). */
  readonly regionsInUse?: ReadonlyArray<string>
  /** Named in the error when there are too few nodes. */
  readonly redundancy?: string
}

const fnv1a = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** murmur3's finaliser: a well-mixed 32-bit hash of (object, node). */
const mix = (objectHash: number, node: number): number => {
  let h = (objectHash ^ Math.imul(node + 1, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** The rendezvous score: -w / ln(u) ranks node i first with probability w_i / sum(w). */
export const rendezvousScore = (objectHash: number, node: number, weight: number): number => {
  const u = (mix(objectHash, node) + 0.5) / 4294967296
  return -weight / Math.log(u)
}

/** All eligible nodes in rendezvous order for this object (best first). */
export const rankNodes = (objectId: string, nodes: ReadonlyArray<PlacementNode>, shardSizeBytes: number, exclude?: ReadonlySet<number>): Array<PlacementNode> => {
  const h = fnv1a(objectId)
  const scored: Array<{ node: PlacementNode; score: number }> = []
  for (const node of nodes) {
    if (exclude?.has(node.id) || node.freeBytes < shardSizeBytes || node.capacityBytes <= 0) continue
    scored.push({ node, score: rendezvousScore(h, node.id, node.capacityBytes) })
  }
  scored.sort((a, b) => b.score - a.score || a.node.id - b.node.id)
  return scored.map((s) => s.node)
}

/**
 * `shards` distinct nodes for the object. Regions are filled evenly: a region gets its c-th shard
 * only when every region with an eligible node has c-1 (counting the object's surviving shards).
 */
export const placeShards = (request: PlacementRequest, nodes: ReadonlyArray<PlacementNode>): Either.Either<Array<NodeId>, NotEnoughNodes> => {
  const ranked = rankNodes(request.objectId, nodes, request.shardSizeBytes, request.exclude)
  if (ranked.length < request.shards) {
    return Either.left(new NotEnoughNodes({ redundancy: request.redundancy ?? `${request.shards} shards`, needed: request.shards, available: ranked.length }))
  }
  const inUse = new Map<string, number>()
  for (const r of request.regionsInUse ?? []) inUse.set(r, (inUse.get(r) ?? 0) + 1)
  const chosen: Array<NodeId> = []
  const taken = new Set<number>()
  // Round c lets each region hold up to c shards: the best node of every region first, then a
  // second per region, and so on, so as many regions as possible are used and none gets ahead.
  for (let cap = 1; chosen.length < request.shards; cap++) {
    for (const n of ranked) {
      if (chosen.length === request.shards) break
      if (taken.has(n.id) || (inUse.get(n.region) ?? 0) >= cap) continue
      chosen.push(n.id)
      taken.add(n.id)
      inUse.set(n.region, (inUse.get(n.region) ?? 0) + 1)
    }
  }
  return Either.right(chosen)
}
