// Streams a text file as numbered lines without loading it whole into memory.
// Both trace readers parse line by line; this keeps the file handling (chunking, CRLF, BOM,
// closing the file on early stop, mapping fs failures to TraceFileError) in one place.
import { createReadStream } from "node:fs"
import { Either, Stream } from "effect"
import { TraceFileError, fileErrorReason } from "./errors.ts"

/** One line of a file, its number 1-based, without the line terminator. */
export interface NumberedLine {
  readonly line: number
  readonly text: string
}

/** Yields the lines of `path` in batches (one batch per chunk read from disk). */
async function* lineBatches(path: string, chunkBytes: number): AsyncGenerator<ReadonlyArray<NumberedLine>> {
  const input = createReadStream(path, { encoding: "utf8", highWaterMark: chunkBytes })
  let carry = ""
  let lineNo = 0
  let first = true
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      let text = carry.length > 0 ? carry + chunk : chunk
      if (first) {
        first = false
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      }
      const batch: Array<NumberedLine> = []
      let start = 0
      let nl = text.indexOf("\n", start)
      while (nl !== -1) {
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
        batch.push({ line: ++lineNo, text: text.slice(start, end) })
        start = nl + 1
        nl = text.indexOf("\n", start)
      }
      carry = text.slice(start)
      if (batch.length > 0) yield batch
    }
    if (carry.length > 0) {
      const text = carry.charCodeAt(carry.length - 1) === 13 ? carry.slice(0, -1) : carry
      yield [{ line: ++lineNo, text }]
    }
  } finally {
    input.destroy()
  }
}

/**
 * The lines of a file as a stream of batches. Reading is lazy and incremental; stopping the
 * stream early closes the file. Open/read failures become TraceFileError.
 */
export const streamLineBatches = (
  path: string,
  chunkBytes = 64 * 1024
): Stream.Stream<ReadonlyArray<NumberedLine>, TraceFileError> =>
  Stream.suspend(() =>
    Stream.fromAsyncIterable(
      lineBatches(path, chunkBytes),
      (error) => new TraceFileError({ file: path, reason: fileErrorReason(error) })
    )
  )

/**
 * Parses every line of a file with a pure line parser, dropping lines it maps to null.
 * Stops at the first line the parser rejects: the lines before it are emitted, then the stream fails.
 */
export const streamParsedLines = <A, E>(
  path: string,
  parse: (text: string, line: number, file: string) => Either.Either<A | null, E>
): Stream.Stream<A, E | TraceFileError> =>
  streamLineBatches(path).pipe(
    Stream.flatMap((batch): Stream.Stream<A, E> => {
      const out: Array<A> = []
      for (const { line, text } of batch) {
        const parsed = parse(text, line, path)
        // emit the lines parsed before the bad one, then fail
        if (Either.isLeft(parsed)) return Stream.concat(Stream.fromIterable(out), Stream.fail(parsed.left))
        if (parsed.right !== null) out.push(parsed.right)
      }
      return Stream.fromIterable(out)
    })
  )
