// Length-prefixed JSON frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
// Decoding goes through a Schema, so nothing reaches the coordinator or agent undecoded.
import { Either, ParseResult, Schema } from "effect"
import { FrameInvalid } from "./errors.ts"

/** Frames above this size are refused before they are buffered (the protocol's messages are small). */
export const frameBytesMaxDefault = 1024 * 1024

export const encodeFrame = <A, I>(schema: Schema.Schema<A, I>, value: A): Buffer => {
  const body = Buffer.from(JSON.stringify(Schema.encodeSync(schema)(value)), "utf8")
  const frame = Buffer.allocUnsafe(4 + body.length)
  frame.writeUInt32BE(body.length, 0)
  body.copy(frame, 4)
  return frame
}

/** Splits a byte stream into frames and decodes each with `schema`; the first invalid frame ends the stream. */
export class FrameDecoder<A, I> {
  private buffered: Buffer = Buffer.alloc(0)
  private readonly decode: (u: unknown) => Either.Either<A, ParseResult.ParseError>

  constructor(schema: Schema.Schema<A, I>, private readonly frameBytesMax = frameBytesMaxDefault) {
    this.decode = Schema.decodeUnknownEither(schema)
  }

  /** The messages completed by `chunk`, or the first frame's problem. */
  push(chunk: Buffer): Either.Either<ReadonlyArray<A>, FrameInvalid> {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk])
    const out: Array<A> = []
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUInt32BE(0)
      if (length > this.frameBytesMax) {
        return Either.left(new FrameInvalid({ reason: `frame of ${length} bytes exceeds the limit of ${this.frameBytesMax} bytes` }))
      }
      if (this.buffered.length < 4 + length) break
      const body = this.buffered.subarray(4, 4 + length)
      this.buffered = this.buffered.subarray(4 + length)
      let json: unknown
      try {
        json = JSON.parse(body.toString("utf8"))
      } catch (e) {
        return Either.left(new FrameInvalid({ reason: `not JSON (${e instanceof Error ? e.message : String(e)})` }))
      }
      const decoded = this.decode(json)
      if (Either.isLeft(decoded)) {
        return Either.left(new FrameInvalid({ reason: `not a protocol message: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left)}` }))
      }
      out.push(decoded.right)
    }
    return Either.right(out)
  }
}
