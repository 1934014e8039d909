import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { Coordinator, type CoordinatorConfig, type JobRequest } from "../coordinator/Coordinator.ts"
import type { JobId, NodeId } from "../domain/ids.ts"
import type { CoordinatorMessage } from "../domain/messages.ts"
import { Prng } from "../random/prng.ts"
import { f1Score, unicepScore, wfp3Score } from "./baselines/priorityFunctions.ts"
import { makePolicy, type PolicyName, policyNames } from "./policies.ts"
import type { AiPolicy } from "./ai/AiPolicy.ts"
import { alwaysAvailable } from "./ai/testing.ts"
import type { SchedulingContext } from "./policy.ts"
import { type Caps, jobRequest, jobStarted, jobSucceeded, nodeSpec } from "../testing/fixtures.ts"

const request = (caps: Caps, requestedTimeMs = 1000): JobRequest => jobRequest(caps, requestedTimeMs)

// ---- harness: a coordinator with a recording IO



interface Assigned {
  readonly job: number
  readonly node: number
  readonly attempt: number
}

const harness = (
  policy: PolicyName,
  nodes: ReadonlyArray<Caps>,
  options: { seed?: number; config?: Partial<CoordinatorConfig>; register?: boolean } = {}
) => {
  const sent: Array<{ node: number; message: CoordinatorMessage }> = []
  const p = makePolicy(policy, Prng.fromSeed(options.seed ?? 1), alwaysAvailable)
  if (Either.isLeft(p)) throw p.left
  const config = { heartbeatTimeoutMs: 1000, maxRetries: 10, scanDepth: 256, ...options.config }
  /** Terminal transitions per job; a job must reach exactly one and never move after it. */
  const ended = new Map<number, number>()
  // Time-dependent priorities (wfp3, unicep) are judged as of the last pass the coordinator ran.
  let lastPassMs = -1
  const inner = p.right
  const recorded = new Proxy(inner, {
    get(target, prop) {
      if (prop === "schedule") return (ctx: SchedulingContext) => {
        lastPassMs = ctx.now
        target.schedule(ctx)
      }
      const v: unknown = Reflect.get(target, prop)
      return typeof v === "function" ? v.bind(target) : v
    }
  })
  const coordinator = new Coordinator(recorded, {
    send: (node, message) => sent.push({ node, message }),
    transition: (job, _from, to) => {
      expect(ended.has(job), `job ${job} moved to ${to} after it ended`).toBe(false)
      if (to === "succeeded" || to === "failed" || to === "cancelled" || to === "lost") ended.set(job, (ended.get(job) ?? 0) + 1)
    }
  }, config)
  const specs = nodes.map((caps, i) => nodeSpec(i, caps))
  const sessions = specs.map(() => 0)
  for (const spec of specs) expect(Either.isRight(coordinator.enrollNode(spec))).toBe(true)
  const register = (node: number, now: number) => {
    sessions[node]!++
    const r = coordinator.receive({ _tag: "Register", node: specs[node]!, session: sessions[node]! }, now)
    expect(Either.isRight(r)).toBe(true)
  }
  if (options.register !== false) specs.forEach((_, i) => register(i, 0))
  let read = 0
  /** Assign messages sent since the last call. */
  const assigns = (): Array<Assigned> => {
    const out: Array<Assigned> = []
    for (; read < sent.length; read++) {
      const { node, message } = sent[read]!
      if (message._tag === "Assign") out.push({ job: message.job.id, node, attempt: message.attempt })
    }
    return out
  }
  const submit = (caps: Caps, now: number, requestedTimeMs = 1000): number => {
    const r = coordinator.submit(request(caps, requestedTimeMs), now)
    if (Either.isLeft(r)) throw r.left
    return r.right
  }
  const started = (a: Assigned, now: number) => expect(Either.isRight(coordinator.receive(jobStarted(a), now))).toBe(true)
  const finished = (a: Assigned, now: number) => expect(Either.isRight(coordinator.receive(jobSucceeded(a), now))).toBe(true)
  /** A heartbeat from an agent that runs exactly `running` (the attempts it was assigned). */
  const heartbeat = (node: number, now: number, running: ReadonlyArray<Assigned>) => {
    const r = coordinator.receive({
      _tag: "Heartbeat",
      nodeId: node as NodeId,
      session: sessions[node]!,
      running: running.map((a) => ({ jobId: a.job as JobId, attempt: a.attempt }))
    }, now)
    expect(Either.isRight(r)).toBe(true)
  }
  return { coordinator, specs, sent, assigns, submit, started, finished, register, heartbeat, ended, lastPassMs: () => lastPassMs, policy: inner }
}

