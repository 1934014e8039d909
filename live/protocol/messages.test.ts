// Bytes inside frames: the Buffer-based base64 writes the same text as Schema.Uint8ArrayFromBase64
// and refuses what it refuses.
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import * as fc from "fast-check"
import { ShardPut } from "./messages.ts"

const objectId = "0123456789abcdef0123456789abcdef"
const encode = Schema.encodeSync(ShardPut)
const decode = Schema.decodeUnknownEither(ShardPut)
const reference = Schema.encodeSync(Schema.Uint8ArrayFromBase64)

describe("frame bytes", () => {
  it("round-trip any bytes, as the same base64 text Schema.Uint8ArrayFromBase64 writes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), (bytes, offset) => {
        // A view into a larger buffer, as shards read from disk often are.
        const backing = new Uint8Array(bytes.length + offset + 3)
        backing.set(bytes, offset)
        const view = backing.subarray(offset, offset + bytes.length)
        const wire = encode({ _tag: "ShardPut", requestId: 1, objectId, index: 0, data: view })
        expect(wire.data).toBe(reference(bytes))
        const back = decode(JSON.parse(JSON.stringify(wire)))
        expect(Either.isRight(back) && back.right.data).toEqual(bytes)
      })
    )
  })

  it("refuses text that is not base64", () => {
    for (const data of ["abc", "ab=c", "a*cd", "abcd==x=", "abcde", 42]) {
      expect(Either.isLeft(decode({ _tag: "ShardPut", requestId: 1, objectId, index: 0, data })), String(data)).toBe(true)
    }
  })
})
