import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { JobTable, Status } from "../coordinator/JobTable.ts"
import { JobQueue } from "./JobQueue.ts"

const setup = () => {
  const jobs = new JobTable()
  const queue = new JobQueue(jobs)
  /** Adds a job to the table (queued, with a submit time) and pushes it. */
  const submit = (submitMs: number): number => {
    const id = jobs.count
    jobs.ensure(id + 1)
    jobs.count++
    jobs.status[id] = Status.queued
    jobs.submitMs[id] = submitMs
    queue.push(id)
    return id
  }
  /** The queue leaves the job (placed or cancelled). */
  const place = (id: number): void => {
    jobs.status[id] = Status.placed
    queue.removed()
  }
  /** The job's attempt was lost: back to queued and pushed again. */
  const requeue = (id: number): void => {
    jobs.status[id] = Status.queued
    queue.push(id)
  }
  return { jobs, queue, submit, place, requeue }
}

/** Every live job in cursor order, the way the policies walk the queue. */
const contents = (queue: JobQueue): Array<number> => {
  const out: Array<number> = []
  for (let c = queue.next(0); c >= 0; c = queue.next(c + 1)) out.push(queue.jobAt(c))
  return out
}

const internalLength = (queue: JobQueue): number => (queue as unknown as { ids: Array<number> }).ids.length

describe("JobQueue order", () => {
  it("iterates in (submitMs, id) order whatever the push order", () => {
    const { jobs, queue } = setup()
    const submits = [50, 10, 30, 10, 50, 0, 30]
    jobs.ensure(submits.length)
    jobs.count = submits.length
    submits.forEach((s, id) => {
      jobs.status[id] = Status.queued
      jobs.submitMs[id] = s
    })
    for (const id of [4, 2, 0, 6, 1, 5, 3]) queue.push(id)
    expect(contents(queue)).toEqual([5, 1, 3, 2, 6, 0, 4])
    expect(queue.length).toBe(7)
    expect(queue.first()).toBe(5)
  })

  it("a job re-pushed after being placed appears once, at its submit-order position", () => {
    const { queue, submit, place, requeue } = setup()
    const a = submit(0)
    const b = submit(10)
    const c = submit(20)
    place(a)
    expect(contents(queue)).toEqual([b, c])
    const d = submit(30)
    requeue(a)
    expect(contents(queue)).toEqual([a, b, c, d])
    expect(queue.length).toBe(4)
    place(c)
    requeue(c)
    expect(contents(queue)).toEqual([a, b, c, d])
    place(b)
    place(c)
    requeue(c)
    requeue(b)
    expect(contents(queue)).toEqual([a, b, c, d])
    expect(queue.length).toBe(4)
  })

  it("removed entries are skipped, including at the head", () => {
    const { queue, submit, place } = setup()
    const ids = [0, 1, 2, 3, 4].map((i) => submit(i))
    place(ids[0]!)
    place(ids[2]!)
    place(ids[4]!)
    expect(contents(queue)).toEqual([1, 3])
    expect(queue.first()).toBe(1)
    expect(queue.length).toBe(2)
    place(1)
    place(3)
    expect(contents(queue)).toEqual([])
    expect(queue.first()).toBe(-1)
    expect(queue.next(0)).toBe(-1)
    expect(queue.length).toBe(0)
  })

  it("a job whose status changed to something else than queued is not live", () => {
    const { jobs, queue, submit } = setup()
    submit(0)
    submit(1)
    jobs.status[0] = Status.cancelled
    queue.removed()
    expect(contents(queue)).toEqual([1])
  })

  it("cursors stay valid while jobs behind them are placed during a pass", () => {
    const { queue, submit, place } = setup()
    for (let i = 0; i < 6; i++) submit(i)
    const seen: Array<number> = []
    for (let c = queue.next(0); c >= 0; c = queue.next(c + 1)) {
      const job = queue.jobAt(c)
      seen.push(job)
      if (job % 2 === 0) place(job)
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5])
    expect(contents(queue)).toEqual([1, 3, 5])
  })

  it("pushing after the front was drained starts a fresh tail", () => {
    const { queue, submit, place, requeue } = setup()
    const a = submit(5)
    const b = submit(6)
    place(a)
    place(b)
    expect(queue.first()).toBe(-1) // moves the head past both dead entries
    requeue(b)
    requeue(a)
    const c = submit(1)
    expect(contents(queue)).toEqual([c, a, b])
  })
})