const nodesOf = (as: ReadonlyArray<Assigned>) => as.map((a) => a.node)

describe("makePolicy", () => {
  it("builds every named policy under its own name and rejects unknown names", () => {
    expect([...policyNames].sort()).toEqual([
      "ai", "ai-no-backfill", "ai-no-failure-model", "ai-user-mean", "balanced", "best-fit", "easy", "easy++", "f1", "fcfs",
      "htcondor", "least-allocated", "marketplace", "most-allocated", "oracle", "power-of-d", "random", "round-robin", "sjf",
      "tetris", "unicep", "wfp3"
    ])
    for (const name of policyNames) {
      const p = makePolicy(name, Prng.fromSeed(1), alwaysAvailable)
      expect(Either.isRight(p) && p.right.name).toBe(name)
    }
    const bad = makePolicy("shortest-job-first", Prng.fromSeed(1), alwaysAvailable)
    expect(Either.isLeft(bad) && bad.left._tag).toBe("UnknownPolicy")
    expect(Either.isLeft(bad) && bad.left.message).toMatch(/shortest-job-first.*fcfs/)
    expect(Either.isLeft(makePolicy("toString", Prng.fromSeed(1), alwaysAvailable))).toBe(true)
  })
})

// ---- safety of every policy

type Event =
  | { readonly kind: "submit"; readonly caps: Caps; readonly requested: number }
  | { readonly kind: "start"; readonly pick: number }
  | { readonly kind: "finish"; readonly pick: number }
  | { readonly kind: "flush" }
  | { readonly kind: "offline"; readonly node: number }
  | { readonly kind: "reregister"; readonly node: number }

const capsArb = (maxCpu: number, maxMem: number, maxDisk: number, minCpu = 1): fc.Arbitrary<Caps> =>
  fc.tuple(
    fc.integer({ min: minCpu, max: maxCpu }),
    fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxMem })),
    fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxDisk }))
  )

const nodeCapsArb: fc.Arbitrary<Caps> = fc.tuple(
  fc.integer({ min: 1, max: 16 }),
  fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 16, max: 128 }), weight: 4 }),
  fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 16, max: 128 }), weight: 4 })
)

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("submit" as const), caps: capsArb(8, 64, 64), requested: fc.integer({ min: 1, max: 5000 }) }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant("start" as const), pick: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("finish" as const), pick: fc.nat() }), weight: 3 },
  { arbitrary: fc.constant({ kind: "flush" as const }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("offline" as const), node: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("reregister" as const), node: fc.nat() }), weight: 1 }
)

const fitsSomewhere = (
  h: ReturnType<typeof harness>,
  online: ReadonlyArray<boolean>,
  used: ReadonlyArray<[number, number, number]>,
  job: number
): boolean => {
  const j = h.coordinator.jobs
  return h.specs.some((s, n) =>
    online[n]! &&
    used[n]![0] + j.cpu[job]! <= s.resources.vcpus &&
    used[n]![1] + j.mem[job]! <= s.resources.memoryMiB &&
    used[n]![2] + j.disk[job]! <= s.resources.diskMiB
  )
}

/**
 * The queued jobs that must fit nowhere after a pass: a strict or backfilling policy stops at the
 * first job of its order that fits nowhere (later ones may fit but wait, or be refused by the
 * reservation); a pass-over policy leaves no queued job that fits somewhere.
 */
