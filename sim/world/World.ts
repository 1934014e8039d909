// One simulated run of one policy: the core coordinator and one core agent per node, wired by
// a virtual network (per-link FIFO, latency, loss), a virtual sandbox (run time = work / speed),
// churn, permanent failures and injected failures, all driven by one event queue in virtual time.
// Heartbeats are delivered in rounds (one event per interval for all nodes), without latency or
// loss, because one event per node per interval would dominate a 10,000-node run; a partition
// still cuts them off.
import { Either } from "effect"
import { Agent, type AgentIO } from "../../core/agent/Agent.ts"
import { ledgerAccounts } from "../../core/economy/ledgerAccounts.ts"
import { Market, type MarketTotals } from "../../core/economy/Market.ts"
import { LedgerBook } from "../../core/ledger/LedgerBook.ts"
import { Coordinator, type CoordinatorIO } from "../../core/coordinator/Coordinator.ts"
import type { JobId } from "../../core/domain/ids.ts"
import { isTerminal, type JobStatus } from "../../core/domain/lifecycle.ts"
import type { AgentMessage, CoordinatorMessage } from "../../core/domain/messages.ts"
import type { NodeSpec } from "../../core/domain/node.ts"
import type { Prng } from "../../core/random/prng.ts"
import type { SchedulingPolicy } from "../../core/scheduler/policy.ts"
import { modelRunTimeMs } from "../../core/services/Sandbox.ts"
import type { Scenario } from "../../scenarios/schema.ts"
import { correctDigest, VerificationTally, type VerificationSummary } from "../economy/VerificationTally.ts"
import { EventQueue } from "../engine/EventQueue.ts"
import type { ChurnSource } from "../model/churn.ts"
import type { SimJob, WorkloadSource } from "../model/workload.ts"
import type { ChurnOracle } from "./ChurnOracle.ts"
import { InvariantChecker } from "./InvariantChecker.ts"
import { TimeSeries } from "./TimeSeries.ts"

const ARRIVAL = 0
const TO_COORDINATOR = 1
const TO_AGENT = 2
const SANDBOX_EXIT = 3
const NODE_UP = 4
const NODE_DOWN = 5
const HEARTBEAT_ROUND = 6
const SAMPLE = 7
const FAILURE = 8
const DEATH = 9

interface SandboxRun {
  readonly attempt: number
  readonly incarnation: number
  readonly outcome: "succeeded" | "failed"
  readonly wallMs: number
  readonly digest: string
}

type Payload = AgentMessage | CoordinatorMessage | SandboxRun | SimJob

export interface WorldInput {
  readonly scenario: Scenario
  readonly policy: SchedulingPolicy
  readonly nodes: ReadonlyArray<NodeSpec>
  readonly workload: WorkloadSource
  readonly churn: ChurnSource
  /** Streams for the network, failure injection and permanent failures. */
  readonly rng: Prng
  /** Check invariants on every step (for tests); violations are collected, not thrown. */
  readonly checkInvariants?: boolean
  /** Told when each node's online session will end (for the oracle policy only). */
  readonly churnOracle?: ChurnOracle
}

export interface WorldResult {
  readonly policy: string
  readonly coordinator: Coordinator
  readonly submitted: number
  readonly rejected: number
  readonly endMs: number
  readonly events: number
  /** Integral of online vCPUs over time (vCPU-ms), for utilisation. */
  readonly capacityCpuMs: number
  readonly series: TimeSeries
  readonly violations: ReadonlyArray<string>
  readonly market: MarketTotals
  readonly ledger: LedgerBook
  /** Present when the scenario has cheaters or verifies results. */
  readonly verification: VerificationSummary | undefined
}

export const runWorld = (input: WorldInput): WorldResult => new World(input).run()

