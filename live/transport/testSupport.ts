// Shared by this folder's tests: temporary data directories and a logger that keeps what it logs.
import { HashMap, Logger } from "effect"
import { scopedTempDir } from "../testing/tempDir.ts"

export const tempDir = scopedTempDir("transport")

export interface LoggedLine {
  readonly level: string
  readonly text: string
  readonly annotations: Record<string, unknown>
}

/** A logger that records every line (instead of printing), and the lines it recorded. */
export const capturingLogger = () => {
  const lines: Array<LoggedLine> = []
  const logger = Logger.make(({ logLevel, message, annotations }) => {
    lines.push({
      level: logLevel.label,
      text: (Array.isArray(message) ? message : [message]).map(String).join(" "),
      annotations: Object.fromEntries(HashMap.toEntries(annotations))
    })
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}