const mustFitNowhere = (name: PolicyName, h: ReturnType<typeof harness>, queued: ReadonlyArray<number>, now: number): ReadonlyArray<number> => {
  const j = h.coordinator.jobs
  const first = (key: (job: number) => number) => {
    let best = queued[0]!
    for (const job of queued) if (key(job) < key(best)) best = job
    return [best]
  }
  const r = (job: number) => j.requestedMs[job]! / 1000
  const w = (job: number) => (now - j.submitMs[job]!) / 1000
  switch (name) {
    case "fcfs":
    case "easy":
    case "easy++":
      return queued.slice(0, 1)
    case "ai":
    case "ai-no-backfill":
    case "ai-no-failure-model":
    case "ai-user-mean":
    case "oracle": {
      // Their order is by predicted area; the policy names the job its last pass stopped at.
      const blocked = (h.policy as AiPolicy).blockedJob
      return blocked >= 0 && queued.includes(blocked) ? [blocked] : queued
    }
    case "sjf":
      return first((job) => j.requestedMs[job]!)
    case "f1":
      return first((job) => f1Score(r(job), j.cpu[job]!, j.submitMs[job]! / 1000))
    case "wfp3":
      return first((job) => wfp3Score(r(job), j.cpu[job]!, w(job)))
    case "unicep":
      return first((job) => unicepScore(r(job), j.cpu[job]!, w(job)))
    default:
      return queued
  }
}