class World {
  private readonly q = new EventQueue<Payload>()
  private readonly coordinator: Coordinator
  private readonly market: Market<unknown>
  /** The ledger runs in every simulation; entries are not kept, balances and the hash chain are. */
  readonly ledger = new LedgerBook({ retainEntries: false })
  private readonly cheater: Uint8Array
  private readonly cheatRng: Prng
  private readonly tally: VerificationTally | undefined
  private readonly agents: Array<Agent> = []
  private readonly n: number
  private readonly churnUp: Uint8Array
  private readonly dead: Uint8Array
  private readonly online: Uint8Array
  private readonly incarnation: Int32Array
  private readonly churnEpoch: Int32Array
  private readonly regionDown: Uint8Array
  private readonly partitioned: Uint8Array
  private readonly regionOf: Int32Array
  private readonly lastToCoordinator: Float64Array
  private readonly lastToAgent: Float64Array
  private failAt = new Float64Array(1024)
  /** Sandboxes stopped by their agent (cancel, reset) whose exit events must not fire. */
  private readonly stoppedRuns = new Set<string>()
  private now = 0
  private submitted = 0
  private rejected = 0
  private terminal = 0
  private active = 0
  private arrivalsDone = false
  private onlineCpu = 0
  private onlineNodes = 0
  private capacityCpuMs = 0
  private capacitySince = 0
  private readonly netRng: Prng
  private readonly failureRng: Prng
  private readonly latencyMin: number
  private readonly latencySpan: number
  private readonly lossRate: number
  private readonly series = new TimeSeries()
  private readonly checker: InvariantChecker | undefined
  private readonly horizonMs: number

  constructor(private readonly input: WorldInput) {
    const s = input.scenario
    this.n = input.nodes.length
    this.churnUp = new Uint8Array(this.n)
    this.dead = new Uint8Array(this.n)
    this.online = new Uint8Array(this.n)
    this.incarnation = new Int32Array(this.n)
    this.churnEpoch = new Int32Array(this.n)
    this.regionOf = new Int32Array(this.n)
    this.lastToCoordinator = new Float64Array(this.n)
    this.lastToAgent = new Float64Array(this.n)
    this.regionDown = new Uint8Array(s.nodes.regions.length)
    this.partitioned = new Uint8Array(s.nodes.regions.length)
    this.netRng = input.rng.split("network")
    this.failureRng = input.rng.split("failures")
    this.latencyMin = s.network.latencyMsMin
    this.latencySpan = s.network.latencyMsMax - s.network.latencyMsMin
    this.lossRate = s.network.lossRate
    this.horizonMs = s.horizonS === undefined ? Infinity : s.horizonS * 1000
    this.checker = input.checkInvariants ? new InvariantChecker(input.nodes) : undefined
    const coordinatorIO: CoordinatorIO = {
      send: (node, message) => this.sendToAgent(node, message),
      transition: (job, from, to, node, now) => {
        this.onTransition(job, from, to, node)
        this.market.transition(job, from, to, node, now)
      },
      resultReported: (job, node, _attempt, outcome, usage, digest) => this.market.result(job, node, outcome, usage, digest)
    }
    this.coordinator = new Coordinator(input.policy, coordinatorIO, {
      heartbeatTimeoutMs: s.coordinator.heartbeatTimeoutS * 1000,
      maxRetries: s.coordinator.maxRetries,
      scanDepth: s.coordinator.scanDepth
    })
    this.market = new Market(this.coordinator, ledgerAccounts(this.ledger), s.economics, input.rng.split("market"))
    this.cheater = new Uint8Array(this.n)
    this.cheatRng = input.rng.split("cheating")
    if (s.cheaters !== undefined) {
      const pick = input.rng.split("cheaters")
      for (let i = 0; i < this.n; i++) this.cheater[i] = pick.nextDouble() < s.cheaters.fraction ? 1 : 0
    }
    if (s.cheaters !== undefined || s.economics.verification.mode !== "none" || (s.workload.kind === "synthetic" && s.workload.replication > 1)) {
      const tally = new VerificationTally(this.coordinator, this.cheater)
      this.market.listenVerdicts((v) => tally.verdict(v))
      this.tally = tally
    }
    const regionIndex = new Map(s.nodes.regions.map((r, i) => [r, i]))
    for (const spec of input.nodes) {
      Either.getOrThrow(this.coordinator.enrollNode(spec))
      this.market.enrollLender(spec.id, 0)
      this.regionOf[spec.id] = regionIndex.get(spec.region)!
      this.agents.push(new Agent(spec, this.agentIO(spec.id)))
    }
  }

