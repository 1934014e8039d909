// The run's state sampled over virtual time, kept columnar for the CSV writer.
export class TimeSeries {
  readonly timeMs: Array<number> = []
  readonly nodesOnline: Array<number> = []
  readonly cpuOnline: Array<number> = []
  readonly cpuAllocated: Array<number> = []
  readonly queued: Array<number> = []
  readonly active: Array<number> = []

  add(timeMs: number, nodesOnline: number, cpuOnline: number, cpuAllocated: number, queued: number, active: number): void {
    if (this.timeMs.length > 0 && this.timeMs[this.timeMs.length - 1] === timeMs) {
      for (const col of [this.timeMs, this.nodesOnline, this.cpuOnline, this.cpuAllocated, this.queued, this.active]) col.pop()
    }
    this.timeMs.push(timeMs)
    this.nodesOnline.push(nodesOnline)
    this.cpuOnline.push(cpuOnline)
    this.cpuAllocated.push(cpuAllocated)
    this.queued.push(queued)
    this.active.push(active)
  }

  get length(): number {
    return this.timeMs.length
  }
}
