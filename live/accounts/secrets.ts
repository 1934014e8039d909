// Random secrets (session ids, CSRF tokens, API tokens, invitation codes) and the digests they are
// stored as: a stolen database holds no usable session or token.
import { createHash, randomBytes } from "node:crypto"

/** 192 random bits in hex: never starts with "-", safe in a cookie, a header and a command line. */
export const newSecret = (): string => randomBytes(24).toString("hex")

export const secretDigest = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("hex")
