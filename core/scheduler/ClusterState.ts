// The coordinator's view of its nodes as typed arrays indexed by NodeId, with a segment tree of
// per-dimension maximum free capacity over online nodes. The tree answers "first node at or
// after i where this job fits" in O(log N) in practice, which is what lets placement stay cheap
// at 10,000 nodes; scoring policies still scan, but only after the tree says something fits.
import { resized } from "../collections/typedArrays.ts"
import type { NodeSpec } from "../domain/node.ts"


export class ClusterState {
  count = 0
  online = new Uint8Array(16)
  capCpu = new Int32Array(16)
  capMem = new Int32Array(16)
  capDisk = new Int32Array(16)
  freeCpu = new Int32Array(16)
  freeMem = new Int32Array(16)
  freeDisk = new Int32Array(16)
  speed = new Float64Array(16)
  price = new Float64Array(16)
  /** Reputation score in [0, 1], kept current by the economy (1 when nothing tracks it). */
  reputation = new Float64Array(16)
  region = new Int32Array(16)
  readonly regionNames: Array<string> = []
  private readonly regionIndex = new Map<string, number>()

  onlineNodes = 0
  onlineCpu = 0
  allocatedCpu = 0

  // Segment tree over node slots: leaves at [size, 2*size). -1 marks an offline node or empty slot.
  private size = 16
  private tCpu = new Int32Array(32).fill(-1)
  private tMem = new Int32Array(32).fill(-1)
  private tDisk = new Int32Array(32).fill(-1)

  /** Adds a node (offline until `setOnline`); its index is its NodeId. */
  addNode(spec: NodeSpec): number {
    const id = spec.id as number
    if (id !== this.count) throw new Error(`node ids must be dense: expected ${this.count}, got ${id}`)
    if (id >= this.online.length) this.growTo(Math.max(16, this.online.length * 2))
    this.count++
    this.capCpu[id] = spec.resources.vcpus
    this.capMem[id] = spec.resources.memoryMiB
    this.capDisk[id] = spec.resources.diskMiB
    this.freeCpu[id] = spec.resources.vcpus
    this.freeMem[id] = spec.resources.memoryMiB
    this.freeDisk[id] = spec.resources.diskMiB
    this.speed[id] = spec.speed
    this.price[id] = spec.askingPrice
    this.reputation[id] = 1
    let r = this.regionIndex.get(spec.region)
    if (r === undefined) {
      r = this.regionNames.length
      this.regionNames.push(spec.region)
      this.regionIndex.set(spec.region, r)
    }
    this.region[id] = r
    return id
  }

  private growTo(n: number): void {
    this.online = resized(this.online, n)
    this.capCpu = resized(this.capCpu, n)
    this.capMem = resized(this.capMem, n)
    this.capDisk = resized(this.capDisk, n)
    this.freeCpu = resized(this.freeCpu, n)
    this.freeMem = resized(this.freeMem, n)
    this.freeDisk = resized(this.freeDisk, n)
    this.speed = resized(this.speed, n)
    this.price = resized(this.price, n)
    this.reputation = resized(this.reputation, n)
    this.region = resized(this.region, n)
    let size = this.size
    while (size < n) size *= 2
    if (size !== this.size) {
      this.size = size
      this.tCpu = new Int32Array(2 * size).fill(-1)
      this.tMem = new Int32Array(2 * size).fill(-1)
      this.tDisk = new Int32Array(2 * size).fill(-1)
      for (let i = 0; i < this.count; i++) this.refresh(i)
    }
  }

  setOnline(id: number, online: boolean): void {
    if ((this.online[id] === 1) === online) return
    this.online[id] = online ? 1 : 0
    this.onlineNodes += online ? 1 : -1
    this.onlineCpu += online ? this.capCpu[id]! : -this.capCpu[id]!
    this.refresh(id)
  }

  /** Resets a node's free capacity to its full capacity (its jobs were all released or lost). */
  resetFree(id: number): void {
    this.allocatedCpu -= this.capCpu[id]! - this.freeCpu[id]!
    this.freeCpu[id] = this.capCpu[id]!
    this.freeMem[id] = this.capMem[id]!
    this.freeDisk[id] = this.capDisk[id]!
    this.refresh(id)
  }

  allocate(id: number, cpu: number, mem: number, disk: number): void {
    this.freeCpu[id] = this.freeCpu[id]! - cpu
    this.freeMem[id] = this.freeMem[id]! - mem
    this.freeDisk[id] = this.freeDisk[id]! - disk
    this.allocatedCpu += cpu
    this.refresh(id)
  }

  release(id: number, cpu: number, mem: number, disk: number): void {
    this.freeCpu[id] = this.freeCpu[id]! + cpu
    this.freeMem[id] = this.freeMem[id]! + mem
    this.freeDisk[id] = this.freeDisk[id]! + disk
    this.allocatedCpu -= cpu
    this.refresh(id)
  }

  fitsOn(id: number, cpu: number, mem: number, disk: number): boolean {
    return this.online[id] === 1 && this.freeCpu[id]! >= cpu && this.freeMem[id]! >= mem && this.freeDisk[id]! >= disk
  }

  private refresh(id: number): void {
    let i = id + this.size
    const on = this.online[id] === 1
    this.tCpu[i] = on ? this.freeCpu[id]! : -1
    this.tMem[i] = on ? this.freeMem[id]! : -1
    this.tDisk[i] = on ? this.freeDisk[id]! : -1
    i >>= 1
    while (i >= 1) {
      const l = 2 * i
      const r = l + 1
      this.tCpu[i] = Math.max(this.tCpu[l]!, this.tCpu[r]!)
      this.tMem[i] = Math.max(this.tMem[l]!, this.tMem[r]!)
      this.tDisk[i] = Math.max(this.tDisk[l]!, this.tDisk[r]!)
      i >>= 1
    }
  }

  /** Largest free vCPU count on any online node. */
  maxFreeCpu(): number {
    return this.tCpu[1]!
  }

  /** Lowest-index online node at or after `from` where the request fits, or -1. */
  firstFit(cpu: number, mem: number, disk: number, from = 0): number {
    if (from >= this.count) return -1
    return this.search(1, 0, this.size - 1, from, cpu, mem, disk)
  }

  /** Next fit from `from`, wrapping around to the start: round-robin placement. */
  nextFit(cpu: number, mem: number, disk: number, from: number): number {
    const a = this.firstFit(cpu, mem, disk, from)
    return a >= 0 ? a : from > 0 ? this.firstFit(cpu, mem, disk, 0) : -1
  }

  anyFits(cpu: number, mem: number, disk: number): boolean {
    return this.firstFit(cpu, mem, disk, 0) >= 0
  }

  private search(i: number, lo: number, hi: number, from: number, cpu: number, mem: number, disk: number): number {
    if (hi < from || this.tCpu[i]! < cpu || this.tMem[i]! < mem || this.tDisk[i]! < disk) return -1
    if (lo === hi) return lo < this.count ? lo : -1
    const mid = (lo + hi) >> 1
    const left = this.search(2 * i, lo, mid, from, cpu, mem, disk)
    if (left >= 0) return left
    return this.search(2 * i + 1, mid + 1, hi, from, cpu, mem, disk)
  }
}