describe("every policy is safe", () => {
  for (const name of policyNames) {
    it(`fast-check: ${name} places only on online nodes and never over-commits`, () => {
      let totalAssigns = 0
      fc.assert(
        fc.property(
          fc.array(nodeCapsArb, { minLength: 1, maxLength: 6, size: "max" }),
          fc.array(eventArb, { maxLength: 80, size: "max" }),
          fc.nat(1000),
          (nodes, events, seed) => {
            const h = harness(name, nodes, { seed })
            const online = nodes.map(() => true)
            const used = nodes.map((): [number, number, number] => [0, 0, 0])
            const active = new Map<number, Assigned>()
            let now = 0
            const absorb = () => {
              for (const a of h.assigns()) {
                totalAssigns++
                expect(online[a.node]).toBe(true)
                expect(active.has(a.job)).toBe(false)
                const j = h.coordinator.jobs
                const u = used[a.node]!
                u[0] += j.cpu[a.job]!
                u[1] += j.mem[a.job]!
                u[2] += j.disk[a.job]!
                const cap = h.specs[a.node]!.resources
                expect(u[0]).toBeLessThanOrEqual(cap.vcpus)
                expect(u[1]).toBeLessThanOrEqual(cap.memoryMiB)
                expect(u[2]).toBeLessThanOrEqual(cap.diskMiB)
                active.set(a.job, a)
              }
            }
            const runningOn = (node: number) => [...active.values()].filter((a) => a.node === node)
            const drop = (job: number) => {
              const a = active.get(job)!
              const j = h.coordinator.jobs
              const u = used[a.node]!
              u[0] -= j.cpu[job]!
              u[1] -= j.mem[job]!
              u[2] -= j.disk[job]!
              active.delete(job)
            }
            for (const e of events) {
              now += 10
              switch (e.kind) {
                case "submit": {
                  const r = h.coordinator.submit(request(e.caps, e.requested), now)
                  // Accepted exactly when some single enrolled node could hold it.
                  const fitsANode = nodes.some((c) => [0, 1, 2].every((d) => c[d]! >= e.caps[d]!))
                  expect(Either.isRight(r)).toBe(fitsANode)
                  break
                }
                case "start":
                case "finish": {
                  const list = [...active.values()]
                  if (list.length === 0) break
                  const a = list[e.pick % list.length]!
                  if (e.kind === "start") h.started(a, now)
                  else {
                    h.finished(a, now)
                    drop(a.job)
                  }
                  break
                }
                case "flush": {
                  h.coordinator.flush(now)
                  absorb()
                  // After a pass: a strict-order policy stops only at a head that fits nowhere;
                  // a pass-over policy leaves no queued job that fits somewhere.
                  const q = h.coordinator.queue
                  const queued: Array<number> = []
                  for (let c = q.next(0); c >= 0; c = q.next(c + 1)) queued.push(q.jobAt(c))
                  if (queued.length > 0) {
                    for (const job of mustFitNowhere(name, h, queued, h.lastPassMs())) {
                      expect(fitsSomewhere(h, online, used, job)).toBe(false)
                    }
                  }
                  break
                }
                case "offline": {
                  // Every other online node heartbeats; this one stays silent past the timeout.
                  const node = e.node % nodes.length
                  now += 1001
                  nodes.forEach((_, n) => n !== node && online[n] && h.heartbeat(n, now, runningOn(n)))
                  h.coordinator.tick(now)
                  if (online[node]) {
                    online[node] = false
                    for (const a of [...active.values()]) if (a.node === node) drop(a.job)
                  }
                  expect(h.coordinator.cluster.online[node]).toBe(0)
                  expect(h.coordinator.cluster.onlineNodes).toBe(online.filter(Boolean).length)
                  break
                }
                case "reregister": {
                  // The agent restarted: a new session, and the old session's jobs are gone.
                  const node = e.node % nodes.length
                  nodes.forEach((_, n) => n !== node && online[n] && h.heartbeat(n, now, runningOn(n)))
                  h.register(node, now)
                  online[node] = true
                  for (const a of [...active.values()]) if (a.node === node) drop(a.job)
                  break
                }
              }
              // The coordinator's own view agrees with what its messages imply.
              for (let n = 0; n < nodes.length; n++) {
                expect(h.coordinator.cluster.freeCpu[n]).toBe(nodes[n]![0] - used[n]![0])
                expect(h.coordinator.cluster.freeMem[n]).toBe(nodes[n]![1] - used[n]![1])
              }
            }
            // Drain: every node comes back and every job runs to its end, so each accepted job
            // ends exactly once (no policy starves a job on an idle cluster).
            nodes.forEach((_, n) => {
              if (online[n]) return
              h.register(n, now)
              online[n] = true
            })
            for (let round = 0; round < 500 && (h.coordinator.queue.length > 0 || active.size > 0); round++) {
              now += 10
              h.coordinator.flush(now)
              absorb()
              for (const a of [...active.values()]) {
                h.finished(a, now)
                drop(a.job)
              }
            }
            expect(h.coordinator.queue.length).toBe(0)
            for (let job = 0; job < h.coordinator.jobs.count; job++) expect(h.ended.get(job), `job ${job}`).toBe(1)
          }
        ),
        { numRuns: 150 }
      )
      expect(totalAssigns).toBeGreaterThan(300) // the property was not vacuous
    })
  }
})

// ---- behaviour of each policy

describe("fcfs and best-fit with a blocked head", () => {
  const scenario = (policy: PolicyName) => {
    const h = harness(policy, [[4, 1000, 1000]])
    const a = h.submit([2, 0, 0], 0)
    h.coordinator.flush(0)
    expect(nodesOf(h.assigns())).toEqual([0])
    const big = h.submit([4, 0, 0], 1) // does not fit while `a` runs
    const small = h.submit([1, 0, 0], 2) // fits
    h.coordinator.flush(2)
    return { h, a, big, small }
  }

  it("fcfs: the head that does not fit blocks everything behind it", () => {
    const { h, big, small } = scenario("fcfs")
    expect(h.assigns()).toEqual([])
    expect(h.coordinator.status(big)).toBe("queued")
    expect(h.coordinator.status(small)).toBe("queued")
  })

  it("best-fit: the job behind a head that does not fit is placed", () => {
    const { h, big, small } = scenario("best-fit")
    expect(h.assigns().map((x) => x.job)).toEqual([small])
    expect(h.coordinator.status(big)).toBe("queued")
    expect(h.coordinator.status(small)).toBe("placed")
  })

  it("fcfs: once the head fits it goes first, in submit order", () => {
    const { h, a, big, small } = scenario("fcfs")
    h.finished({ job: a, node: 0, attempt: 0 }, 10)
    h.coordinator.flush(10)
    expect(h.assigns().map((x) => x.job)).toEqual([big])
    expect(h.coordinator.status(small)).toBe("queued")
  })
})