  private agentIO(node: number): AgentIO {
    return {
      send: (message) => this.sendToCoordinator(node, message),
      startSandbox: (job, attempt) => {
        // Replicas of one job share its fate: a bad input fails every one of them alike.
        const group = this.coordinator.jobs.group[job.id]!
        const f = this.failAt[group >= 0 ? group : job.id]!
        const wallMs = modelRunTimeMs(job, this.input.nodes[node]!) * (f >= 0 ? f : 1)
        this.checker?.sandboxStarted(node, job.id, attempt, job.resources.vcpus, this.online[node] === 1)
        this.q.push(this.now + wallMs, SANDBOX_EXIT, node, job.id, {
          attempt,
          incarnation: this.incarnation[node]!,
          outcome: f >= 0 ? "failed" : "succeeded",
          wallMs,
          digest: this.resultDigest(node)
        })
      },
      stopSandbox: (job, attempt) => {
        this.stoppedRuns.add(`${node}:${job}:${attempt}`)
        this.checker?.sandboxStopped(node, job, attempt)
      }
    }
  }

  run(): WorldResult {
    const s = this.input.scenario
    const churn = this.input.churn
    const lifetimeRng = this.input.rng.split("lifetime")
    this.input.churnOracle?.reset(this.n)
    for (let i = 0; i < this.n; i++) {
      const up = churn.initiallyOnline(i)
      this.churnUp[i] = up ? 1 : 0
      this.scheduleChurn(i, up)
      if (s.nodes.meanLifetimeS !== undefined) this.q.push(lifetimeRng.exponential(s.nodes.meanLifetimeS * 1000), DEATH, i, 0)
      this.refreshOnline(i)
    }
    s.failures.forEach((f, i) => this.q.push(f.atS * 1000, FAILURE, i, 0))
    this.q.push(s.coordinator.heartbeatIntervalS * 1000, HEARTBEAT_ROUND, 0, 0)
    this.q.push(0, SAMPLE, 0, 0)
    this.scheduleNextArrival()
    let events = 0
    const q = this.q
    while (q.length > 0) {
      const t = q.peekTime()
      if (t > this.horizonMs) break
      const slot = q.pop()
      if (t < this.now) this.checker?.violation(`time went backwards: ${t} < ${this.now}`)
      this.now = t
      events++
      const kind = q.kind[slot]!
      const a = q.a[slot]!
      const b = q.b[slot]!
      const payload = q.payload[slot]
      q.release(slot)
      switch (kind) {
        case ARRIVAL:
          this.arrive(payload as SimJob)
          break
        case TO_COORDINATOR: {
          const r = this.coordinator.receive(payload as AgentMessage, t)
          if (Either.isLeft(r)) this.checker?.violation(`coordinator refused a message: ${r.left.message}`)
          this.coordinator.flush(t)
          break
        }
        case TO_AGENT:
          if (this.online[a] === 1 && this.incarnation[a] === b) this.agents[a]!.receive(payload as CoordinatorMessage)
          break
        case SANDBOX_EXIT: {
          const run = payload as SandboxRun
          const stopped = this.stoppedRuns.size > 0 && this.stoppedRuns.delete(`${a}:${b}:${run.attempt}`)
          if (!stopped && this.online[a] === 1 && this.incarnation[a] === run.incarnation) {
            this.checker?.sandboxExited(a, b, run.attempt)
            this.agents[a]!.sandboxExited(b as JobId, run.attempt, run.outcome, { cpuMs: run.wallMs * this.input.nodes[a]!.resources.vcpus, wallMs: run.wallMs, memoryMiBMax: 0 }, run.digest)
          }
          break
        }
        case NODE_UP:
        case NODE_DOWN:
          if (this.churnEpoch[a] === b) {
            const up = kind === NODE_UP
            this.churnUp[a] = up ? 1 : 0
            this.scheduleChurn(a, up)
            this.refreshOnline(a)
          }
          break
        case HEARTBEAT_ROUND:
          this.heartbeatRound()
          break
        case SAMPLE:
          this.sample()
          if (!this.finished()) q.push(t + s.sampleIntervalS * 1000, SAMPLE, 0, 0)
          break
        case FAILURE:
          this.inject(a)
          break
        case DEATH:
          this.dead[a] = 1
          this.refreshOnline(a)
          break
      }
      if (this.finished()) break
    }
    this.accumulateCapacity()
    this.sample()
    return {
      policy: this.input.policy.name,
      coordinator: this.coordinator,
      submitted: this.submitted,
      rejected: this.rejected,
      endMs: this.now,
      events,
      capacityCpuMs: this.capacityCpuMs,
      series: this.series,
      violations: this.checker?.finish(this.coordinator, this.coordinator.jobs.count, this.finished()) ?? [],
      market: this.market.totals(),
      ledger: this.ledger,
      verification: this.tally?.summary(this.market.reputation)
    }
  }

