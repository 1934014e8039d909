// The period the dashboard and analytics look at: a span ending now, and the bucket width that
// gives about 48 points over it.
export interface Period {
  readonly id: string
  readonly label: string
  readonly spanMs: number
}

const hour = 3_600_000

export const periods: ReadonlyArray<Period> = [
  { id: "1h", label: "Last hour", spanMs: hour },
  { id: "24h", label: "Last 24 hours", spanMs: 24 * hour },
  { id: "7d", label: "Last 7 days", spanMs: 7 * 24 * hour },
  { id: "30d", label: "Last 30 days", spanMs: 30 * 24 * hour },
  { id: "365d", label: "Last 365 days", spanMs: 365 * 24 * hour }
]

export const defaultPeriod: Period = periods[1]!

export const periodById = (id: string): Period => periods.find((p) => p.id === id) ?? defaultPeriod

export const periodRange = (period: Period, nowMs: number) => ({
  fromMs: nowMs - period.spanMs,
  toMs: nowMs,
  bucketMs: Math.max(10_000, Math.round(period.spanMs / 48))
})
