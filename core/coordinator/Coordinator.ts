// The coordinator as a deterministic state machine: inputs are submissions, agent messages and
// clock ticks; outputs are messages to agents and lifecycle transitions, emitted through the
// `CoordinatorIO` it is given. It never reads a clock or draws a random number itself, so the
// simulator and the live daemon drive this same code (TigerBeetle's replica is built this way).
import { Either } from "effect"
import type { JobId, NodeId, UserId } from "../domain/ids.ts"
import type { JobIo, JobSpec } from "../domain/job.ts"
import { type JobStatus, statusCodes } from "../domain/lifecycle.ts"
import type { AgentMessage, CoordinatorMessage, Usage } from "../domain/messages.ts"
import type { NodeSpec } from "../domain/node.ts"
import { ClusterState } from "../scheduler/ClusterState.ts"
import { JobQueue } from "../scheduler/JobQueue.ts"
import type { SchedulingContext, SchedulingPolicy } from "../scheduler/policy.ts"
import { type CoordinatorError, JobUnsatisfiable, NodeNotDense, UnknownJob, UnknownNode } from "./errors.ts"
import { JobTable, Status } from "./JobTable.ts"

export interface CoordinatorConfig {
  /** A node silent for this long is declared offline and its jobs are lost. */
  readonly heartbeatTimeoutMs: number
  /** Attempts lost with a node that are retried before the job itself is `lost`. */
  readonly maxRetries: number
  readonly scanDepth: number
}

export const defaultCoordinatorConfig: CoordinatorConfig = {
  heartbeatTimeoutMs: 180_000,
  maxRetries: 10,
  scanDepth: 256
}

export interface CoordinatorIO {
  send(node: NodeId, message: CoordinatorMessage): void
  /** Every lifecycle change; `node` is -1 when the job has none. */
  transition(job: JobId, from: JobStatus, to: JobStatus, node: number, now: number): void
  /** An attempt's result as its agent reported it (before the job's terminal transition), for settlement and verification. */
  resultReported?(job: JobId, node: NodeId, attempt: number, outcome: "succeeded" | "failed", usage: Usage, resultDigest: string | undefined, now: number): void
}

export type JobRequest = Omit<JobSpec, "id">

export class Coordinator {
  readonly cluster = new ClusterState()
  readonly jobs = new JobTable()
  readonly queue: JobQueue
  private readonly nodeJobs: Array<Array<number>> = []
  /** Nodes each replica group's instances were placed on. */
  private readonly groupNodes = new Map<number, Array<number>>()
  private readonly lastSeenMs: Array<number> = []
  private readonly session: Array<number> = []
  private readonly users: Array<string> = []
  private readonly userIndex = new Map<string, number>()
  private readonly extras: Array<{ image: string; command: ReadonlyArray<string>; replication: number; io: JobIo | undefined; payer: UserId | undefined }> = []
  private readonly extraIndex = new Map<string, number>()
  /** Whether some enrolled node could ever hold a job of a shape; enrolling can only turn no into yes. */
  private readonly satisfiable = new Map<string, boolean>()
  private lowestAskingPrice = Infinity
  private now = 0
  private dirty = false
  private readonly ctx: SchedulingContext

  constructor(
    private readonly policy: SchedulingPolicy,
    private readonly io: CoordinatorIO,
    readonly config: CoordinatorConfig = defaultCoordinatorConfig
  ) {
    this.queue = new JobQueue(this.jobs)
    const self = this
    this.ctx = {
      cluster: this.cluster,
      jobs: this.jobs,
      queue: this.queue,
      get now() {
        return self.now
      },
      jobsOn: (node) => this.nodeJobs[node]!,
      scanDepth: config.scanDepth,
      excluded: (job, node) => this.excluded(job, node),
      place: (job, node) => this.place(job, node)
    }
  }

  get policyName(): string {
    return this.policy.name
  }

  /** A lender's machine is known (joined with a token); it is offline until its agent registers. */
  enrollNode(spec: NodeSpec): Either.Either<NodeId, NodeNotDense> {
    if (spec.id !== this.cluster.count) return Either.left(new NodeNotDense({ expected: this.cluster.count, got: spec.id }))
    this.cluster.addNode(spec)
    this.lowestAskingPrice = Math.min(this.lowestAskingPrice, spec.askingPrice)
    this.nodeJobs.push([])
    this.lastSeenMs.push(-Infinity)
    this.session.push(-1)
    for (const [shape, ok] of this.satisfiable) if (!ok) this.satisfiable.delete(shape)
    return Either.right(spec.id)
  }

