// Audits: challenge randomly chosen shards with an unused precomputed nonce; the node must answer
// sha256(nonce ‖ shard). A wrong answer, a missing shard or no answer fails the audit: the shard is
// marked bad (repair rebuilds it elsewhere) and the outcome is reported, so reputation can charge
// the node. When a shard's challenges are used up, the auditor fetches it and checks its checksum.
import { Effect, Either } from "effect"
import { toHex } from "../crypto/sha256.ts"
import { fromHex } from "./audit.ts"
import { type StoreContext, fetchVerifiedShard, isHealthy, shardKey, withTimeout } from "./context.ts"
import type { AuditFailureReason, AuditOutcome } from "./events.ts"
import type { ObjectRecord, ShardLocation } from "./model.ts"

export interface AuditOptions {
  /** Shards challenged in this pass (drawn uniformly among healthy shards, with replacement). */
  readonly challenges: number
}

export const auditPass = (ctx: StoreContext, used: Map<string, number>, options: AuditOptions): Effect.Effect<ReadonlyArray<AuditOutcome>> =>
  Effect.gen(function* () {
    const targets: Array<[ObjectRecord, ShardLocation]> = []
    for (const record of ctx.catalog.allObjects()) for (const loc of record.shards) if (isHealthy(ctx, record, loc)) targets.push([record, loc])
    const outcomes: Array<AuditOutcome> = []
    for (let c = 0; c < options.challenges && targets.length > 0; c++) {
      const [record, loc] = targets[ctx.rng.nextInt(targets.length)]!
      const outcome = yield* auditShard(ctx, used, record, loc)
      outcomes.push(outcome)
      // A wrong, missing or corrupt answer shows the shard is bad; an unreachable or slow node says
      // nothing of its bytes (it may be back in a moment), as on the read path.
      if (!outcome.passed && outcome.reason !== "gone" && outcome.reason !== "slow") ctx.bad.add(shardKey(record.objectId, loc.index))
      yield* ctx.emit(outcome.passed ? { _tag: "AuditPassed", outcome } : { _tag: "AuditFailed", outcome })
    }
    return outcomes
  })

const reasonOf = (tag: string): AuditFailureReason =>
  tag === "ShardMissing" ? "missing" : tag === "NodeSlow" ? "slow" : tag === "ShardCorrupt" ? "corrupt" : "gone"

export const auditShard = (ctx: StoreContext, used: Map<string, number>, record: ObjectRecord, loc: ShardLocation): Effect.Effect<AuditOutcome> =>
  Effect.gen(function* () {
    const base = { node: loc.node, objectId: record.objectId, index: loc.index }
    const key = shardKey(record.objectId, loc.index)
    const next = used.get(key) ?? 0
    const challenge = loc.audits[next]
    if (challenge === undefined) {
      const r = yield* Effect.either(fetchVerifiedShard(ctx, record, loc))
      return Either.isRight(r) ? { ...base, passed: true } : { ...base, passed: false, reason: reasonOf(r.left._tag) }
    }
    used.set(key, next + 1)
    const r = yield* Effect.either(withTimeout(ctx, loc.node, ctx.store.answerChallenge(loc.node, { objectId: record.objectId, index: loc.index }, fromHex(challenge.nonceHex))))
    if (Either.isLeft(r)) return { ...base, passed: false, reason: reasonOf(r.left._tag) }
    return toHex(r.right) === challenge.answerHex ? { ...base, passed: true } : { ...base, passed: false, reason: "wrong-answer" }
  })
