// Ground-truth checks used by the property tests: it watches the world from outside the core
// (what really runs where) and collects every broken invariant as a readable sentence.
import type { Coordinator } from "../../core/coordinator/Coordinator.ts"
import { isTerminal, type JobStatus } from "../../core/domain/lifecycle.ts"
import type { NodeSpec } from "../../core/domain/node.ts"

export class InvariantChecker {
  private readonly violations: Array<string> = []
  private readonly open = new Map<string, { node: number; cpu: number }>()
  private readonly usedCpu: Int32Array
  private readonly ended = new Map<number, number>()

  constructor(private readonly nodes: ReadonlyArray<NodeSpec>) {
    this.usedCpu = new Int32Array(nodes.length)
  }

  violation(text: string): void {
    if (this.violations.length < 100) this.violations.push(text)
  }

  sandboxStarted(node: number, job: number, attempt: number, cpu: number, online: boolean): void {
    if (!online) this.violation(`job ${job} attempt ${attempt} started on offline node ${node}`)
    this.open.set(`${job}:${attempt}`, { node, cpu })
    this.usedCpu[node] = this.usedCpu[node]! + cpu
    if (this.usedCpu[node]! > this.nodes[node]!.resources.vcpus) {
      this.violation(`node ${node} over-committed: ${this.usedCpu[node]} vCPUs in use of ${this.nodes[node]!.resources.vcpus}`)
    }
  }

  sandboxStopped(node: number, job: number, attempt: number): void {
    this.close(`${job}:${attempt}`, node)
  }

  sandboxExited(node: number, job: number, attempt: number): void {
    if (!this.open.has(`${job}:${attempt}`)) this.violation(`job ${job} attempt ${attempt} exited on node ${node} but was not running there`)
    this.close(`${job}:${attempt}`, node)
  }

  nodeDown(node: number): void {
    for (const [key, run] of this.open) if (run.node === node) this.close(key, node)
    if (this.usedCpu[node] !== 0) this.violation(`node ${node} went down with ${this.usedCpu[node]} vCPUs unaccounted`)
  }

  private close(key: string, node: number): void {
    const run = this.open.get(key)
    if (run === undefined || run.node !== node) return
    this.open.delete(key)
    this.usedCpu[node] = this.usedCpu[node]! - run.cpu
  }

  transition(job: number, from: JobStatus, to: JobStatus, node: number, coordinator: Coordinator): void {
    if (from !== to && isTerminal(from)) this.violation(`job ${job} left terminal state ${from} for ${to}`)
    if (isTerminal(to)) {
      const n = (this.ended.get(job) ?? 0) + 1
      this.ended.set(job, n)
      if (n > 1) this.violation(`job ${job} ended ${n} times (now ${to})`)
    }
    if (to === "placed") {
      const c = coordinator.cluster
      if (c.freeCpu[node]! < 0 || c.freeMem[node]! < 0 || c.freeDisk[node]! < 0) {
        this.violation(`coordinator over-committed node ${node} placing job ${job}`)
      }
      if (c.online[node] === 0) this.violation(`job ${job} placed on node ${node} the coordinator thinks offline`)
    }
  }

  /** Final checks: every job ended exactly once, and the counts add up. */
  finish(coordinator: Coordinator, submitted: number, finished: boolean): ReadonlyArray<string> {
    if (coordinator.jobs.count !== submitted) this.violation(`coordinator has ${coordinator.jobs.count} jobs, ${submitted} were submitted`)
    if (finished) {
      for (let j = 0; j < submitted; j++) {
        if (this.ended.get(j) !== 1) this.violation(`job ${j} ended ${this.ended.get(j) ?? 0} times`)
      }
    }
    return this.violations
  }
}
