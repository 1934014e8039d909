// The configurations x metrics table printed after a storage run.
import type { ConfigurationSummary } from "./DurabilitySim.ts"

const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(0)

const columns: ReadonlyArray<[string, (s: ConfigurationSummary) => string]> = [
  ["k/n", (s) => `${s.k}/${s.shards}`],
  ["repair", (s) => (s.repair ? `at ${s.repairAtHealthy}` : "off")],
  ["overhead", (s) => (s.storedBytes / s.logicalBytes).toFixed(2)],
  ["objects", (s) => String(s.objects)],
  ["lost", (s) => String(s.objectsLost)],
  ["read avail", (s) => s.readAvailability.toFixed(4)],
  ["repair GiB", (s) => gib(s.repairBytes)],
  ["repairs", (s) => String(s.repairs)],
  ["at-risk obj-h", (s) => s.timeAtRiskObjectHours.toFixed(0)],
  ["ever at risk", (s) => String(s.objectsEverAtRisk)],
  ["peak queue", (s) => String(s.peakRepairQueue)]
]

export const formatStorageTable = (storage: Record<string, ConfigurationSummary>): string => {
  const rows = [["configuration", ...columns.map(([h]) => h)], ...Object.entries(storage).map(([name, s]) => [name, ...columns.map(([, f]) => f(s))])]
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  const fmt = (r: ReadonlyArray<string>) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")
  return [fmt(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(fmt)].join("\n")
}
