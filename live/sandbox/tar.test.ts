// The tar codec: what encodeTar writes, TarReader reads back, however the bytes are split in transit;
// and busybox tar (what the guest runs) reads what encodeTar writes and writes what TarReader reads.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { encodeTar, TarReader } from "./tar.ts"

const segment = fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/).filter((s) => s !== "." && s !== "..")
const file = fc.record({
  path: fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join("/")),
  bytes: fc.uint8Array({ maxLength: 3000 })
})
const files = fc.uniqueArray(file, { maxLength: 6, selector: (f) => f.path })

describe("tar", () => {
  it("reads back what it writes, in any chunking, long names included", () => {
    fc.assert(
      fc.property(files, fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 20 }), (input, cuts) => {
        const archive = encodeTar(input)
        const reader = new TarReader()
        let at = 0
        for (let i = 0; at < archive.length; i++) {
          const n = cuts[i % cuts.length]!
          reader.push(archive.subarray(at, at + n))
          at += n
        }
        expect(reader.done).toBe(true)
        expect(reader.files.map((f) => ({ path: f.path, bytes: Buffer.from(f.bytes) }))).toEqual(input.map((f) => ({ path: f.path, bytes: Buffer.from(f.bytes) })))
      }),
      { numRuns: 200 }
    )
  })

  it("busybox tar extracts what encodeTar writes and TarReader reads what busybox tar writes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-tar-"))
    try {
      const long = `${"d".repeat(60)}/${"e".repeat(60)}/file.txt`
      const input = [{ path: "a.txt", bytes: Buffer.from("alpha") }, { path: long, bytes: Buffer.from("long name") }]
      fs.writeFileSync(path.join(dir, "in.tar"), encodeTar(input))
      fs.mkdirSync(path.join(dir, "x"))
      execFileSync("busybox", ["tar", "-x", "-f", path.join(dir, "in.tar"), "-C", path.join(dir, "x")])
      expect(fs.readFileSync(path.join(dir, "x", long), "utf8")).toBe("long name")
      const out = execFileSync("busybox", ["tar", "-c", "."], { cwd: path.join(dir, "x") })
      const reader = new TarReader()
      reader.push(out)
      expect(reader.done).toBe(true)
      expect(Object.fromEntries(reader.files.map((f) => [f.path, Buffer.from(f.bytes).toString()]))).toEqual({ "a.txt": "alpha", [long]: "long name" })
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
