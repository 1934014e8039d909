// Expected coordinator errors: each names the facts needed to act on it.
import { Data } from "effect"

export class UnknownNode extends Data.TaggedError("UnknownNode")<{ readonly nodeId: number; readonly message_: string }> {
  override get message() {
    return `message ${this.message_} from unknown node ${this.nodeId}`
  }
}

export class UnknownJob extends Data.TaggedError("UnknownJob")<{ readonly jobId: number }> {
  override get message() {
    return `unknown job ${this.jobId}`
  }
}

export class JobUnsatisfiable extends Data.TaggedError("JobUnsatisfiable")<{
  readonly vcpus: number
  readonly memoryMiB: number
  readonly diskMiB: number
  readonly reason: string
}> {
  override get message() {
    return `job needs ${this.vcpus} vCPU / ${this.memoryMiB} MiB / ${this.diskMiB} MiB disk: ${this.reason}`
  }
}

export class NodeNotDense extends Data.TaggedError("NodeNotDense")<{ readonly expected: number; readonly got: number }> {
  override get message() {
    return `node ids are assigned densely: expected ${this.expected}, got ${this.got}`
  }
}

export type CoordinatorError = UnknownNode | UnknownJob | JobUnsatisfiable | NodeNotDense
