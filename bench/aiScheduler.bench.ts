// Decision cost of the AI scheduler (issue 5): how long one scheduling pass takes at 10,000
// heterogeneous nodes with a warm policy (both forests trained) and hundreds of jobs queued, beside
// `easy` and `least-allocated`; and what retraining the runtime and risk forests costs per 1,000
// finished jobs. The placement part drives a real Coordinator through a saturated, churning
// volunteer pool with a backlog of hundreds of jobs and Poisson arrivals at an offered load just
// under the pool's capacity: each event (a job submitted, a job finishing, or an agent restarting
// with a new session, which loses its attempts) is followed by one timed `flush`.
// Standalone: `npx tsx bench/aiScheduler.bench.ts [--smoke]`.
import { Either } from "effect"
import * as os from "node:os"
import { Coordinator, type JobRequest } from "../core/coordinator/Coordinator.ts"
import { JobTable } from "../core/coordinator/JobTable.ts"
import type { JobId, NodeId, RegionId, UserId } from "../core/domain/ids.ts"
import type { CoordinatorMessage } from "../core/domain/messages.ts"
import type { NodeSpec } from "../core/domain/node.ts"
import { Prng } from "../core/random/prng.ts"
import type { AiPolicy } from "../core/scheduler/ai/AiPolicy.ts"
import { makeAiPolicy } from "../core/scheduler/ai/aiPolicies.ts"
import { NodeHistory, UserHistory } from "../core/scheduler/ai/history.ts"
import { defaultForestRiskSettings, ForestRiskModel } from "../core/scheduler/ai/riskModels.ts"
import { defaultForestRuntimeSettings, ForestRuntimeModel } from "../core/scheduler/ai/runtimeModels.ts"
import { ClusterState } from "../core/scheduler/ClusterState.ts"
import { JobQueue } from "../core/scheduler/JobQueue.ts"
import { makePolicy } from "../core/scheduler/policies.ts"
import type { SchedulingContext, SchedulingPolicy } from "../core/scheduler/policy.ts"
import { EventQueue } from "../sim/engine/EventQueue.ts"

const P99_TARGET_US = 1000
const MINUTE_MS = 60_000

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

