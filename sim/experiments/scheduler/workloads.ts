// The experiment's workloads as instances: one (workload, offered load, sequence) gives the same
// nodes, jobs and churn to every policy, so comparisons are paired. Trace workloads take one
// window of consecutive jobs per sequence; offered load is set by scaling inter-arrival times.
import { Effect, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { UserId, NodeId, RegionId } from "../../../core/domain/ids.ts"
import type { NodeSpec } from "../../../core/domain/node.ts"
import { Prng } from "../../../core/random/prng.ts"
import { scenariosDir } from "../../../scenarios/load.ts"
import { Scenario } from "../../../scenarios/schema.ts"
import { type AlibabaNode, type AlibabaPod, readAlibabaNodes, readAlibabaPods } from "../../../scenarios/traces/alibaba.ts"
import { type ChurnWindow, onlineFraction, readChurnTrace } from "../../../scenarios/traces/churnTrace.ts"
import { readSwf, type SwfJob } from "../../../scenarios/traces/swf.ts"
import { alwaysOn, type ChurnSource, traceChurn } from "../../model/churn.ts"
import { meanSeconds } from "../../model/distributions.ts"
import { makeNodes } from "../../model/population.ts"
import { type SimJob, swfWorkload, syntheticWorkload, type WorkloadSource } from "../../model/workload.ts"

export const workloadNames = ["kth", "lublin-1", "lublin-2", "alibaba", "volunteer-smartphone"] as const
export type WorkloadName = (typeof workloadNames)[number]

export interface ExperimentSize {
  readonly sequences: number
  readonly loads: ReadonlyArray<number>
  readonly jobs: Readonly<Record<WorkloadName, number>>
  readonly volunteerNodes: number
  readonly alibabaNodes: number
}

export const fullSize: ExperimentSize = {
  sequences: 12,
  loads: [0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
  jobs: { kth: 2000, "lublin-1": 800, "lublin-2": 800, alibaba: 600, "volunteer-smartphone": 2000 },
  volunteerNodes: 150,
  alibabaNodes: 16
}

/** A few seconds' worth, for tests and CI: the same protocol on tiny instances. */
export const quickSize: ExperimentSize = {
  sequences: 3,
  loads: [0.5, 0.9],
  jobs: { kth: 150, "lublin-1": 120, "lublin-2": 120, alibaba: 100, "volunteer-smartphone": 200 },
  volunteerNodes: 30,
  alibabaNodes: 6
}

export interface TraceData {
  readonly kth: ReadonlyArray<SwfJob>
  readonly lublin1: ReadonlyArray<SwfJob>
  readonly lublin2: ReadonlyArray<SwfJob>
  readonly alibabaNodes: ReadonlyArray<AlibabaNode>
  readonly alibabaPods: ReadonlyArray<AlibabaPod>
  readonly churn: ReadonlyArray<ChurnWindow>
  readonly volunteer: Scenario
}

export const tracesDir = path.resolve(scenariosDir, "../../shared/traces")

export const loadTraceData = (dir = tracesDir) =>
  Effect.gen(function* () {
    const swf = (file: string) => readSwf(path.join(dir, file)).pipe(Effect.map((t) => t.jobs))
    const volunteerFile = path.join(scenariosDir, "volunteer-churn.json")
    const volunteer = yield* Schema.decodeUnknown(Scenario)(JSON.parse(fs.readFileSync(volunteerFile, "utf8")))
    return {
      kth: yield* swf("KTH-SP2-1996-2.1-cln.swf"),
      lublin1: yield* swf("lublin_256.swf"),
      lublin2: yield* swf("lublin_256_new2.swf"),
      alibabaNodes: yield* readAlibabaNodes(path.join(dir, "alibaba-openb_node_list_all_node.csv")),
      alibabaPods: yield* readAlibabaPods(path.join(dir, "alibaba-openb_pod_list_default.csv")),
      churn: yield* readChurnTrace(path.join(dir, "smartphone-sessions-peersim_session_100.txt")),
      volunteer
    } satisfies TraceData
  })

export interface Instance {
  readonly workload: WorkloadName
  readonly load: number
  readonly sequence: number
  readonly seed: number
  readonly scenario: Scenario
  readonly nodes: ReadonlyArray<NodeSpec>
  readonly jobs: ReadonlyArray<SimJob>
  readonly churn: () => ChurnSource
}

const settings = (name: string, seed: number, regions: ReadonlyArray<string>, heartbeatS: number): Scenario =>
  Schema.decodeUnknownSync(Scenario)({
    name,
    seed,
    policies: ["fcfs"],
    nodes: { count: 1, regions, classes: [{ name: "any", weight: 1, vcpus: 1, memoryMiB: 0, diskMiB: 0 }] },
    workload: { kind: "synthetic", jobs: 1, arrivalRatePerS: 1, runtime: { kind: "constant", valueS: 1 }, shapes: [{ weight: 1, vcpus: 1, memoryMiB: 0, diskMiB: 0 }] },
    // Retries are effectively unbounded so no policy looks better by giving jobs up.
    coordinator: { heartbeatIntervalS: heartbeatS, heartbeatTimeoutS: 3 * heartbeatS, maxRetries: Number(process.env.CC_RETRIES ?? 1000) },
    sampleIntervalS: 3600
  })

export const replay = (jobs: ReadonlyArray<SimJob>): WorkloadSource => {
  let i = 0
  return { total: jobs.length, next: () => jobs[i++] }
}

const drain = (source: WorkloadSource): Array<SimJob> => {
  const out: Array<SimJob> = []
  for (let j = source.next(); j !== undefined; j = source.next()) out.push(j)
  return out
}

/** Rescales submit times (from 0) so the jobs offer `load` of `capacity` vCPU-speed units. */
export const atOfferedLoad = (jobs: ReadonlyArray<SimJob>, capacity: number, load: number): Array<SimJob> => {
  if (jobs.length < 2) return [...jobs]
  const t0 = jobs[0]!.submitMs
  const span = jobs[jobs.length - 1]!.submitMs - t0
  let demand = 0
  for (const j of jobs) demand += j.request.resources.vcpus * j.request.workMs
  const natural = demand / (capacity * Math.max(1, span))
  const factor = natural / load
  return jobs.map((j) => ({ ...j, submitMs: (j.submitMs - t0) * factor }))
}

const window = <A>(all: ReadonlyArray<A>, sequence: number, sequences: number, size: number): ReadonlyArray<A> => {
  const stride = Math.floor(all.length / sequences)
  const start = sequence * stride
  return all.slice(start, start + Math.min(size, stride))
}

const seedOf = (workload: WorkloadName, sequence: number): number => Prng.fromSeed(7, `experiment/${workload}/${sequence}`).nextUint32()

export const makeInstance = (data: TraceData, workload: WorkloadName, load: number, sequence: number, size: ExperimentSize): Instance => {
  const seed = seedOf(workload, sequence)
  const rng = Prng.fromSeed(seed, "instance")
  const base = { workload, load, sequence, seed }
  switch (workload) {
    case "kth":
    case "lublin-1":
    case "lublin-2": {
      const trace = workload === "kth" ? data.kth : workload === "lublin-1" ? data.lublin1 : data.lublin2
      const procs = workload === "kth" ? 100 : 256
      const jobs = drain(swfWorkload(window(trace, sequence, size.sequences, size.jobs[workload]), 0)).filter((j) => j.request.resources.vcpus <= procs)
      const node: NodeSpec = { id: 0 as NodeId, resources: { vcpus: procs, memoryMiB: 0, diskMiB: 0 }, speed: 1, region: "site" as RegionId, askingPrice: 1 }
      return { ...base, scenario: settings(workload, seed, ["site"], 600), nodes: [node], jobs: atOfferedLoad(jobs, procs, load), churn: () => alwaysOn }
    }
    case "alibaba": {
      const nodes = sampleAlibabaNodes(data.alibabaNodes, size.alibabaNodes, rng.split("nodes"))
      const maxCpu = Math.max(...nodes.map((n) => n.resources.vcpus))
      const maxMem = Math.max(...nodes.map((n) => n.resources.memoryMiB))
      const pods = window(data.alibabaPods.filter((p) => p.scheduledS !== null && p.deletionS > p.scheduledS), sequence, size.sequences, size.jobs.alibaba)
      const estimate = rng.split("requested")
      const jobs = pods
        .map((p): SimJob => {
          const workMs = (p.deletionS - p.scheduledS!) * 1000
          return {
            submitMs: p.creationS * 1000,
            failAt: -1,
            request: {
              // The pod list names no users; the QoS class stands in for the submitting team.
              owner: `qos-${p.qos}` as UserId,
              resources: { vcpus: Math.max(1, Math.ceil(p.cpuMilli / 1000)), memoryMiB: p.memoryMiB, diskMiB: 0 },
              // Pods declare no run time; users overestimate like the synthetic workloads' do (x1.2 to x5).
              requestedTimeMs: Math.ceil((workMs * estimate.uniform(1.2, 5)) / 1000) * 1000,
              workMs,
              image: "busybox",
              command: ["/bin/sh", "-c", "work"],
              replication: 1
            }
          }
        })
        .filter((j) => j.request.resources.vcpus <= maxCpu && j.request.resources.memoryMiB <= maxMem)
        .sort((a, b) => a.submitMs - b.submitMs)
      const capacity = nodes.reduce((s, n) => s + n.resources.vcpus, 0)
      return { ...base, scenario: settings(workload, seed, ["alibaba"], 60), nodes, jobs: atOfferedLoad(jobs, capacity, load), churn: () => alwaysOn }
    }
    case "volunteer-smartphone": {
      const v = data.volunteer
      const w = v.workload
      if (w.kind !== "synthetic") throw new Error("volunteer-churn.json must have a synthetic workload")
      const nodes = makeNodes({ ...v.nodes, count: size.volunteerNodes }, rng.split("nodes"))
      const churnRng = rng.split("churn")
      const churn = () => traceChurn(data.churn, 1, churnRng.split("replay"), nodes.length)
      const totalWeight = w.shapes.reduce((s, x) => s + x.weight, 0)
      const meanVcpus = w.shapes.reduce((s, x) => s + x.weight * x.vcpus, 0) / totalWeight
      const demandPerJobMs = meanVcpus * meanSeconds(w.runtime) * 1000
      // Offered load is against the capacity these nodes' replayed sessions actually give while
      // jobs arrive, measured from the churn itself (the trace-wide 23% is only a first guess).
      let capacity = nodes.reduce((s, n) => s + n.resources.vcpus * n.speed, 0) * onlineFraction(data.churn)
      for (let i = 0; i < 3; i++) {
        const spanMs = (size.jobs[workload] * demandPerJobMs) / (load * capacity)
        capacity = meanOnlineCapacity(nodes, churn(), spanMs)
      }
      const ratePerS = (load * capacity * 1000) / demandPerJobMs
      const jobs = drain(syntheticWorkload({ ...w, jobs: size.jobs[workload], arrivalRatePerS: ratePerS }, rng.split("workload")))
      return {
        ...base,
        scenario: settings(workload, seed, v.nodes.regions, v.coordinator.heartbeatIntervalS),
        nodes,
        jobs,
        churn
      }
    }
  }
}

/** Mean online vCPU x speed over [0, spanMs] under a churn source (consumes the source). */
export const meanOnlineCapacity = (nodes: ReadonlyArray<NodeSpec>, churn: ChurnSource, spanMs: number): number => {
  let total = 0
  nodes.forEach((n, i) => {
    let online = churn.initiallyOnline(i)
    let t = 0
    while (t < spanMs) {
      const len = churn.nextSessionMs(i, online)
      if (online) total += Math.min(len, spanMs - t) * n.resources.vcpus * n.speed
      t += len
      online = !online
    }
  })
  return total / spanMs
}

const sampleAlibabaNodes = (all: ReadonlyArray<AlibabaNode>, count: number, rng: Prng): Array<NodeSpec> => {
  const picked = new Set<number>()
  while (picked.size < Math.min(count, all.length)) picked.add(rng.nextInt(all.length))
  return [...picked].sort((a, b) => a - b).map((k, i) => ({
    id: i as NodeId,
    resources: { vcpus: Math.floor(all[k]!.cpuMilli / 1000), memoryMiB: all[k]!.memoryMiB, diskMiB: 0 },
    speed: 1,
    region: "alibaba" as RegionId,
    askingPrice: 1
  }))
}
