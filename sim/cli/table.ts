// The policies x metrics table printed after a run.
import type { PolicySummary } from "../results/summary.ts"

const columns: ReadonlyArray<[string, (s: PolicySummary) => string]> = [
  ["jobs", (s) => String(s.jobs)],
  ["done", (s) => String(s.succeeded + s.failed)],
  ["lost", (s) => String(s.lost)],
  ["retried", (s) => String(s.retried)],
  ["CT mean s", (s) => s.completionTime.mean.toFixed(0)],
  ["CT p95 s", (s) => s.completionTime.p95.toFixed(0)],
  ["wait mean s", (s) => s.wait.mean.toFixed(0)],
  ["wait p95 s", (s) => s.wait.p95.toFixed(0)],
  ["bsld mean", (s) => s.boundedSlowdown.mean.toFixed(2)],
  ["bsld p95", (s) => s.boundedSlowdown.p95.toFixed(2)],
  ["makespan h", (s) => (s.makespan / 3600).toFixed(1)],
  ["util", (s) => s.utilisation.toFixed(3)],
  ["goodput", (s) => s.goodput.toFixed(3)],
  ["spend cr", (s) => s.economics.borrowerSpend.toFixed(0)],
  ["cost/job", (s) => s.economics.costPerJob.mean.toFixed(3)],
  ["gini", (s) => s.economics.lenderEarningsGini.toFixed(2)]
]

export const formatTable = (policies: Record<string, PolicySummary>): string => {
  const rows = [["policy", ...columns.map(([h]) => h)], ...Object.entries(policies).map(([name, s]) => [name, ...columns.map(([, f]) => f(s))])]
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  const fmt = (r: ReadonlyArray<string>) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")
  return [fmt(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(fmt)].join("\n")
}