  /** Replicas are jobs too: the run ends when every coordinator job has ended. */
  private finished(): boolean {
    return this.arrivalsDone && this.terminal === this.coordinator.jobs.count
  }

  /** An honest node returns the job's true result; a cheater, sometimes, its own wrong one. */
  private resultDigest(node: number): string {
    const c = this.input.scenario.cheaters
    if (this.cheater[node] === 0 || c === undefined || this.cheatRng.nextDouble() >= c.wrongResultProbability) return correctDigest
    return c.collude ? "wrong" : `wrong:${node}`
  }

  private scheduleNextArrival(): void {
    const job = this.input.workload.next()
    if (job === undefined) {
      this.arrivalsDone = true
      return
    }
    this.q.push(job.submitMs, ARRIVAL, 0, 0, job)
  }

  private arrive(job: SimJob): void {
    const r = this.market.submit(job.request, this.now)
    if (Either.isRight(r)) {
      const id = r.right
      if (id >= this.failAt.length) {
        const f = new Float64Array(this.failAt.length * 2)
        f.set(this.failAt)
        this.failAt = f
      }
      this.failAt[id] = job.failAt
      this.submitted++
    } else {
      this.rejected++
    }
    this.scheduleNextArrival()
    this.coordinator.flush(this.now)
  }

  private onTransition(job: number, from: JobStatus, to: JobStatus, node: number): void {
    if (to === "placed") this.active++
    else if ((from === "placed" || from === "running") && to !== "running") this.active--
    if (isTerminal(to)) this.terminal++
    this.checker?.transition(job, from, to, node, this.coordinator)
  }

  private latency(): number {
    return this.latencyMin + this.latencySpan * this.netRng.nextDouble()
  }

  private sendToCoordinator(node: number, message: AgentMessage): void {
    if (this.partitioned[this.regionOf[node]!] === 1) return
    if (message._tag === "Heartbeat") {
      this.coordinator.receive(message, this.now)
      return
    }
    if (this.lossRate > 0 && this.netRng.nextDouble() < this.lossRate) return
    const t = Math.max(this.now + this.latency(), this.lastToCoordinator[node]!)
    this.lastToCoordinator[node] = t
    this.q.push(t, TO_COORDINATOR, node, 0, message)
  }

  private sendToAgent(node: number, message: CoordinatorMessage): void {
    if (this.partitioned[this.regionOf[node]!] === 1) return
    if (this.lossRate > 0 && this.netRng.nextDouble() < this.lossRate) return
    const t = Math.max(this.now + this.latency(), this.lastToAgent[node]!)
    this.lastToAgent[node] = t
    this.q.push(t, TO_AGENT, node, this.incarnation[node]!, message)
  }

