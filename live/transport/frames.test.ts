import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import type { JobId, NodeId } from "../../core/domain/ids.ts"
import { AgentMessage } from "../../core/domain/messages.ts"
import { encodeFrame, FrameDecoder } from "./frames.ts"

const started = (nodeId: number, jobId: number): AgentMessage =>
  ({ _tag: "JobStarted", nodeId: nodeId as NodeId, jobId: jobId as JobId, attempt: 0 })

describe("frames", () => {
  it("reassembles messages however the byte stream is cut", () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(1000), fc.nat(1000)), { minLength: 1, maxLength: 20 }),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 50 }),
      (ids, cuts) => {
        const messages = ids.map(([n, j]) => started(n, j))
        const bytes = Buffer.concat(messages.map((m) => encodeFrame(AgentMessage, m)))
        const decoder = new FrameDecoder(AgentMessage)
        const out: Array<AgentMessage> = []
        let at = 0
        for (let i = 0; at < bytes.length; i++) {
          const size = cuts[i % cuts.length]!
          const decoded = decoder.push(bytes.subarray(at, at + size))
          at += size
          expect(Either.isRight(decoded)).toBe(true)
          if (Either.isRight(decoded)) out.push(...decoded.right)
        }
        expect(out).toEqual(messages)
      }
    ))
  })

  it("names what is wrong with a frame", () => {
    const frame = (text: string) => {
      const body = Buffer.from(text)
      const head = Buffer.alloc(4)
      head.writeUInt32BE(body.length)
      return Buffer.concat([head, body])
    }
    const reason = (bytes: Buffer, max?: number) => {
      const decoded = new FrameDecoder(AgentMessage, max).push(bytes)
      return Either.isLeft(decoded) ? decoded.left.reason : "decoded"
    }
    expect(reason(frame("{nope"))).toMatch(/^not JSON/)
    expect(reason(frame(JSON.stringify({ _tag: "JobStarted", nodeId: -1, jobId: 1, attempt: 0 })))).toMatch(/^not a protocol message:.*nodeId/s)
    expect(reason(frame(JSON.stringify({ _tag: "Gossip" })))).toMatch(/^not a protocol message/)
    expect(reason(frame("x".repeat(100)), 50)).toBe("frame of 100 bytes exceeds the limit of 50 bytes")
    expect(reason(encodeFrame(AgentMessage, started(1, 2)))).toBe("decoded")
  })
})
