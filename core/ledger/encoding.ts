// The canonical encoding an entry's hash covers, which is also how stores persist it. Binary and
// compact on purpose: every byte is hashed on the simulator's hot path, and SHA-256 cost grows
// with each 64-byte block. Layout: version, seq, timeMs, prevHash (32 raw bytes), kind, key, memo,
// posting count, then each posting as account, sign, magnitude. Integers are LEB128 varints;
// strings are length-prefixed UTF-8.
import { Either } from "effect"
import { Sha256, toHex } from "../crypto/sha256.ts"
import type { AccountId, MicroCredits } from "./accounts.ts"
import { type EntryKind, entryKinds, type LedgerEntry, type Posting } from "./entry.ts"
import type { IdempotencyKey } from "./requests.ts"

const formatVersion = 1
const kindCode: Record<string, number> = Object.fromEntries(entryKinds.map((k, i) => [k, i + 1]))
const utf8 = new TextEncoder()
const utf8Strict = new TextDecoder("utf-8", { fatal: true })

const hexValue = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1)

/** The 32 bytes of a lowercase SHA-256 hex digest, or undefined for anything else. */
export const hexToBytes = (hex: string): Uint8Array | undefined => {
  if (hex.length !== 64) return undefined
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) {
    const hi = hexValue(hex.charCodeAt(2 * i))
    const lo = hexValue(hex.charCodeAt(2 * i + 1))
    if (hi < 0 || lo < 0) return undefined
    out[i] = (hi << 4) | lo
  }
  return out
}

/** Encodes and hashes entries into one reused buffer and hasher, so sealing allocates almost nothing. */
export class EntryEncoder {
  private buf = new Uint8Array(512)
  private pos = 0
  private readonly hasher = new Sha256()

  /** Encodes the fields into the internal buffer; `bytes()` / `hash()` read the result. */
  encode(
    seq: number,
    timeMs: number,
    prevHash: Uint8Array,
    kind: EntryKind,
    key: string,
    memo: string,
    postings: ReadonlyArray<Posting>
  ): this {
    this.pos = 0
    this.ensure(64)
    this.buf[this.pos++] = formatVersion
    this.uint(seq)
    this.uint(timeMs)
    this.buf.set(prevHash, this.pos)
    this.pos += 32
    this.buf[this.pos++] = kindCode[kind]!
    this.string(key)
    this.string(memo)
    this.uint(postings.length)
    for (let i = 0; i < postings.length; i++) {
      const p = postings[i]!
      this.string(p.account)
      this.ensure(10)
      const amount = p.amount as number
      this.buf[this.pos++] = amount < 0 ? 1 : 0
      this.uint(amount < 0 ? -amount : amount)
    }
    return this
  }

  /** SHA-256 of the last encoding. */
  hash(): Uint8Array {
    return this.hasher.digestOf(this.buf, this.pos)
  }

  /** SHA-256 of some already-encoded bytes, with this encoder's hasher. */
  hashOf(body: Uint8Array): Uint8Array {
    return this.hasher.reset().update(body).digest()
  }

  /** A copy of the last encoding, for a store. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.pos)
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n))
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
  }

  private uint(n: number): void {
    this.ensure(8)
    const b = this.buf
    if (n < 0x80000000) {
      while (n >= 0x80) {
        b[this.pos++] = (n & 0x7f) | 0x80
        n >>>= 7
      }
      b[this.pos++] = n
      return
    }
    while (n >= 0x80) {
      b[this.pos++] = (n % 0x80) | 0x80
      n = Math.floor(n / 0x80)
    }
    b[this.pos++] = n
  }

  private string(s: string): void {
    const n = s.length
    const start = this.pos
    this.uint(n)
    this.ensure(n)
    const b = this.buf
    let p = this.pos
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c >= 0x80) {
        // Not ASCII: the length prefix counts UTF-8 bytes, so start over the slow way.
        const bytes = utf8.encode(s)
        this.pos = start
        this.uint(bytes.length)
        this.ensure(bytes.length)
        this.buf.set(bytes, this.pos)
        this.pos += bytes.length
        return
      }
      b[p++] = c
    }
    this.pos = p
  }
}

const hexCodes = Array.from("0123456789abcdef", (c) => c.charCodeAt(0))
const hexBuf = new Uint8Array(64)
const latin1 = new TextDecoder("latin1")

/** Lowercase hex of a 32-byte digest; a flat string built in one step (the hot path keeps it). */
export const digestHex = (digest: Uint8Array): string => {
  for (let i = 0; i < 32; i++) {
    const v = digest[i]!
    hexBuf[2 * i] = hexCodes[v >>> 4]!
    hexBuf[2 * i + 1] = hexCodes[v & 15]!
  }
  return latin1.decode(hexBuf)
}

/** The canonical bytes of an entry, or undefined when its prevHash is not a SHA-256 hex digest. */
export const encodeEntryBody = (entry: Omit<LedgerEntry, "hash">, encoder = new EntryEncoder()): Uint8Array | undefined => {
  const prev = hexToBytes(entry.prevHash)
  if (prev === undefined) return undefined
  return encoder.encode(entry.seq, entry.timeMs, prev, entry.kind, entry.key, entry.memo, entry.postings).bytes()
}

/** Decodes a body written by `EntryEncoder`; a malformed one is described, never thrown. */
export const decodeEntryBody = (body: Uint8Array, hash: string): Either.Either<LedgerEntry, string> => {
  let pos = 0
  const fail = (why: string) => Either.left(`${why} at byte ${pos}`)
  const uint = (): number | undefined => {
    let n = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      if (pos >= body.length) return undefined
      const b = body[pos++]!
      n += (b & 0x7f) * scale
      if (b < 0x80) return Number.isSafeInteger(n) ? n : undefined
      scale *= 0x80
    }
    return undefined
  }
  const string = (): string | undefined => {
    const n = uint()
    if (n === undefined || pos + n > body.length) return undefined
    try {
      const s = utf8Strict.decode(body.subarray(pos, pos + n))
      pos += n
      return s
    } catch {
      return undefined
    }
  }
  if (body[pos++] !== formatVersion) return fail("unknown format version")
  const seq = uint()
  if (seq === undefined || seq < 1) return fail("bad seq")
  const timeMs = uint()
  if (timeMs === undefined) return fail("bad time")
  if (pos + 32 > body.length) return fail("truncated prevHash")
  const prevHash = toHex(body.subarray(pos, pos + 32))
  pos += 32
  const kind = entryKinds[body[pos++]! - 1]
  if (kind === undefined) return fail("unknown kind")
  const key = string()
  if (key === undefined || key.length === 0) return fail("bad key")
  const memo = string()
  if (memo === undefined) return fail("bad memo")
  const count = uint()
  if (count === undefined || count > body.length) return fail("bad posting count")
  const postings: Array<Posting> = []
  for (let i = 0; i < count; i++) {
    const account = string()
    if (account === undefined) return fail("bad account")
    const sign = body[pos++]
    const magnitude = uint()
    if ((sign !== 0 && sign !== 1) || magnitude === undefined) return fail("bad amount")
    postings.push({ account: account as AccountId, amount: (sign === 1 ? -magnitude : magnitude) as MicroCredits })
  }
  if (pos !== body.length) return fail("trailing bytes")
  return Either.right({ seq, timeMs, key: key as IdempotencyKey, kind, memo, postings, prevHash, hash })
}