/** Nearest-rank percentile of a sorted sample. */
const percentile = (sorted: Float64Array, q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!

const summary = (samples: ReadonlyArray<number>) => {
  const s = Float64Array.from(samples).sort()
  let sum = 0
  for (const x of s) sum += x
  return {
    count: s.length,
    p50Us: round(percentile(s, 0.5)),
    p99Us: round(percentile(s, 0.99)),
    maxUs: round(s.length > 0 ? s[s.length - 1]! : NaN),
    meanUs: round(s.length > 0 ? sum / s.length : NaN)
  }
}

// ---- the workload: users with their own typical request and run/requested ratio, so the runtime
// forest has something to learn, and nodes with their own typical session length, so the risk one has.

interface User {
  readonly name: UserId
  readonly requestedMedianMs: number
  readonly ratio: number
  readonly cpuWeights: ReadonlyArray<number>
}

const jobCpus = [1, 2, 4, 8]

const makeUsers = (rng: Prng, count: number): Array<User> =>
  Array.from({ length: count }, (_, i) => ({
    name: `user-${i}` as UserId,
    requestedMedianMs: Math.max(5, Math.round(rng.lognormal(20, 0.8) / 5) * 5) * MINUTE_MS,
    ratio: rng.uniform(0.1, 0.9),
    cpuWeights: jobCpus.map((_, k) => rng.uniform(0.2, 1) / (k + 1))
  }))

const makeJob = (rng: Prng, users: ReadonlyArray<User>): JobRequest => {
  // Skewed activity: a few users submit most jobs, as in the archive traces.
  const u = users[Math.floor(users.length * rng.nextDouble() ** 2)]!
  const vcpus = jobCpus[rng.weighted(u.cpuWeights)]!
  const requestedTimeMs = Math.min(24 * 60 * MINUTE_MS, Math.max(MINUTE_MS, Math.round(rng.lognormal(u.requestedMedianMs, 0.4))))
  return {
    owner: u.name,
    resources: { vcpus, memoryMiB: vcpus * (rng.nextDouble() < 0.5 ? 1024 : 2048), diskMiB: 1024 },
    requestedTimeMs,
    workMs: Math.min(requestedTimeMs, Math.round(requestedTimeMs * u.ratio * rng.lognormal(1, 0.25))),
    image: "busybox",
    command: ["true"],
    replication: 1
  }
}

const nodeClasses = [2, 4, 8, 16]

const makeNodes = (rng: Prng, count: number): Array<{ spec: NodeSpec; sessionMedianMs: number }> =>
  Array.from({ length: count }, (_, i) => {
    const vcpus = nodeClasses[rng.weighted([3, 4, 2, 1])]!
    return {
      spec: {
        id: i as NodeId,
        resources: { vcpus, memoryMiB: vcpus * 2048, diskMiB: 100_000 },
        speed: round(rng.uniform(0.6, 2.0), 2),
        region: `region-${i % 8}` as RegionId,
        askingPrice: 1
      },
      sessionMedianMs: rng.lognormal(4 * 60 * MINUTE_MS, 1)
    }
  })

// ---- the driver: a saturated pool with churn, one timed flush per event.

const FINISH = 0
const RESTART = 1
const ARRIVAL = 2
const triggers = ["finish", "restart", "arrival"] as const

class PoolDriver {
  readonly coordinator: Coordinator
  private readonly events = new EventQueue<undefined>()
  private readonly assigned: Array<{ node: number; job: number; attempt: number }> = []
  private readonly nodes: ReturnType<typeof makeNodes>
  private readonly users: Array<User>
  private readonly jobRng: Prng
  private readonly churnRng: Prng
  private readonly session: Int32Array
  private readonly arrivalMeanMs: number
  now = 0
  finished = 0
  lostAttempts = 0
  placements = 0

  constructor(readonly policy: SchedulingPolicy, nodeCount: number, readonly backlog: number, offeredLoad: number, seed: number) {
    const rng = Prng.fromSeed(seed, "ai-scheduler-bench")
    this.nodes = makeNodes(rng.split("nodes"), nodeCount)
    this.users = makeUsers(rng.split("users"), 300)
    this.jobRng = rng.split("jobs")
    this.churnRng = rng.split("churn")
    this.session = new Int32Array(nodeCount)
    // Arrival rate from the pool's vCPU capacity and the mean vCPU-time a job holds (a job's run
    // time is its work over the node's speed), estimated from the same job model.
    const calibration = rng.split("calibration")
    let occupancy = 0
    for (let i = 0; i < 20_000; i++) {
      const j = makeJob(calibration, this.users)
      occupancy += j.resources.vcpus * j.workMs
    }
    let inverseSpeed = 0, vcpus = 0
    for (const { spec } of this.nodes) {
      inverseSpeed += 1 / spec.speed
      vcpus += spec.resources.vcpus
    }
    this.arrivalMeanMs = (occupancy / 20_000) * (inverseSpeed / nodeCount) / (offeredLoad * vcpus)
    const self = this
    this.coordinator = new Coordinator(policy, {
      send(node: NodeId, message: CoordinatorMessage) {
        if (message._tag === "Assign") self.assigned.push({ node, job: message.job.id, attempt: message.attempt })
      },
      transition() {}
    })
    for (const { spec, sessionMedianMs } of this.nodes) {
      Either.getOrThrow(this.coordinator.enrollNode(spec))
      Either.getOrThrow(this.coordinator.receive({ _tag: "Register", node: spec, session: 0 }, 0))
      this.events.push(this.churnRng.exponential(sessionMedianMs), RESTART, spec.id, 0)
    }
  }

  /** Fills the pool until the backlog is left waiting, then lets jobs arrive. */
  fill(): void {
    const c = this.coordinator
    const batch = Math.max(10, Math.floor(this.backlog / 4))
    while (c.queue.length < this.backlog) {
      for (let i = 0; i < batch; i++) this.submit()
      this.flushUntimed()
    }
    this.events.push(this.now + this.jobRng.exponential(this.arrivalMeanMs), ARRIVAL, 0, 0)
  }

  private submit(): void {
    Either.getOrThrow(this.coordinator.submit(makeJob(this.jobRng, this.users), this.now))
  }

  private flushUntimed(): void {
    this.coordinator.flush(this.now)
    this.dispatch()
  }

  /** Agents start what they were assigned at once; each finish is scheduled from the node's speed. */
  private dispatch(): number {
    const c = this.coordinator
    const placed = this.assigned.length
    for (const a of this.assigned) {
      Either.getOrThrow(c.receive({ _tag: "JobStarted", nodeId: a.node as NodeId, jobId: a.job as JobId, attempt: a.attempt }, this.now))
      this.events.push(this.now + c.jobs.workMs[a.job]! / c.cluster.speed[a.node]!, FINISH, a.job, a.attempt)
    }
    this.assigned.length = 0
    this.placements += placed
    return placed
  }

  /**
   * Delivers the next event (an arrival submits one job) and runs one flush; returns the flush's
   * wall time (ms), how many jobs it placed, and the wall time of the delivery itself.
   */
  step(): { flushMs: number; placed: number; receiveMs: number; kind: number } {
    const c = this.coordinator, q = this.events
    this.now = q.peekTime()
    const slot = q.pop()
    const kind = q.kind[slot]!, a = q.a[slot]!, b = q.b[slot]!
    q.release(slot)
    let receiveMs = 0
    if (kind === FINISH) {
      const job = a, attempt = b
      const node = c.jobs.node[job]!
      // Stale: the attempt was lost with its node's session and the job has moved on.
      if (c.jobs.attempts[job]! - 1 === attempt && c.status(job) === "running") {
        const wallMs = this.now - c.jobs.startMs[job]!
        const t0 = performance.now()
        Either.getOrThrow(c.receive({
          _tag: "JobFinished", nodeId: node as NodeId, jobId: job as JobId, attempt,
          outcome: "succeeded", usage: { cpuMs: wallMs * c.jobs.cpu[job]!, wallMs, memoryMiBMax: c.jobs.mem[job]! }
        }, this.now))
        receiveMs = performance.now() - t0
        this.finished++
      }
    } else if (kind === ARRIVAL) {
      const t0 = performance.now()
      this.submit()
      receiveMs = performance.now() - t0
      q.push(this.now + this.jobRng.exponential(this.arrivalMeanMs), ARRIVAL, 0, 0)
    } else {
      const node = a
      const { spec, sessionMedianMs } = this.nodes[node]!
      this.lostAttempts += c.jobsOn(node).length
      // The agent restarted: it registers with a new session, which loses every attempt it held.
      const t0 = performance.now()
      Either.getOrThrow(c.receive({ _tag: "Register", node: spec, session: ++this.session[node]! }, this.now))
      receiveMs = performance.now() - t0
      q.push(this.now + this.churnRng.exponential(sessionMedianMs), RESTART, node, 0)
    }
    const t0 = performance.now()
    c.flush(this.now)
    const flushMs = performance.now() - t0
    return { flushMs, placed: this.dispatch(), receiveMs, kind }
  }
}

interface ForestCounters {
  readonly runtimeTrainings: number
  readonly riskTrainings: number
}

const forestCounters = (policy: SchedulingPolicy): ForestCounters | undefined => {
  const ai = policy as Partial<AiPolicy>
  if (!(ai.runtime instanceof ForestRuntimeModel) || !(ai.risk instanceof ForestRiskModel)) return undefined
  return { runtimeTrainings: ai.runtime.trainings, riskTrainings: ai.risk.trainings }
}

interface PlacementRun {
  readonly nodes: number
  readonly backlog: number
  readonly offeredLoad: number
  readonly warmFinished: number
  readonly placements: number
}

const measurePlacement = (name: string, policy: SchedulingPolicy, run: PlacementRun) => {
  const setupStart = performance.now()
  const d = new PoolDriver(policy, run.nodes, run.backlog, run.offeredLoad, 11)
  d.fill()
  // Warm-up: enough finished jobs and lost attempts for both forests to have trained.
  let warmSteps = 0
  for (;;) {
    const f = forestCounters(policy)
    const trained = f === undefined || (f.runtimeTrainings > 0 && f.riskTrainings > 0)
    if (trained && d.finished >= run.warmFinished) break
    d.step()
    if (++warmSteps > 50 * run.warmFinished) throw new Error(`${name}: the forests did not train after ${warmSteps} events (${d.finished} finished, ${d.lostAttempts} lost)`)
  }
  const warm = { finished: d.finished, lostAttempts: d.lostAttempts, ...forestCounters(policy) }
  const setupS = (performance.now() - setupStart) / 1000

  const placingPasses: Array<number> = []
  const byTrigger: Record<(typeof triggers)[number], Array<number>> = { finish: [], restart: [], arrival: [] }
  const perPlacement: Array<number> = []
  const idlePasses: Array<number> = []
  const finishReceives: Array<number> = []
  const submits: Array<number> = []
  let singlePlacementPasses = 0
  const start = { finished: d.finished, lost: d.lostAttempts, placements: d.placements, simMs: d.now, forests: forestCounters(policy) }
  let queueSum = 0, queueMin = Infinity, queueMax = 0, events = 0
  const measureStart = performance.now()
  while (d.placements - start.placements < run.placements) {
    const s = d.step()
    const depth = d.coordinator.queue.length
    queueSum += depth
    queueMin = Math.min(queueMin, depth)
    queueMax = Math.max(queueMax, depth)
    events++
    if (s.kind === FINISH && s.receiveMs > 0) finishReceives.push(s.receiveMs * 1000)
    if (s.kind === ARRIVAL) submits.push(s.receiveMs * 1000)
    const us = s.flushMs * 1000
    if (s.placed === 0) {
      idlePasses.push(us)
      continue
    }
    if (s.placed === 1) singlePlacementPasses++
    placingPasses.push(us)
    byTrigger[triggers[s.kind]!].push(us)
    for (let i = 0; i < s.placed; i++) perPlacement.push(us / s.placed)
  }
  const measureS = (performance.now() - measureStart) / 1000
  const end = forestCounters(policy)
  const c = d.coordinator
  const passes = summary(placingPasses)
  return {
    policy: name,
    nodes: run.nodes,
    onlineVcpus: c.cluster.onlineCpu,
    allocatedVcpuShare: round(c.cluster.allocatedCpu / c.cluster.onlineCpu, 3),
    queueDepth: { min: queueMin, mean: round(queueSum / events), max: queueMax },
    warm,
    placed: d.placements - start.placements,
    /** Passes that placed at least one job: the figure the < 1 ms p99 target is about. */
    placingPassUs: passes,
    singlePlacementPasses,
    /** The same passes by what triggered them; `arrival` is a pass right after one new submission. */
    placingPassUsByTrigger: Object.fromEntries(triggers.map((t) => [t, summary(byTrigger[t])])),
    perPlacedJobUs: summary(perPlacement),
    /** Passes that placed nothing (nothing queued fitted what the event freed, or nothing changed). */
    idlePassUs: summary(idlePasses),
    /** submit(): the policy predicts the new job's run time and inserts it into its order here. */
    submitUs: summary(submits),
    /** receive(JobFinished): the policy learns here, so a retraining lands in this call. */
    finishReceiveUs: summary(finishReceives),
    duringMeasurement: {
      events,
      finished: d.finished - start.finished,
      lostAttempts: d.lostAttempts - start.lost,
      simulatedMinutes: round((d.now - start.simMs) / MINUTE_MS),
      ...(end !== undefined && start.forests !== undefined
        ? { runtimeTrainings: end.runtimeTrainings - start.forests.runtimeTrainings, riskTrainings: end.riskTrainings - start.forests.riskTrainings }
        : {})
    },
    withinTarget: passes.p99Us < P99_TARGET_US,
    setupS: round(setupS),
    measureS: round(measureS)
  }
}

// ---- retraining cost, measured on the models alone with the policy's default settings.

/** A scheduling context over a job table and cluster filled by hand (no coordinator needed). */
const handContext = (jobs: JobTable, cluster: ClusterState): SchedulingContext & { now: number } => ({
  cluster,
  jobs,
  queue: new JobQueue(jobs),
  now: 0,
  jobsOn: () => [],
  scanDepth: 256,
  excluded: () => false,
  place: () => {}
})

/** Time spent in `learn`, and in the calls of it that retrained, overall and once the window had filled. */
class TrainingTimes {
  private learnMs = 0
  private trainMs = 0
  private trainMax = 0
  private steadyTrainMs = 0
  private steadyTrainings = 0

  constructor(private readonly windowFullAt: number) {}

  learned(ms: number, retrained: boolean, index: number): void {
    this.learnMs += ms
    if (!retrained) return
    this.trainMs += ms
    this.trainMax = Math.max(this.trainMax, ms)
    if (index >= this.windowFullAt) {
      this.steadyTrainMs += ms
      this.steadyTrainings++
    }
  }

  /** Per 1,000 examples fed (finished jobs, or ended attempts). */
  figures(examples: number, trainings: number) {
    return {
      trainings,
      trainMsTotal: round(this.trainMs),
      trainMsPerTraining: round(this.trainMs / Math.max(1, trainings), 2),
      trainMsMax: round(this.trainMax, 2),
      trainMsPer1000: round((this.trainMs * 1000) / examples),
      learnMsPer1000: round((this.learnMs * 1000) / examples),
      /** Once the window has filled: what a long-running coordinator pays (absent when the feed is shorter). */
      windowFull: examples > this.windowFullAt
        ? { trainings: this.steadyTrainings, trainMsPer1000: round((this.steadyTrainMs * 1000) / (examples - this.windowFullAt)) }
        : undefined
    }
  }
}

const measureRuntimeRetraining = (finishedJobs: number, seed: number) => {
  const rng = Prng.fromSeed(seed, "runtime-retraining")
  const users = makeUsers(rng.split("users"), 300)
  const jobRng = rng.split("jobs")
  const jobs = new JobTable()
  jobs.ensure(finishedJobs)
  const userIndex = new Map(users.map((u, i) => [u.name as string, i]))
  const ctx = handContext(jobs, new ClusterState())
  const history = new UserHistory()
  const model = new ForestRuntimeModel(history, rng.split("forest"))
  let predictMs = 0
  const times = new TrainingTimes(defaultForestRuntimeSettings.window)
  for (let id = 0; id < finishedJobs; id++) {
    const r = makeJob(jobRng, users)
    jobs.count = id + 1
    jobs.owner[id] = userIndex.get(r.owner)!
    jobs.cpu[id] = r.resources.vcpus
    jobs.mem[id] = r.resources.memoryMiB
    jobs.requestedMs[id] = r.requestedTimeMs
    jobs.workMs[id] = r.workMs
    jobs.submitMs[id] = id * 20_000
    ctx.now = jobs.submitMs[id]!
    // Predicted at submission (features frozen then), learnt when it finishes, as the policy does.
    let t0 = performance.now()
    model.predict(ctx, id)
    predictMs += performance.now() - t0
    ctx.now += r.workMs
    const before = model.trainings
    t0 = performance.now()
    model.learn(ctx, id, r.workMs)
    times.learned(performance.now() - t0, model.trainings > before, id)
    history.record(jobs.owner[id]!, r.workMs, r.requestedTimeMs)
  }
  return { finishedJobs, ...times.figures(finishedJobs, model.trainings), predictUsMean: round((predictMs * 1000) / finishedJobs, 2) }
}

const measureRiskRetraining = (endedAttempts: number, lostShare: number, seed: number) => {
  const rng = Prng.fromSeed(seed, "risk-retraining")
  const nodes = makeNodes(rng.split("nodes"), 2000)
  const cluster = new ClusterState()
  for (const { spec } of nodes) {
    cluster.addNode(spec)
    cluster.setOnline(spec.id, true)
  }
  const history = new NodeHistory(3_600_000)
  for (const { spec } of nodes) history.online(spec.id, 0)
  const jobs = new JobTable()
  const ctx = handContext(jobs, cluster)
  const model = new ForestRiskModel(history, rng.split("forest"))
  const events = rng.split("events")
  const times = new TrainingTimes(defaultForestRiskSettings.window)
  for (let job = 0; job < endedAttempts; job++) {
    ctx.now = job * 10_000
    const node = events.nextInt(nodes.length)
    const durationMs = events.lognormal(15 * MINUTE_MS, 1)
    model.placed(ctx, job, node, durationMs)
    const lost = events.nextDouble() < lostShare
    history.attemptEnded(node, lost)
    if (lost) history.online(node, ctx.now)
    const before = model.trainings
    const t0 = performance.now()
    model.ended(ctx, job, lost)
    times.learned(performance.now() - t0, model.trainings > before, job)
  }
  return { endedAttempts, lostShare, ...times.figures(endedAttempts, model.trainings) }
}

export const benchAiScheduler = (smoke: boolean) => {
  const run: PlacementRun = smoke
    ? { nodes: 1_000, backlog: 200, offeredLoad: 0.98, warmFinished: 300, placements: 300 }
    : { nodes: 10_000, backlog: 400, offeredLoad: 0.98, warmFinished: 3_000, placements: 2_000 }
  const policies: ReadonlyArray<readonly [string, () => SchedulingPolicy]> = [
    ["ai", () => Either.getOrThrow(makeAiPolicy("ai", Prng.fromSeed(5, "policy")))],
    ["easy", () => Either.getOrThrow(makePolicy("easy", Prng.fromSeed(5, "policy")))],
    ["least-allocated", () => Either.getOrThrow(makePolicy("least-allocated", Prng.fromSeed(5, "policy")))]
  ]
  // The machine is shared: the load average says how much of a tail is other people's work.
  const loadBefore = round(os.loadavg()[0]!, 2)
  const placement = policies.map(([name, make]) => measurePlacement(name, make(), run))
  const loadAfter = round(os.loadavg()[0]!, 2)
  // The ratio of ended attempts to finished jobs in the AI's pool above: what the risk forest's cost
  // per ended attempt becomes per finished job.
  const ai = placement[0]!
  const lost = ai.warm.lostAttempts + ai.duringMeasurement.lostAttempts
  const lostShare = Math.max(0.02, lost / (lost + ai.warm.finished + ai.duringMeasurement.finished))
  const feeds = smoke ? [1_000] : [1_000, 5_000]
  const runtime = feeds.map((n) => measureRuntimeRetraining(n, 21))
  const risk = feeds.map((n) => measureRiskRetraining(n, lostShare, 23))
  const attemptsPerFinishedJob = 1 / (1 - lostShare)
  // Per 1,000 from the longest feed: once the window has filled when the feed got there, else overall.
  const longestRuntime = runtime.at(-1)!, longestRisk = risk.at(-1)!
  const runtimePer1000 = longestRuntime.windowFull?.trainMsPer1000 ?? longestRuntime.trainMsPer1000
  const riskPer1000 = (longestRisk.windowFull?.trainMsPer1000 ?? longestRisk.trainMsPer1000) * attemptsPerFinishedJob
  return {
    run,
    loadAverage1m: { before: loadBefore, after: loadAfter },
    targets: { placingPassP99UsMax: P99_TARGET_US },
    placement,
    retraining: {
      runtime,
      risk,
      attemptsPerFinishedJob: round(attemptsPerFinishedJob, 3),
      /** Training time per 1,000 finished jobs, each forest and both, in the longest feed's steady state. */
      trainMsPer1000FinishedJobs: {
        basis: longestRuntime.windowFull !== undefined ? "windows full" : `first ${feeds.at(-1)} jobs`,
        runtime: round(runtimePer1000),
        risk: round(riskPer1000),
        both: round(runtimePer1000 + riskPer1000)
      }
    },
    withinTargets: ai.withinTarget
  }
}

export type AiSchedulerFigures = ReturnType<typeof benchAiScheduler>

export const printAiScheduler = (f: AiSchedulerFigures): void => {
  console.table(Object.fromEntries(f.placement.map((p) => [`${p.policy} @ ${p.nodes}`, {
    "pass p50 us": p.placingPassUs.p50Us, "pass p99 us": p.placingPassUs.p99Us, "pass max us": p.placingPassUs.maxUs,
    "per job p99 us": p.perPlacedJobUs.p99Us, "idle p99 us": p.idlePassUs.p99Us, "finish rx p99 us": p.finishReceiveUs.p99Us,
    placed: p.placed, queue: p.queueDepth.mean, "vCPU used": p.allocatedVcpuShare
  }])))
  console.table(Object.fromEntries([
    ...f.retraining.runtime.map((r) => [`runtime forest, ${r.finishedJobs} jobs`, { trainings: r.trainings, "ms/training": r.trainMsPerTraining, "max ms": r.trainMsMax, "ms per 1,000": r.trainMsPer1000 }]),
    ...f.retraining.risk.map((r) => [`risk forest, ${r.endedAttempts} attempts`, { trainings: r.trainings, "ms/training": r.trainMsPerTraining, "max ms": r.trainMsMax, "ms per 1,000": r.trainMsPer1000 }])
  ]))
  const t = f.retraining.trainMsPer1000FinishedJobs
  console.log(`retraining (${t.basis}): ${t.runtime} ms runtime forest + ${t.risk} ms risk forest = ${t.both} ms per 1,000 finished jobs`)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeBenchResult } = await import("./results.ts")
  const smoke = process.argv.includes("--smoke")
  const figures = benchAiScheduler(smoke)
  printAiScheduler(figures)
  console.log("->", writeBenchResult(`ai-scheduler${smoke ? "-smoke" : ""}`, figures))
}
