// A month's invoice as CSV (RFC 4180: CRLF line ends, a field with a comma, quote or line break is
// quoted with its quotes doubled). Amounts are written exactly, as fixed six-decimal credits from
// the ledger's integer micro-credits, so the rows add up to the total line to the last digit.
import type { LedgerEntry } from "../../core/ledger/entry.ts"
import { jobOfEntry, netOn } from "./visibility.ts"

export const invoiceHeader = ["date", "seq", "kind", "job", "memo", "amountCredits"] as const

/** Exact decimal credits of an integer amount of micro-credits (`-1.500000`). */
export const formatMicroCredits = (micro: number): string => {
  const sign = micro < 0 ? "-" : ""
  const abs = Math.abs(micro)
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, "0")}`
}

/** The inverse of formatMicroCredits (exact: no floating-point step). */
export const parseMicroCredits = (text: string): number => {
  const m = /^(-?)(\d+)\.(\d{6})$/.exec(text)
  if (m === null) return NaN
  const micro = Number(m[2]) * 1_000_000 + Number(m[3])
  return m[1] === "-" ? -micro : micro
}

export const csvField = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)

const csvLine = (fields: ReadonlyArray<string>) => fields.map(csvField).join(",")

/** The invoice of `entries` (one month's, of the account) with a header, one row per entry and a total line. */
export const invoiceCsv = (entries: ReadonlyArray<LedgerEntry>, account: string): string => {
  let total = 0
  const rows = entries.map((e) => {
    const amount = netOn(e, account)
    total += amount
    const job = jobOfEntry(e)
    return csvLine([new Date(e.timeMs).toISOString(), String(e.seq), e.kind, job === null ? "" : String(job), e.memo, formatMicroCredits(amount)])
  })
  return [csvLine(invoiceHeader), ...rows, csvLine(["total", "", "", "", "", formatMicroCredits(total)])].join("\r\n") + "\r\n"
}