  /** The id the next submitted job will get (ids are dense), so a caller can hold credits for it first. */
  get nextJobId(): JobId {
    return this.jobs.count as JobId
  }

  /** Queues a job; `group` makes it one instance of a replica group (`nextJobId` of its first instance). */
  submit(request: JobRequest, now: number, group = -1): Either.Either<JobId, JobUnsatisfiable> {
    this.now = now
    const admissible = this.admissible(request)
    if (Either.isLeft(admissible)) return Either.left(admissible.left)
    const r = request.resources
    if (group >= 0 && !this.nodeLeftForGroup(r.vcpus, r.memoryMiB, r.diskMiB, group)) {
      return Either.left(new JobUnsatisfiable({ ...r, reason: `every node that could run it already ran a replica of job ${group}` }))
    }
    const jobs = this.jobs
    const id = jobs.count
    jobs.ensure(id + 1)
    jobs.count++
    jobs.status[id] = Status.queued
    jobs.cpu[id] = r.vcpus
    jobs.mem[id] = r.memoryMiB
    jobs.disk[id] = r.diskMiB
    jobs.owner[id] = this.intern(request.owner)
    jobs.requestedMs[id] = request.requestedTimeMs
    jobs.workMs[id] = request.workMs
    // A replica queues where its borrower's job did: it is that job's work, not a new arrival.
    jobs.submitMs[id] = group >= 0 && group < id ? jobs.submitMs[group]! : now
    jobs.startMs[id] = -1
    jobs.endMs[id] = -1
    jobs.node[id] = -1
    jobs.attempts[id] = 0
    jobs.retries[id] = 0
    jobs.rejections[id] = 0
    jobs.lostCpuMs[id] = 0
    jobs.extra[id] = this.internExtra(request.image, request.command, request.replication, request.io, request.payer)
    jobs.group[id] = group
    jobs.priceCap[id] = request.priceCap ?? Infinity
    jobs.minReputation[id] = request.minReputation ?? 0
    this.queue.push(id)
    this.policy.jobQueued?.(this.ctx, id)
    this.io.transition(id as JobId, "queued", "queued", -1, now)
    this.dirty = true
    return Either.right(id as JobId)
  }

  /** Whether some enrolled node could ever run the job (submit checks this; a caller may ask first). */
  admissible(request: JobRequest): Either.Either<void, JobUnsatisfiable> {
    const r = request.resources
    if (!this.fitsSomeNode(r.vcpus, r.memoryMiB, r.diskMiB)) {
      return Either.left(new JobUnsatisfiable({ ...r, reason: "no enrolled node is that large" }))
    }
    if (request.priceCap !== undefined && request.priceCap < this.lowestAskingPrice) {
      return Either.left(new JobUnsatisfiable({ ...r, reason: `no enrolled node asks at most ${request.priceCap} credits per vCPU-hour` }))
    }
    return Either.right(undefined)
  }

  cancel(jobId: number, now: number): Either.Either<JobStatus, UnknownJob> {
    this.now = now
    if (jobId < 0 || jobId >= this.jobs.count) return Either.left(new UnknownJob({ jobId }))
    const s = this.jobs.status[jobId]!
    if (s === Status.queued) {
      this.queue.removed()
      this.finish(jobId, "cancelled")
      this.dirty = true // it may have been the blocked head
    } else if (s === Status.placed || s === Status.running) {
      const node = this.jobs.node[jobId]!
      this.io.send(node as NodeId, { _tag: "CancelJob", jobId: jobId as JobId, attempt: this.jobs.attempts[jobId]! - 1 })
      this.releaseFromNode(jobId, node)
      this.finish(jobId, "cancelled")
    }
    return Either.right(statusCodes[this.jobs.status[jobId]!]!)
  }

