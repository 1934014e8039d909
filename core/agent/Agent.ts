// The agent on a lender's machine as a deterministic state machine: it admits assigned jobs
// against its own capacity (the ground truth that no node is over-committed), starts them in
// its sandbox, and reports. The driver (simulator or live daemon) runs the sandbox and calls
// `sandboxExited`; heartbeats are sent when the driver's timer calls `heartbeat`.
import type { JobId, NodeId } from "../domain/ids.ts"
import type { JobSpec } from "../domain/job.ts"
import type { AgentMessage, CoordinatorMessage, Usage } from "../domain/messages.ts"
import type { NodeSpec } from "../domain/node.ts"

export interface AgentIO {
  send(message: AgentMessage): void
  startSandbox(job: JobSpec, attempt: number): void
  stopSandbox(job: JobId, attempt: number): void
}

interface RunningJob {
  readonly job: JobSpec
  readonly attempt: number
}

export class Agent {
  private readonly running = new Map<number, RunningJob>()
  /** The running attempts as last reported; rebuilt only when they change. */
  private report: ReadonlyArray<{ readonly jobId: JobId; readonly attempt: number }> = []
  private reportStale = false
  private freeCpu: number
  private freeMem: number
  private freeDisk: number
  private session: number

  constructor(readonly spec: NodeSpec, private readonly io: AgentIO, session = 0) {
    this.freeCpu = spec.resources.vcpus
    this.freeMem = spec.resources.memoryMiB
    this.freeDisk = spec.resources.diskMiB
    this.session = session
  }

  get nodeId(): NodeId {
    return this.spec.id
  }

  get currentSession(): number {
    return this.session
  }

  get runningCount(): number {
    return this.running.size
  }

  /** vCPUs in use by admitted jobs. */
  get usedCpu(): number {
    return this.spec.resources.vcpus - this.freeCpu
  }

  /** Starts a new session (process start or restart): everything from the old one is gone. */
  start(): void {
    this.session++
    this.dropAll()
    this.io.send({ _tag: "Register", node: this.spec, session: this.session })
  }

  /** The machine went away: all running work and state vanish without a word to anyone. */
  crash(): void {
    this.running.clear()
    this.reportStale = true
    this.freeCpu = this.spec.resources.vcpus
    this.freeMem = this.spec.resources.memoryMiB
    this.freeDisk = this.spec.resources.diskMiB
  }

  heartbeat(): void {
    if (this.reportStale) {
      this.report = [...this.running.values()].map((r) => ({ jobId: r.job.id, attempt: r.attempt }))
      this.reportStale = false
    }
    this.io.send({ _tag: "Heartbeat", nodeId: this.spec.id, session: this.session, running: this.report })
  }

  receive(message: CoordinatorMessage): void {
    switch (message._tag) {
      case "Registered":
        return
      case "Assign": {
        // Meant for an earlier session of this machine: over TCP it would have died with the old
        // connection. The coordinator learns of the new session from our Register and retries.
        if (message.session !== this.session) return
        const { job, attempt } = message
        const r = job.resources
        if (this.running.has(job.id) || r.vcpus > this.freeCpu || r.memoryMiB > this.freeMem || r.diskMiB > this.freeDisk) {
          this.io.send({
            _tag: "JobRejected",
            nodeId: this.spec.id,
            jobId: job.id,
            attempt,
            reason: this.running.has(job.id) ? "already running" : "insufficient free resources"
          })
          return
        }
        this.freeCpu -= r.vcpus
        this.freeMem -= r.memoryMiB
        this.freeDisk -= r.diskMiB
        this.running.set(job.id, { job, attempt })
        this.reportStale = true
        this.io.startSandbox(job, attempt)
        this.io.send({ _tag: "JobStarted", nodeId: this.spec.id, jobId: job.id, attempt })
        return
      }
      case "CancelJob": {
        const run = this.running.get(message.jobId)
        if (run === undefined || run.attempt !== message.attempt) return
        this.release(run)
        this.io.stopSandbox(message.jobId, message.attempt)
        return
      }
      case "ResetAgent":
        this.start()
        return
    }
  }

  sandboxExited(jobId: JobId, attempt: number, outcome: "succeeded" | "failed", usage: Usage, resultDigest?: string): void {
    const run = this.running.get(jobId)
    if (run === undefined || run.attempt !== attempt) return
    this.release(run)
    this.io.send({ _tag: "JobFinished", nodeId: this.spec.id, jobId, attempt, outcome, usage, ...(resultDigest !== undefined ? { resultDigest } : {}) })
  }

  private release(run: RunningJob): void {
    this.running.delete(run.job.id)
    this.reportStale = true
    const r = run.job.resources
    this.freeCpu += r.vcpus
    this.freeMem += r.memoryMiB
    this.freeDisk += r.diskMiB
  }

  private dropAll(): void {
    for (const run of this.running.values()) this.io.stopSandbox(run.job.id, run.attempt)
    this.crash()
  }
}