/** Model of the free capacity of a small cluster, kept from Assigns and our own finishes. */
const scoreBrute = (
  nodes: ReadonlyArray<Caps>,
  used: ReadonlyArray<[number, number, number]>,
  job: Caps,
  rule: "best-fit" | "least-allocated"
): number => {
  let best = -1
  let bestValue = 0
  nodes.forEach((cap, n) => {
    const free = [cap[0] - used[n]![0], cap[1] - used[n]![1], cap[2] - used[n]![2]]
    if (free.some((f, d) => f < job[d]!)) return
    const dims = rule === "best-fit" ? [0, 1, 2] : [0, 1]
    let leftover = 0
    for (const d of dims) if (cap[d]! > 0) leftover += (free[d]! - job[d]!) / cap[d]!
    // best-fit: least leftover; least-allocated: most leftover; ties go to the lowest index.
    const better = best < 0 || (rule === "best-fit" ? leftover < bestValue : leftover > bestValue)
    if (better) {
      best = n
      bestValue = leftover
    }
  })
  return best
}

for (const rule of ["best-fit", "least-allocated"] as const) {
  describe(rule, () => {
    it(`fast-check: picks the same node as a brute-force ${rule === "best-fit" ? "least" : "most"}-leftover scan`, () => {
      fc.assert(
        fc.property(
          fc.array(capsArb(8, 16, 16), { minLength: 1, maxLength: 5, size: "max" }),
          fc.array(fc.oneof(capsArb(4, 8, 8).map((c) => ({ submit: c })), fc.nat().map((pick) => ({ pick }))), {
            maxLength: 40,
            size: "max"
          }),
          (nodes, steps) => {
            const h = harness(rule, nodes)
            const used = nodes.map((): [number, number, number] => [0, 0, 0])
            const active: Array<Assigned & { caps: Caps }> = []
            let now = 0
            for (const step of steps) {
              now++
              if ("pick" in step) {
                if (active.length === 0) continue
                const [a] = active.splice(step.pick % active.length, 1)
                h.finished(a!, now)
                a!.caps.forEach((v, d) => (used[a!.node]![d] -= v))
                h.coordinator.flush(now)
                expect(h.assigns()).toEqual([]) // nothing was waiting
                continue
              }
              const caps = step.submit
              const r = h.coordinator.submit(request(caps), now)
              if (Either.isLeft(r)) continue
              const expected = scoreBrute(nodes, used, caps, rule)
              h.coordinator.flush(now)
              const got = h.assigns()
              if (expected < 0) {
                expect(got).toEqual([])
                h.coordinator.cancel(r.right, now) // keep the queue empty for the next step
              } else {
                expect(got.map((a) => [a.job, a.node])).toEqual([[r.right, expected]])
                caps.forEach((v, d) => (used[expected]![d] += v))
                active.push({ ...got[0]!, caps })
              }
            }
          }
        ),
        { numRuns: 300 }
      )
    })
  })
}

describe("best-fit and least-allocated examples", () => {
  const nodes: ReadonlyArray<Caps> = [[8, 8192, 0], [2, 2048, 0], [4, 4096, 0]]

  it("best-fit packs a 2-vCPU job onto the node it fills best", () => {
    const h = harness("best-fit", nodes)
    h.submit([2, 2048, 0], 0)
    h.coordinator.flush(0)
    expect(nodesOf(h.assigns())).toEqual([1])
  })

  it("least-allocated spreads a 2-vCPU job onto the emptiest node", () => {
    const h = harness("least-allocated", nodes)
    h.submit([2, 2048, 0], 0)
    h.coordinator.flush(0)
    expect(nodesOf(h.assigns())).toEqual([0])
  })

  it("least-allocated moves on once the biggest node is partly used", () => {
    const h = harness("least-allocated", [[4, 4096, 0], [4, 4096, 0], [4, 4096, 0]])
    for (let i = 0; i < 6; i++) h.submit([1, 1024, 0], i)
    h.coordinator.flush(6)
    expect(nodesOf(h.assigns())).toEqual([0, 1, 2, 0, 1, 2])
  })
})

