// The sizes-only shard store of the durability simulator: which node holds shard s of object o,
// in typed arrays, plus every node's list of the shards it holds, so an outage or a disk loss
// touches only that node's shards (a million objects x 14 shards is 56 MB per array).
// Shard ids are o * shardsPerObject + s; a holder of -1 means the shard is missing.

export class ShardTable {
  readonly holder: Int32Array
  /** Where the shard sits in its holder's list (for O(1) removal). */
  private readonly position: Int32Array
  private lists: Array<Int32Array>
  private readonly lengths: Int32Array

  constructor(
    readonly objects: number,
    readonly shardsPerObject: number,
    nodes: number
  ) {
    const total = objects * shardsPerObject
    this.holder = new Int32Array(total).fill(-1)
    this.position = new Int32Array(total).fill(-1)
    const perNode = Math.max(16, Math.ceil((total / Math.max(1, nodes)) * 1.25))
    this.lists = Array.from({ length: nodes }, () => new Int32Array(perNode))
    this.lengths = new Int32Array(nodes)
  }

  holderOf(object: number, shard: number): number {
    return this.holder[object * this.shardsPerObject + shard]!
  }

  /** Puts a missing shard on `node`. */
  place(shardId: number, node: number): void {
    if (this.holder[shardId] !== -1) throw new Error(`shard ${shardId} is already on node ${this.holder[shardId]}`)
    let list = this.lists[node]!
    const len = this.lengths[node]!
    if (len === list.length) {
      const grown = new Int32Array(list.length * 2)
      grown.set(list)
      this.lists[node] = list = grown
    }
    list[len] = shardId
    this.lengths[node] = len + 1
    this.holder[shardId] = node
    this.position[shardId] = len
  }

  /** Takes a shard off its holder; it becomes missing. */
  remove(shardId: number): void {
    const node = this.holder[shardId]!
    if (node < 0) return
    const list = this.lists[node]!
    const last = --this.lengths[node]!
    const at = this.position[shardId]!
    const moved = list[last]!
    list[at] = moved
    this.position[moved] = at
    this.holder[shardId] = -1
    this.position[shardId] = -1
  }

  /** Every shard on `node` becomes missing (its disk is gone); returns how many there were. */
  dropNode(node: number, each: (shardId: number) => void): number {
    const list = this.lists[node]!
    const len = this.lengths[node]!
    this.lengths[node] = 0
    for (let i = 0; i < len; i++) {
      const id = list[i]!
      this.holder[id] = -1
      this.position[id] = -1
      each(id)
    }
    return len
  }

  shardCount(node: number): number {
    return this.lengths[node]!
  }

  /** Calls `each` for every shard on `node`; `each` must not move shards. */
  forEachOnNode(node: number, each: (shardId: number) => void): void {
    const list = this.lists[node]!
    const len = this.lengths[node]!
    for (let i = 0; i < len; i++) each(list[i]!)
  }

  /** True when `node` holds some shard of `object` (k+m is small, so a scan is cheapest). */
  holdsShardOf(object: number, node: number): boolean {
    const base = object * this.shardsPerObject
    for (let s = 0; s < this.shardsPerObject; s++) if (this.holder[base + s] === node) return true
    return false
  }

  /** Every shard's holder list matches `holder`: the table's own consistency, for tests. */
  check(): string | undefined {
    let listed = 0
    for (let node = 0; node < this.lists.length; node++) {
      const list = this.lists[node]!
      for (let i = 0; i < this.lengths[node]!; i++) {
        const id = list[i]!
        if (this.holder[id] !== node) return `shard ${id} is listed on node ${node} but held by ${this.holder[id]}`
        if (this.position[id] !== i) return `shard ${id} is at ${i} on node ${node} but its position says ${this.position[id]}`
        listed++
      }
    }
    let held = 0
    for (let id = 0; id < this.holder.length; id++) if (this.holder[id]! >= 0) held++
    return held === listed ? undefined : `${held} shards are held but ${listed} are listed`
  }
}