describe("JobQueue.maintain", () => {
  it("does nothing while dead entries are few", () => {
    const { queue, submit, place } = setup()
    for (let i = 0; i < 100; i++) submit(i)
    for (let i = 1; i < 100; i += 2) place(i)
    const before = internalLength(queue)
    queue.maintain()
    expect(internalLength(queue)).toBe(before)
    expect(contents(queue)).toEqual(Array.from({ length: 50 }, (_, i) => 2 * i))
  })

  it("compaction drops dead entries and keeps order, length and requeue behaviour", () => {
    const { queue, submit, place, requeue } = setup()
    const n = 3000
    // Submit times out of id order, with ties, so the order is not just by id.
    for (let i = 0; i < n; i++) submit((i * 7919) % 1000)
    for (let i = 0; i < n; i++) if (i % 3 !== 0) place(i)
    // Requeue a few so that some jobs have a dead entry and a live one.
    for (const id of [1, 2, 4, 5, 2999]) requeue(id)
    const before = contents(queue)
    const length = queue.length
    expect(length).toBe(1000 + 5)
    const sorted = [...before].sort((a, b) => ((a * 7919) % 1000) - ((b * 7919) % 1000) || a - b)
    expect(before).toEqual(sorted)
    queue.maintain()
    expect(internalLength(queue)).toBe(length) // compacted: only live entries remain
    expect(contents(queue)).toEqual(before)
    expect(queue.length).toBe(length)
    // The queue keeps working after compaction: removed entries are still skipped and
    // re-pushed jobs still land at their submit-order position.
    const head = before[0]!
    place(head)
    expect(contents(queue)).toEqual(before.slice(1))
    requeue(head)
    expect(contents(queue)).toEqual(before)
    const late = submit(-1)
    expect(queue.first()).toBe(late)
  })
})

// ---- model test

type Op =
  | { readonly kind: "push"; readonly submit: number }
  | { readonly kind: "place"; readonly pick: number }
  | { readonly kind: "requeue"; readonly pick: number }
  | { readonly kind: "maintain" }
  | { readonly kind: "walk"; readonly stopAt: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("push" as const), submit: fc.integer({ min: 0, max: 20 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("place" as const), pick: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("requeue" as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.constant({ kind: "maintain" as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("walk" as const), stopAt: fc.nat(10) }), weight: 1 }
)

describe("JobQueue against a sorted-array model", () => {
  it("fast-check: random interleavings of push / place / requeue / maintain", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300, size: "max" }), (ops) => {
        const { jobs, queue, submit, place, requeue } = setup()
        const queued: Array<number> = [] // the model: live jobs sorted by (submit, id)
        const placed: Array<number> = []
        const key = (a: number, b: number) => jobs.submitMs[a]! - jobs.submitMs[b]! || a - b
        for (const op of ops) {
          switch (op.kind) {
            case "push":
              queued.push(submit(op.submit))
              break
            case "place": {
              if (queued.length === 0) break
              const job = queued.splice(op.pick % queued.length, 1)[0]!
              place(job)
              placed.push(job)
              break
            }
            case "requeue": {
              if (placed.length === 0) break
              const job = placed.splice(op.pick % placed.length, 1)[0]!
              requeue(job)
              queued.push(job)
              break
            }
            case "maintain":
              queue.maintain()
              break
            case "walk": {
              // A partial pass, as a policy that stops early makes: may move the head.
              let c = queue.next(0)
              for (let k = 0; c >= 0 && k < op.stopAt; k++) c = queue.next(c + 1)
              break
            }
          }
          queued.sort(key)
          expect(queue.length).toBe(queued.length)
          expect(contents(queue)).toEqual(queued)
          expect(queue.first()).toBe(queued.length > 0 ? queued[0] : -1)
        }
      }),
      { numRuns: 300 }
    )
  })

  it("fast-check: compaction under heavy churn keeps the model order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const { jobs, queue, submit, place, requeue } = setup()
        let s = seed
        const rand = (n: number) => {
          s = (Math.imul(s, 1103515245) + 12345) >>> 0
          return s % n
        }
        const queued: Array<number> = []
        const placed: Array<number> = []
        let compactions = 0
        for (let round = 0; round < 6000; round++) {
          const r = rand(10)
          if (r < 4 || queued.length === 0) queued.push(submit(rand(50)))
          else if (r < 8) {
            const job = queued.splice(rand(queued.length), 1)[0]!
            place(job)
            placed.push(job)
          } else if (placed.length > 0) {
            const job = placed.splice(rand(placed.length), 1)[0]!
            requeue(job)
            queued.push(job)
          }
          if (round % 97 === 0) {
            const before = internalLength(queue)
            queue.maintain()
            if (internalLength(queue) < before) compactions++
          }
        }
        expect(compactions).toBeGreaterThan(0)
        queue.maintain()
        queued.sort((a, b) => jobs.submitMs[a]! - jobs.submitMs[b]! || a - b)
        expect(queue.length).toBe(queued.length)
        expect(contents(queue)).toEqual(queued)
      }),
      { numRuns: 20 }
    )
  })
})