describe("round-robin", () => {
  it("cycles through the nodes", () => {
    const h = harness("round-robin", [[4, 0, 0], [4, 0, 0], [4, 0, 0]])
    for (let i = 0; i < 7; i++) h.submit([1, 0, 0], i)
    h.coordinator.flush(7)
    expect(nodesOf(h.assigns())).toEqual([0, 1, 2, 0, 1, 2, 0])
  })

  it("skips a full node and keeps cycling across flushes", () => {
    const h = harness("round-robin", [[4, 0, 0], [1, 0, 0], [4, 0, 0]])
    for (let i = 0; i < 5; i++) h.submit([1, 0, 0], i)
    h.coordinator.flush(5)
    expect(nodesOf(h.assigns())).toEqual([0, 1, 2, 0, 2])
    h.submit([1, 0, 0], 6)
    h.coordinator.flush(6)
    expect(nodesOf(h.assigns())).toEqual([0])
  })

  it("skips offline nodes", () => {
    const h = harness("round-robin", [[4, 0, 0], [4, 0, 0], [4, 0, 0]], { register: false })
    h.register(0, 0)
    h.register(2, 0)
    for (let i = 0; i < 4; i++) h.submit([1, 0, 0], i)
    h.coordinator.flush(4)
    expect(nodesOf(h.assigns())).toEqual([0, 2, 0, 2])
  })
})

describe("random", () => {
  const run = (seed: number) => {
    const h = harness("random", Array.from({ length: 8 }, (): Caps => [8, 0, 0]), { seed })
    for (let i = 0; i < 40; i++) h.submit([1, 0, 0], i)
    h.coordinator.flush(40)
    return nodesOf(h.assigns())
  }

  it("is deterministic for a seed", () => {
    expect(run(1)).toEqual(run(1))
    expect(run(1)).toHaveLength(40)
  })

  it("depends on the seed", () => {
    expect(run(1)).not.toEqual(run(2))
  })

  it("spreads jobs over several nodes", () => {
    for (const seed of [1, 2, 3]) {
      const counts = new Map<number, number>()
      for (const n of run(seed)) counts.set(n, (counts.get(n) ?? 0) + 1)
      expect(counts.size).toBeGreaterThanOrEqual(5)
      for (const c of counts.values()) expect(c).toBeLessThanOrEqual(8)
    }
  })

  it("only picks among nodes where the job fits", () => {
    const h = harness("random", [[1, 0, 0], [8, 0, 0], [1, 0, 0], [1, 0, 0]], { seed: 3 })
    for (let i = 0; i < 4; i++) h.submit([2, 0, 0], i)
    h.coordinator.flush(4)
    expect(nodesOf(h.assigns())).toEqual([1, 1, 1, 1])
  })
})

