// The AI policy never sees a job's true run time before that job finishes. Proof by counterfactual:
// two worlds that differ only in the true work of some jobs must get identical decisions until the
// first of those jobs finishes (only then may the policy learn the difference). The same policy
// with a run-time model that reads the true work is the control that shows the test can tell.
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { Status } from "../../../core/coordinator/JobTable.ts"
import { Prng } from "../../../core/random/prng.ts"
import { AiPolicy, defaultAiSettings, newObservations } from "../../../core/scheduler/ai/AiPolicy.ts"
import { ForestRiskModel } from "../../../core/scheduler/ai/riskModels.ts"
import { TrueRuntimeModel } from "../../../core/scheduler/ai/runtimeModels.ts"
import type { SchedulingContext, SchedulingPolicy } from "../../../core/scheduler/policy.ts"
import { ChurnOracle } from "../../world/ChurnOracle.ts"
import { runWorld } from "../../world/World.ts"
import { buildPolicy } from "./runOne.ts"
import { type Instance, loadTraceData, makeInstance, quickSize, replay } from "./workloads.ts"

type Decision = readonly [atMs: number, job: number, node: number]

/** Runs the instance and records every placement the policy makes. */
/** The control: the ai policy's code with a run-time model that peeks at the true work. */
const peekingAi = (rng: Prng): SchedulingPolicy => {
  const seen = newObservations()
  return new AiPolicy("peeking-ai", new TrueRuntimeModel(), new ForestRiskModel(seen.nodes, rng), defaultAiSettings, seen)
}

const decisionsOf = (instance: Instance, jobs: Instance["jobs"], policyName: string) => {
  const oracle = new ChurnOracle()
  const rng = Prng.fromSeed(instance.seed, `policy/${policyName}`)
  const inner = policyName === "peeking-ai" ? peekingAi(rng) : buildPolicy(policyName, rng, oracle)
  const log: Array<Decision> = []
  const recording: SchedulingPolicy = {
    name: inner.name,
    schedule: (ctx: SchedulingContext) =>
      inner.schedule({ ...ctx, place: (job, node) => (log.push([ctx.now, job, node]), ctx.place(job, node)) }),
    nodeChanged: (node) => inner.nodeChanged?.(node),
    attemptEnded: (ctx, job, node, outcome) => inner.attemptEnded?.(ctx, job, node, outcome),
    nodeAvailability: (ctx, node, online) => inner.nodeAvailability?.(ctx, node, online),
    jobQueued: (ctx, job) => inner.jobQueued?.(ctx, job)
  }
  const result = runWorld({
    scenario: instance.scenario, policy: recording, nodes: instance.nodes, workload: replay(jobs),
    churn: instance.churn(), rng: Prng.fromSeed(instance.seed, "world"), churnOracle: oracle
  })
  return { log, jobs: result.coordinator.jobs }
}

const counterfactual = async (workload: "kth" | "volunteer-smartphone", load: number, jobs: number) => {
  const data = await Effect.runPromise(loadTraceData())
  const instance = makeInstance(data, workload, load, 0, { ...quickSize, jobs: { ...quickSize.jobs, [workload]: jobs } })
  // Long jobs from the 60th on need 20x their work; requested times and all else unchanged.
  const changed = (i: number) => i >= 60 && instance.jobs[i]!.request.workMs > 900_000
  const altered = instance.jobs.map((j, i) => (changed(i) ? { ...j, request: { ...j.request, workMs: j.request.workMs * 20 } } : j))
  const firstChangedEnd = (jobs: ReturnType<typeof decisionsOf>["jobs"]) => {
    let t = Infinity
    for (let i = 0; i < jobs.count; i++) if (changed(i) && jobs.status[i] === Status.succeeded) t = Math.min(t, jobs.endMs[i]!)
    return t
  }
  return (policy: string) => {
    const a = decisionsOf(instance, instance.jobs, policy)
    const b = decisionsOf(instance, altered, policy)
    const horizon = Math.min(firstChangedEnd(a.jobs), firstChangedEnd(b.jobs))
    const before = (log: ReadonlyArray<Decision>) => log.filter((d) => d[0] < horizon)
    return { a: before(a.log), b: before(b.log), changedPlaced: before(a.log).filter((d) => changed(d[1])).length }
  }
}

/** Identical decisions, and enough of them (about changed jobs too) for a peek to have shown. */
const expectAiDecidesAlike = (run: { a: ReadonlyArray<Decision>; b: ReadonlyArray<Decision>; changedPlaced: number }, changedPlacedMin: number) => {
  expect(run.a.length).toBeGreaterThan(40)
  expect(run.changedPlaced).toBeGreaterThanOrEqual(changedPlacedMin)
  expect(run.b).toEqual(run.a)
}

describe("no look-ahead", () => {
  it("no learning or baseline policy's code reads the simulator's true work, except the oracle's model", () => {
    const dir = path.resolve(import.meta.dirname, "../../../core/scheduler")
    const files = ["ai", "baselines"].flatMap((d) => fs.readdirSync(path.join(dir, d)).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).map((f) => path.join(dir, d, f)))
    const readers = files.flatMap((f) => fs.readFileSync(f, "utf8").split("\n").filter((l) => l.includes(".workMs[")).map((l) => `${path.basename(f)}: ${l.trim()}`))
    expect(readers).toEqual(["runtimeModels.ts: return ctx.jobs.workMs[job]!"])
  })

  it("on a queued trace (KTH at load 0.95) the ai policy decides alike until a changed job has finished", async () => {
    expectAiDecidesAlike((await counterfactual("kth", 0.95, 300))("ai"), 2)
  }, 60_000)

  it("under churn (volunteer-smartphone at load 0.9) the ai policy decides alike; the same code peeking at true work does not", async () => {
    const compare = await counterfactual("volunteer-smartphone", 0.9, 300)
    expectAiDecidesAlike(compare("ai"), 4)
    const peeking = compare("peeking-ai")
    expect(peeking.b).not.toEqual(peeking.a)
  }, 60_000)
})
