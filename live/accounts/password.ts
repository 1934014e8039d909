// Password hashes: scrypt (node:crypto) with a random salt per password, its cost parameters kept in
// the stored string so they can be raised later without invalidating old hashes, compared in
// constant time. Hashing runs on libuv's thread pool, not on the event loop.
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto"
import { Effect } from "effect"

export interface ScryptCost {
  /** CPU/memory cost, a power of two. */
  readonly N: number
  readonly r: number
  readonly p: number
}

/** About 16 MiB and tens of milliseconds per hash: OWASP's floor for scrypt. */
export const defaultScryptCost: ScryptCost = { N: 2 ** 14, r: 8, p: 1 }

const keyBytes = 32
const saltBytes = 16

const derive = (password: string, salt: Buffer, cost: ScryptCost) =>
  Effect.async<Buffer>((resume) => {
    scrypt(password.normalize("NFC"), salt, keyBytes, { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 }, (error, key) => {
      // Only out-of-range parameters make scrypt fail, and those are ours, not the caller's.
      resume(error === null ? Effect.succeed(key) : Effect.die(error))
    })
  })

/** `scrypt$N$r$p$<salt base64>$<key base64>` */
export const hashPassword = (password: string, cost: ScryptCost = defaultScryptCost): Effect.Effect<string> =>
  Effect.suspend(() => {
    const salt = randomBytes(saltBytes)
    return Effect.map(derive(password, salt, cost), (key) => `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString("base64")}$${key.toString("base64")}`)
  })

const stored = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/

/** Whether `password` is the one `hash` was made from; a malformed hash verifies nothing. */
export const verifyPassword = (password: string, hash: string): Effect.Effect<boolean> =>
  Effect.suspend(() => {
    const m = stored.exec(hash)
    if (m === null) return Effect.succeed(false)
    const cost = { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) }
    // A hash from elsewhere with absurd parameters must not make us allocate gigabytes.
    if (cost.N > 2 ** 20 || cost.r > 32 || cost.p > 16 || (cost.N & (cost.N - 1)) !== 0 || cost.N < 2) return Effect.succeed(false)
    const expected = Buffer.from(m[5]!, "base64")
    if (expected.length !== keyBytes) return Effect.succeed(false)
    return Effect.map(derive(password, Buffer.from(m[4]!, "base64"), cost), (key) => timingSafeEqual(key, expected))
  })
