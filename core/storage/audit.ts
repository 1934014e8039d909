// Proof of storage by precomputed challenges: at write time, for each shard, a few random nonces and
// the answers sha256(nonce ‖ shard) are kept in the object's record. Later a node is sent a nonce it
// has never seen and must hash it with the shard's bytes; without the bytes it cannot answer, and
// each challenge is used once, so an old answer cannot be replayed.
import type { Prng } from "../random/prng.ts"
import { Sha256, toHex } from "../crypto/sha256.ts"
import type { AuditChallenge, Sha256Hex } from "./model.ts"

export const nonceBytes = 16

export const challengeAnswer = (nonce: Uint8Array, shard: Uint8Array): Uint8Array => new Sha256().update(nonce).update(shard).digest()

export const makeChallenges = (shard: Uint8Array, count: number, rng: Prng): Array<AuditChallenge> => {
  const out: Array<AuditChallenge> = []
  for (let c = 0; c < count; c++) {
    const nonce = new Uint8Array(nonceBytes)
    for (let i = 0; i < nonceBytes; i += 4) {
      const v = rng.nextUint32()
      nonce[i] = v >>> 24
      nonce[i + 1] = v >>> 16
      nonce[i + 2] = v >>> 8
      nonce[i + 3] = v
    }
    out.push({ nonceHex: toHex(nonce), answerHex: toHex(challengeAnswer(nonce, shard)) as Sha256Hex })
  }
  return out
}

export const fromHex = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}
