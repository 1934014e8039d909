// Each user's two most recent observed run times (work at reference speed), the history
// EASY++ predicts from. Fed only by finished attempts, never by the simulator's true work.
import { withRoomFor } from "../../collections/typedArrays.ts"

export class UserRuntimeHistory {
  private latest = new Float64Array(64)
  private previous = new Float64Array(64)
  private counts = new Int32Array(64)

  record(user: number, runMs: number): void {
    this.latest = withRoomFor(this.latest, user + 1)
    this.previous = withRoomFor(this.previous, user + 1)
    this.counts = withRoomFor(this.counts, user + 1)
    this.previous[user] = this.latest[user]!
    this.latest[user] = runMs
    this.counts[user] = Math.min(2, this.counts[user]! + 1)
  }

  /** Mean of the user's last two observed run times (the only one if just one), or -1 without history. */
  meanOfLastTwo(user: number): number {
    const n = user < this.counts.length ? this.counts[user]! : 0
    if (n === 0) return -1
    return n === 1 ? this.latest[user]! : (this.latest[user]! + this.previous[user]!) / 2
  }
}
