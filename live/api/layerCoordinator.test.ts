// JobsApi over core's Coordinator, without HTTP: ids, owners, listing and cancellation.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fc from "fast-check"
import type { NodeId, RegionId, UserId } from "../../core/domain/ids.ts"
import { Prng } from "../../core/random/prng.ts"
import { makePolicy } from "../../core/scheduler/policies.ts"
import { JobsApi, type SubmitJob } from "./JobsApi.ts"
import { makeCoordinatorJobsApi } from "./layerCoordinator.ts"

const make = makeCoordinatorJobsApi({
  policy: Either.getOrThrow(makePolicy("fcfs", Prng.fromSeed(1))),
  nodes: [0, 1].map((id) => ({
    id: id as NodeId,
    resources: { vcpus: 2 + 2 * id, memoryMiB: 4096, diskMiB: 10_000 },
    speed: 1,
    region: "r" as RegionId,
    askingPrice: 1
  }))
})

const job = (owner: string, vcpus = 1): SubmitJob => ({
  image: "busybox",
  command: ["true"],
  vcpus,
  memoryMiB: 64,
  diskMiB: 0,
  timeoutS: 5,
  owner: owner as UserId
})

describe("layerCoordinator", () => {
  it.effect("lists exactly each owner's jobs, oldest first, with dense ids", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fc.array(fc.constantFrom("alice", "bob", "carol"), { maxLength: 30 }), (owners) =>
          Effect.runPromise(Effect.gen(function* () {
            const api = yield* make
            const submitted = yield* Effect.forEach(owners, (owner) => api.submit(job(owner)))
            expect(submitted.map((j) => j.id)).toEqual(owners.map((_, i) => i))
            expect(submitted.every((j) => j.state === "queued")).toBe(true)
            for (const owner of ["alice", "bob", "carol", "dave"]) {
              const listed = yield* api.list(owner as UserId)
              expect(listed.map((j) => j.id)).toEqual(submitted.filter((j) => j.owner === owner).map((j) => j.id))
            }
            expect(yield* api.list(undefined)).toEqual(submitted)
          }))
        ),
        { numRuns: 50 }
      )
    ))

  it.effect("refuses a job larger than every node without giving it an id", () =>
    Effect.gen(function* () {
      const api = yield* make
      const error = yield* Effect.flip(api.submit(job("alice", 5)))
      expect(error._tag).toBe("JobUnsatisfiable")
      expect((yield* api.submit(job("alice", 4))).id).toBe(0)
    }))

  it.effect("cancels a queued job once, and reports unknown ids as UnknownJob", () =>
    Effect.gen(function* () {
      const api = yield* make
      const { id } = yield* api.submit(job("alice"))
      expect((yield* api.cancel(id)).state).toBe("cancelled")
      expect((yield* api.cancel(id)).state).toBe("cancelled")
      expect((yield* api.status(id)).state).toBe("cancelled")
      for (const unknown of [1, -1, 0.5, Number.NaN]) {
        expect((yield* Effect.flip(api.status(unknown)))._tag).toBe("UnknownJob")
        expect((yield* Effect.flip(api.cancel(unknown)))._tag).toBe("UnknownJob")
      }
    }))

  it.effect("is provided as the JobsApi service", () =>
    Effect.gen(function* () {
      const api = yield* JobsApi
      expect((yield* api.submit(job("bob"))).owner).toBe("bob")
    }).pipe(Effect.provideServiceEffect(JobsApi, make)))
})