  receive(message: AgentMessage, now: number): Either.Either<void, CoordinatorError> {
    this.now = now
    switch (message._tag) {
      case "Register": {
        const id = message.node.id
        if (id >= this.cluster.count) return Either.left(new UnknownNode({ nodeId: id, message_: "Register" }))
        if (this.session[id] !== message.session) this.loseJobsOn(id)
        this.session[id] = message.session
        this.lastSeenMs[id] = now
        this.cluster.setOnline(id, true)
        this.policy.nodeChanged?.(id)
        this.policy.nodeAvailability?.(this.ctx, id, true)
        this.dirty = true
        this.io.send(id, { _tag: "Registered", nodeId: id, session: message.session })
        return Either.right(undefined)
      }
      case "Heartbeat": {
        const id = message.nodeId
        if (id >= this.cluster.count) return Either.left(new UnknownNode({ nodeId: id, message_: "Heartbeat" }))
        if (this.cluster.online[id] === 0 || this.session[id] !== message.session) {
          // Timed out earlier (or a stale session): the agent must drop its work and register anew.
          this.io.send(id, { _tag: "ResetAgent", nodeId: id })
          return Either.right(undefined)
        }
        this.lastSeenMs[id] = now
        this.reconcile(id, message.running, now)
        return Either.right(undefined)
      }
      case "JobStarted": {
        const job = this.currentAttempt(message.nodeId, message.jobId, message.attempt)
        if (job === -1) return this.checkNode(message.nodeId, "JobStarted")
        this.lastSeenMs[message.nodeId] = now
        if (this.jobs.status[job] === Status.placed) {
          this.jobs.status[job] = Status.running
          this.jobs.startMs[job] = now
          this.io.transition(job as JobId, "placed", "running", message.nodeId, now)
        }
        return Either.right(undefined)
      }
      case "JobRejected": {
        const job = this.currentAttempt(message.nodeId, message.jobId, message.attempt)
        if (job === -1) return this.checkNode(message.nodeId, "JobRejected")
        this.lastSeenMs[message.nodeId] = now
        const from = statusCodes[this.jobs.status[job]!]!
        this.jobs.rejections[job]!++
        this.releaseFromNode(job, message.nodeId)
        this.requeue(job, from, message.nodeId)
        return Either.right(undefined)
      }
      case "JobFinished": {
        const job = this.currentAttempt(message.nodeId, message.jobId, message.attempt)
        if (job === -1) return this.checkNode(message.nodeId, "JobFinished")
        this.lastSeenMs[message.nodeId] = now
        if (this.jobs.status[job] === Status.placed) {
          // Started and finished within one delivery: record the start we never heard of.
          this.jobs.status[job] = Status.running
          this.jobs.startMs[job] = now - message.usage.wallMs
          this.io.transition(job as JobId, "placed", "running", message.nodeId, now)
        }
        this.releaseFromNode(job, message.nodeId)
        this.io.resultReported?.(job as JobId, message.nodeId, message.attempt, message.outcome, message.usage, message.resultDigest, now)
        this.finish(job, message.outcome)
        return Either.right(undefined)
      }
    }
  }

  /**
   * The coordinator itself was down until `now` (its state restored from its log): every online
   * node's silence is counted from now, so agents get a whole heartbeat timeout to reconnect.
   */
  resume(now: number): void {
    this.now = now
    for (let id = 0; id < this.cluster.count; id++) if (this.cluster.online[id] === 1) this.lastSeenMs[id] = now
  }

  /** Declares silent nodes offline and retries their jobs. Call periodically. */
  tick(now: number): void {
    this.now = now
    const deadline = now - this.config.heartbeatTimeoutMs
    const c = this.cluster
    for (let id = 0; id < c.count; id++) {
      if (c.online[id] === 1 && this.lastSeenMs[id]! < deadline) this.nodeLost(id)
    }
  }

  /** Runs the scheduling policy if anything changed since the last pass. */
  flush(now: number): void {
    this.now = now
    if (!this.dirty) return
    this.dirty = false
    if (this.queue.length > 0) this.policy.schedule(this.ctx)
    this.queue.maintain()
  }

  status(jobId: number): JobStatus | undefined {
    return jobId >= 0 && jobId < this.jobs.count ? statusCodes[this.jobs.status[jobId]!] : undefined
  }

  userOf(jobId: number): string {
    return this.users[this.jobs.owner[jobId]!]!
  }

  /** When the node was last heard from (a message or a resume), or null if never. */
  lastSeen(node: number): number | null {
    const t = this.lastSeenMs[node]
    return t === undefined || t === -Infinity ? null : t
  }

  jobsOn(node: number): ReadonlyArray<number> {
    return this.nodeJobs[node]!
  }

