// How the portal writes numbers, sizes, times and credits.
import { format } from "d3"

const credits4 = format(",.4f")

/**
 * Credits with 2 to 4 decimals: job costs are often fractions of a credit, and a balance they were
 * taken from must not look untouched (99.9999, not 100.00).
 */
export const formatCredits = (credits: number): string =>
  // A cost too small for 4 decimals is still a cost: say so rather than show 0.00.
  credits !== 0 && Math.abs(credits) < 0.00005 ? (credits > 0 ? "< 0.0001 cr" : "> −0.0001 cr")
  : `${credits4(credits).replace(/(\.\d\d\d?)0+$/, "$1").replace(/(\.\d\d)0$/, "$1")} cr`

export const formatBytes = (bytes: number): string => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"]
  let v = bytes
  let u = 0
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`
}

export const formatPercent = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`

const pad = (n: number) => String(n).padStart(2, "0")

/** A moment in the reader's time zone, `YYYY-MM-DD HH:MM:SS`. */
export const formatTime = (ms: number | null): string => {
  if (ms === null) return "—"
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

export const formatDuration = (ms: number | null): string => {
  if (ms === null) return "—"
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

export const formatCount = format(",d")
