// The tar subset the host and the guest's busybox tar exchange: ustar regular files and directories,
// GNU long names ("././@LongLink", type L) for paths over 100 bytes. Inputs go in as tar, /out comes
// back as tar; links, devices and fifos coming back are skipped (only regular files become outputs).

export interface TarFile {
  readonly path: string
  readonly bytes: Uint8Array
}

const block = 512
const encoder = new TextEncoder()
const decoder = new TextDecoder()

const octal = (value: number, width: number): string => value.toString(8).padStart(width - 1, "0") + "\0"

const header = (name: Uint8Array, size: number, type: string, mode: number): Uint8Array => {
  const h = new Uint8Array(block)
  h.set(name.subarray(0, 100), 0)
  h.set(encoder.encode(octal(mode, 8)), 100)
  h.set(encoder.encode(octal(0, 8)), 108)
  h.set(encoder.encode(octal(0, 8)), 116)
  h.set(encoder.encode(octal(size, 12)), 124)
  h.set(encoder.encode(octal(0, 12)), 136)
  h.fill(0x20, 148, 156)
  h.set(encoder.encode(type), 156)
  h.set(encoder.encode("ustar\0" + "00"), 257)
  let sum = 0
  for (const b of h) sum += b
  h.set(encoder.encode(octal(sum, 7) + " "), 148)
  return h
}

const padded = (n: number) => Math.ceil(n / block) * block

/** A tar archive (ending in two zero blocks) of regular files, mode 0644. */
export const encodeTar = (files: ReadonlyArray<TarFile>): Uint8Array => {
  const parts: Array<Uint8Array> = []
  for (const file of files) {
    const name = encoder.encode(file.path)
    if (name.length > 100) {
      const long = new Uint8Array(name.length + 1)
      long.set(name)
      parts.push(header(encoder.encode("././@LongLink"), long.length, "L", 0o644), long, new Uint8Array(padded(long.length) - long.length))
    }
    parts.push(header(name, file.bytes.length, "0", 0o644), file.bytes, new Uint8Array(padded(file.bytes.length) - file.bytes.length))
  }
  parts.push(new Uint8Array(2 * block))
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

const cString = (bytes: Uint8Array): string => {
  const end = bytes.indexOf(0)
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end))
}

const parseOctal = (bytes: Uint8Array): number => {
  const text = cString(bytes).trim()
  return text === "" ? 0 : parseInt(text, 8)
}

/**
 * Incremental tar reader: feed chunks, get regular files; `done` once the end-of-archive block is
 * read. Paths are returned without a leading "./".
 */
export class TarReader {
  readonly files: Array<TarFile> = []
  done = false
  private buffer = new Uint8Array(0)
  private longName: string | undefined

  /** Consumes bytes; returns how many bytes of `chunk` belonged to the archive (the rest follows it). */
  push(chunk: Uint8Array): number {
    if (this.done) return 0
    const before = this.buffer.length
    const merged = new Uint8Array(before + chunk.length)
    merged.set(this.buffer)
    merged.set(chunk, before)
    let at = 0
    while (!this.done && merged.length - at >= block) {
      const h = merged.subarray(at, at + block)
      if (h.every((b) => b === 0)) {
        at += block
        this.done = true
        break
      }
      const size = parseOctal(h.subarray(124, 136))
      const total = block + padded(size)
      if (merged.length - at < total) break
      const type = String.fromCharCode(h[156]!)
      const body = merged.slice(at + block, at + block + size)
      const prefix = cString(h.subarray(345, 500))
      const name = this.longName ?? (prefix ? `${prefix}/${cString(h.subarray(0, 100))}` : cString(h.subarray(0, 100)))
      if (type === "L") {
        this.longName = cString(body)
      } else {
        this.longName = undefined
        if (type === "0" || type === "\0") this.files.push({ path: name.replace(/^(\.\/)+/, ""), bytes: body })
      }
      at += total
    }
    this.buffer = merged.slice(at)
    if (this.done) {
      const consumedOfChunk = at - before
      this.buffer = new Uint8Array(0)
      return Math.max(0, consumedOfChunk)
    }
    return chunk.length
  }
}