  /** The job spec as sent to an agent. */
  specOf(jobId: number): JobSpec {
    const j = this.jobs
    const extra = this.extras[j.extra[jobId]!]!
    return {
      id: jobId as JobId,
      owner: this.users[j.owner[jobId]!]! as UserId,
      resources: { vcpus: j.cpu[jobId]!, memoryMiB: j.mem[jobId]!, diskMiB: j.disk[jobId]! },
      requestedTimeMs: j.requestedMs[jobId]!,
      workMs: j.workMs[jobId]!,
      image: extra.image,
      command: extra.command,
      replication: extra.replication,
      ...(j.priceCap[jobId] !== Infinity ? { priceCap: j.priceCap[jobId]! } : {}),
      ...(j.minReputation[jobId]! > 0 ? { minReputation: j.minReputation[jobId]! } : {}),
      ...(extra.io !== undefined ? { io: extra.io } : {}),
      ...(extra.payer !== undefined ? { payer: extra.payer } : {})
    }
  }

  /** Frees what the coordinator keeps for a replica group once all its instances have ended. */
  forgetGroup(group: number): void {
    this.groupNodes.delete(group)
  }

  private excluded(job: number, node: number): boolean {
    const j = this.jobs
    if (j.priceCap[job]! < this.cluster.price[node]! || j.minReputation[job]! > this.cluster.reputation[node]!) return true
    const g = j.group[job]!
    return g >= 0 && (this.groupNodes.get(g)?.includes(node) ?? false)
  }

  private place(job: number, node: number): void {
    const j = this.jobs
    j.status[job] = Status.placed
    this.queue.removed()
    j.node[job] = node
    j.startMs[job] = -1
    j.missingSinceMs[job] = -1
    const attempt = j.attempts[job]!
    j.attempts[job] = attempt + 1
    this.cluster.allocate(node, j.cpu[job]!, j.mem[job]!, j.disk[job]!)
    this.nodeJobs[node]!.push(job)
    const g = j.group[job]!
    if (g >= 0) {
      const used = this.groupNodes.get(g)
      if (used === undefined) this.groupNodes.set(g, [node])
      else if (!used.includes(node)) used.push(node)
    }
    this.policy.nodeChanged?.(node)
    this.io.transition(job as JobId, "queued", "placed", node, this.now)
    this.io.send(node as NodeId, { _tag: "Assign", job: this.specOf(job), attempt, session: this.session[node]! })
  }

  private currentAttempt(node: number, job: number, attempt: number): number {
    if (job < 0 || job >= this.jobs.count) return -1
    const j = this.jobs
    const s = j.status[job]
    if ((s !== Status.placed && s !== Status.running) || j.node[job] !== node || j.attempts[job]! - 1 !== attempt) return -1
    return job
  }

  /** A message about a job attempt we no longer track: fine from a known node (stale), an error otherwise. */
  private checkNode(node: number, tag: string): Either.Either<void, UnknownNode> {
    if (node < 0 || node >= this.cluster.count) return Either.left(new UnknownNode({ nodeId: node, message_: tag }))
    this.lastSeenMs[node] = this.now
    return Either.right(undefined)
  }

  private releaseFromNode(job: number, node: number): void {
    const list = this.nodeJobs[node]!
    const k = list.indexOf(job)
    if (k >= 0) {
      list[k] = list[list.length - 1]!
      list.pop()
    }
    const j = this.jobs
    this.cluster.release(node, j.cpu[job]!, j.mem[job]!, j.disk[job]!)
    this.policy.nodeChanged?.(node)
    this.dirty = true
  }

  private finish(job: number, to: "succeeded" | "failed" | "cancelled" | "lost"): void {
    const j = this.jobs
    const from = statusCodes[j.status[job]!]!
    j.status[job] = Status[to]
    j.endMs[job] = this.now
    // A lost attempt was reported by loseAttempt already.
    if ((from === "placed" || from === "running") && to !== "lost") this.policy.attemptEnded?.(this.ctx, job, j.node[job]!, to)
    this.io.transition(job as JobId, from, to, j.node[job]!, this.now)
  }

  private requeue(job: number, from: JobStatus, node: number): void {
    this.jobs.status[job] = Status.queued
    this.queue.push(job)
    this.policy.jobQueued?.(this.ctx, job)
    this.dirty = true
    this.io.transition(job as JobId, from, "queued", node, this.now)
  }