describe("easy backfilling", () => {
  // One 10-vCPU node. A 6-vCPU job runs from t=0 with a requested time of 1000, so a 10-vCPU
  // head can start at t=1000 at the earliest (the shadow time).
  /** A 10-vCPU node running a 6-vCPU job until 1000; a full-node head, then a long and a short job that fit now. */
  const scenario = (policy: PolicyName = "easy") => {
    const h = harness(policy, [[10, 0, 0]])
    const running = h.submit([6, 0, 0], 0, 1000)
    h.coordinator.flush(0)
    const [r] = h.assigns()
    expect(r).toEqual({ job: running, node: 0, attempt: 0 })
    h.started(r!, 0)
    expect(h.coordinator.status(running)).toBe("running")
    const head = h.submit([10, 0, 0], 10, 500)
    const long = h.submit([4, 0, 0], 11, 5000) // fits now, but would end at 5011 > 1000
    const short = h.submit([4, 0, 0], 12, 100) // fits now and ends at 112 <= 1000
    h.coordinator.flush(20)
    return { h, r: r!, head, long, short }
  }

  it("backfills a short job that ends before the shadow time, not a long one that would delay the head", () => {
    const { h, head, long, short } = scenario()
    expect(h.assigns().map((a) => a.job)).toEqual([short])
    expect(h.coordinator.status(head)).toBe("queued")
    expect(h.coordinator.status(long)).toBe("queued")
    expect(h.coordinator.status(short)).toBe("placed")
  })

  it("best-fit, without a reservation, would start the long job instead (it comes first)", () => {
    const { h, long } = scenario("best-fit")
    expect(h.assigns().map((a) => a.job)).toEqual([long])
  })

  it("the reservation holds after the short job ends: the long job still waits", () => {
    const { h, long, short } = scenario()
    const [s] = h.assigns()
    h.started(s!, 20)
    h.finished(s!, 120)
    h.coordinator.flush(120)
    expect(h.assigns()).toEqual([])
    expect(h.coordinator.status(short)).toBe("succeeded")
    expect(h.coordinator.status(long)).toBe("queued")
  })

  it("a job that ends exactly at the shadow time may be backfilled; one ms later may not", () => {
    const h = harness("easy", [[10, 0, 0]])
    h.submit([6, 0, 0], 0, 1000)
    h.coordinator.flush(0)
    h.started(h.assigns()[0]!, 0)
    h.submit([10, 0, 0], 10, 500)
    const late = h.submit([4, 0, 0], 11, 981) // 20 + 981 = 1001 > 1000
    const exact = h.submit([4, 0, 0], 12, 980) // 20 + 980 = 1000
    h.coordinator.flush(20)
    expect(h.assigns().map((a) => a.job)).toEqual([exact])
    expect(h.coordinator.status(late)).toBe("queued")
  })

  it("the head starts when the running job ends, ahead of the long job", () => {
    const { h, r, head, long } = scenario()
    const [s] = h.assigns()
    h.started(s!, 20)
    h.finished(s!, 120)
    h.coordinator.flush(120)
    h.finished(r, 1000)
    h.coordinator.flush(1000)
    expect(h.assigns().map((a) => a.job)).toEqual([head])
    expect(h.coordinator.status(long)).toBe("queued")
    h.started({ job: head, node: 0, attempt: 0 }, 1000)
    h.finished({ job: head, node: 0, attempt: 0 }, 1400)
    h.coordinator.flush(1400)
    expect(h.assigns().map((a) => a.job)).toEqual([long])
  })

  it("backfills the long job onto another node where it does not delay the head", () => {
    const h = harness("easy", [[4, 0, 0], [10, 0, 0]])
    const running = h.submit([6, 0, 0], 0, 1000)
    h.coordinator.flush(0)
    expect(h.assigns().map((a) => [a.job, a.node])).toEqual([[running, 1]])
    h.started({ job: running, node: 1, attempt: 0 }, 0)
    // Fill node 0 for a while so the long job has to wait for it.
    const filler = h.submit([4, 0, 0], 1, 100)
    h.coordinator.flush(1)
    expect(h.assigns().map((a) => [a.job, a.node])).toEqual([[filler, 0]])
    h.submit([10, 0, 0], 10, 500) // reserved on node 1 at t=1000
    const long = h.submit([4, 0, 0], 11, 5000) // fits on node 1 now, but would delay the head
    h.coordinator.flush(20)
    expect(h.assigns()).toEqual([])
    h.finished({ job: filler, node: 0, attempt: 0 }, 50)
    h.coordinator.flush(50)
    expect(h.assigns().map((a) => [a.job, a.node])).toEqual([[long, 0]])
  })
})
