// Storage audits charge reputation: a node that altered a shard loses trust, nodes that answered gain it.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import { ReputationBook } from "../../core/economy/reputation.ts"
import { reputationFromStorageEvents } from "../../core/economy/storageReputation.ts"
import { Prng } from "../../core/random/prng.ts"
import { Rng } from "../../core/random/Rng.ts"
import { makeObjectStore } from "../../core/storage/ObjectStore.ts"
import { layerMemory, MemoryShardControl } from "../services/memoryShardStore.ts"

describe("audits and reputation", () => {
  it.effect("a node caught by an audit loses honesty; nodes that answered gain it", () =>
    Effect.gen(function* () {
      const reputation = new ReputationBook()
      const charge = reputationFromStorageEvents(reputation)
      const control = yield* MemoryShardControl
      const store = yield* makeObjectStore({ onEvent: (e) => Effect.sync(() => charge(e)) })
      for (let i = 0; i < 6; i++) yield* store.addNode({ id: i as NodeId, region: ["eu", "us"][i % 2]!, capacityBytes: 1 << 20 })
      yield* store.createBucket({ name: "audited", owner: "alice", redundancy: { kind: "rs", k: 4, m: 2 } })
      const rng = Prng.fromSeed(3, "bytes")
      const record = yield* store.putObject({ bucket: "audited", key: "k", data: Uint8Array.from({ length: 5000 }, () => rng.nextInt(256)), owner: "alice" })
      const liar = record.shards[2]!.node
      control.corrupt(liar, { objectId: record.objectId, index: 2 }, 10, 0x01)
      yield* store.audit({ challenges: 100 })
      const honest = record.shards.map((s) => s.node).filter((n) => n !== liar)
      for (const n of honest) expect(reputation.view(n).honesty).toBeGreaterThan(0.5)
      expect(reputation.view(liar).honesty).toBeLessThan(0.2)
      expect(reputation.view(liar).verifiedStreak).toBe(0)
    }).pipe(Effect.provide(Layer.merge(layerMemory, Rng.layerSeeded(1)))))
})