  private nodeLost(node: number): void {
    this.cluster.setOnline(node, false)
    this.policy.nodeAvailability?.(this.ctx, node, false)
    this.loseJobsOn(node)
    this.policy.nodeChanged?.(node)
  }

  /** Every attempt on the node is lost: retry it, or give the job up once retries run out. */
  private loseJobsOn(node: number): void {
    const list = this.nodeJobs[node]!
    if (list.length === 0) return
    this.nodeJobs[node] = []
    this.cluster.resetFree(node)
    for (const job of list) this.loseAttempt(job, node)
    this.dirty = true
  }

  private loseAttempt(job: number, node: number): void {
    const j = this.jobs
    const from = statusCodes[j.status[job]!]!
    if (j.startMs[job]! >= 0) j.lostCpuMs[job] = j.lostCpuMs[job]! + (this.now - j.startMs[job]!) * j.cpu[job]!
    this.policy.attemptEnded?.(this.ctx, job, node, "lost")
    if (j.retries[job]! < this.config.maxRetries) {
      j.retries[job]!++
      this.requeue(job, from, node)
    } else this.finish(job, "lost")
  }

  /**
   * Compares what an agent says it runs with what we placed there. An attempt it has not reported
   * for a whole heartbeat timeout is lost (its Assign or its JobFinished went missing) and retried;
   * an attempt it runs that we no longer track is cancelled; a start we never heard of is recorded.
   */
  private reconcile(node: number, running: ReadonlyArray<{ readonly jobId: number; readonly attempt: number }>, now: number): void {
    const j = this.jobs
    let current = 0
    for (const r of running) {
      const job = this.currentAttempt(node, r.jobId, r.attempt)
      if (job !== -1) current++
      if (job === -1) {
        this.io.send(node as NodeId, { _tag: "CancelJob", jobId: r.jobId as JobId, attempt: r.attempt })
      } else if (j.status[job] === Status.placed) {
        j.status[job] = Status.running
        j.startMs[job] = now
        this.io.transition(job as JobId, "placed", "running", node, now)
      }
    }
    const list = this.nodeJobs[node]!
    if (list.length === 0) return
    if (current === list.length) {
      // Everything we placed there was reported.
      for (const job of list) j.missingSinceMs[job] = -1
      return
    }
    let lost: Array<number> | undefined
    for (const job of list) {
      if (running.some((r) => r.jobId === job && r.attempt === j.attempts[job]! - 1)) j.missingSinceMs[job] = -1
      else if (j.missingSinceMs[job]! < 0) j.missingSinceMs[job] = now
      else if (now - j.missingSinceMs[job]! >= this.config.heartbeatTimeoutMs) (lost ??= []).push(job)
    }
    if (lost === undefined) return
    for (const job of lost) {
      this.releaseFromNode(job, node)
      this.loseAttempt(job, node)
    }
  }

  /** Whether some node large enough has not yet been used by the replica group. */
  private nodeLeftForGroup(cpu: number, mem: number, disk: number, group: number): boolean {
    const used = this.groupNodes.get(group)
    if (used === undefined) return true
    const c = this.cluster
    for (let i = 0; i < c.count; i++) {
      if (c.capCpu[i]! >= cpu && c.capMem[i]! >= mem && c.capDisk[i]! >= disk && !used.includes(i)) return true
    }
    return false
  }

  private fitsSomeNode(cpu: number, mem: number, disk: number): boolean {
    const shape = `${cpu}/${mem}/${disk}`
    let ok = this.satisfiable.get(shape)
    if (ok === undefined) {
      const c = this.cluster
      ok = false
      for (let i = 0; i < c.count && !ok; i++) ok = c.capCpu[i]! >= cpu && c.capMem[i]! >= mem && c.capDisk[i]! >= disk
      this.satisfiable.set(shape, ok)
    }
    return ok
  }

  private intern(user: string): number {
    let i = this.userIndex.get(user)
    if (i === undefined) {
      i = this.users.length
      this.users.push(user)
      this.userIndex.set(user, i)
    }
    return i
  }

  private internExtra(image: string, command: ReadonlyArray<string>, replication: number, io: JobIo | undefined, payer: UserId | undefined): number {
    const key = JSON.stringify([image, command, replication, io, payer])
    let i = this.extraIndex.get(key)
    if (i === undefined) {
      i = this.extras.length
      this.extras.push({ image, command, replication, io, payer })
      this.extraIndex.set(key, i)
    }
    return i
  }
}