  private scheduleChurn(node: number, up: boolean): void {
    const ms = this.input.churn.nextSessionMs(node, up)
    if (up) this.input.churnOracle?.sessionScheduled(node, this.now + ms)
    if (ms === Infinity) return
    this.q.push(this.now + ms, up ? NODE_DOWN : NODE_UP, node, this.churnEpoch[node]!)
  }

  /** A node is online when its churn says so, it is alive, and its region is up. */
  private refreshOnline(node: number): void {
    const want = this.churnUp[node] === 1 && this.dead[node] === 0 && this.regionDown[this.regionOf[node]!] === 0
    if (want === (this.online[node] === 1)) return
    this.accumulateCapacity()
    const cpu = this.input.nodes[node]!.resources.vcpus
    this.incarnation[node]!++
    if (want) {
      this.online[node] = 1
      this.onlineCpu += cpu
      this.onlineNodes++
      this.agents[node]!.start()
    } else {
      this.online[node] = 0
      this.onlineCpu -= cpu
      this.onlineNodes--
      this.agents[node]!.crash()
      this.checker?.nodeDown(node)
    }
  }

  private accumulateCapacity(): void {
    this.capacityCpuMs += this.onlineCpu * (this.now - this.capacitySince)
    this.capacitySince = this.now
  }

  private heartbeatRound(): void {
    for (let i = 0; i < this.n; i++) if (this.online[i] === 1) this.agents[i]!.heartbeat()
    this.market.heartbeat(this.input.scenario.coordinator.heartbeatIntervalS * 1000)
    this.tally?.observe(this.market.reputation, this.now)
    this.coordinator.tick(this.now)
    this.coordinator.flush(this.now)
    if (!this.finished()) this.q.push(this.now + this.input.scenario.coordinator.heartbeatIntervalS * 1000, HEARTBEAT_ROUND, 0, 0)
  }

  private inject(index: number): void {
    const f = this.input.scenario.failures[index]!
    if (f.kind === "kill-fraction") {
      const candidates: Array<number> = []
      for (let i = 0; i < this.n; i++) if (this.online[i] === 1) candidates.push(i)
      const k = Math.round(f.fraction * candidates.length)
      for (let i = 0; i < k; i++) {
        const j = i + this.failureRng.nextInt(candidates.length - i)
        const node = candidates[j]!
        candidates[j] = candidates[i]!
        candidates[i] = node
        if (f.permanent) this.dead[node] = 1
        else {
          this.churnUp[node] = 0
          this.churnEpoch[node]!++
          if (f.downForS !== undefined) this.q.push(this.now + f.downForS * 1000, NODE_UP, node, this.churnEpoch[node]!)
          else this.scheduleChurn(node, false)
        }
        this.refreshOnline(node)
      }
    } else if (f.kind === "partition" || f.kind === "heal") {
      this.partitioned[this.input.scenario.nodes.regions.indexOf(f.region)] = f.kind === "partition" ? 1 : 0
    } else {
      const r = this.input.scenario.nodes.regions.indexOf(f.region)
      this.regionDown[r] = f.kind === "region-down" ? 1 : 0
      for (let i = 0; i < this.n; i++) if (this.regionOf[i] === r) this.refreshOnline(i)
    }
  }

  /**
   * Samples what is true, not what the coordinator believes: allocated vCPUs are those the online
   * agents run, so utilisation never exceeds 1 while the coordinator has yet to notice a node left.
   */
  private sample(): void {
    let allocated = 0
    for (let i = 0; i < this.n; i++) if (this.online[i] === 1) allocated += this.agents[i]!.usedCpu
    this.series.add(this.now, this.onlineNodes, this.onlineCpu, allocated, this.coordinator.queue.length, this.active)
  }
}
