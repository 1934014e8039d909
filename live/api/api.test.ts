// The jobs API over real HTTP on an ephemeral port, backed by core's Coordinator with one
// enrolled (agentless, hence offline) node: accepted jobs stay queued.
import { HttpServer } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import type { NodeId, RegionId } from "../../core/domain/ids.ts"
import { Prng } from "../../core/random/prng.ts"
import { makePolicy } from "../../core/scheduler/policies.ts"
import { layerCoordinator } from "./layerCoordinator.ts"
import { submitBodyBytesMax } from "./routes.ts"
import { serve } from "./serve.ts"

const jobs = layerCoordinator({
  policy: Either.getOrThrow(makePolicy("fcfs", Prng.fromSeed(1))),
  nodes: [{ id: 0 as NodeId, resources: { vcpus: 4, memoryMiB: 8192, diskMiB: 100_000 }, speed: 1, region: "r" as RegionId, askingPrice: 1 }]
})

const server = serve(0).pipe(Layer.provide(jobs))

interface Reply {
  readonly status: number
  readonly body: any
}

const call = (method: "GET" | "POST", path: string, body?: unknown, raw?: string) =>
  HttpServer.addressWith((address) =>
    Effect.promise(async (): Promise<Reply> => {
      if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
      const response = await fetch(`http://127.0.0.1:${address.port}${path}`, {
        method,
        headers: { "content-type": "application/json" },
        ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {})
      })
      return { status: response.status, body: await response.json() }
    })
  )

const python = {
  image: "python",
  command: ["python3", "-c", "print(6*7)"],
  vcpus: 1,
  memoryMiB: 256,
  diskMiB: 100,
  timeoutS: 60,
  owner: "alice"
}

describe("jobs API over HTTP", () => {
  layer(server)((it) => {
    it.effect("answers the health check", () =>
      Effect.gen(function* () {
        const reply = yield* call("GET", "/api/health")
        expect(reply).toEqual({ status: 200, body: { status: "ok" } })
      }))

    it.effect("submits a job, shows it, lists it by owner and cancels it", () =>
      Effect.gen(function* () {
        const submitted = yield* call("POST", "/api/jobs", python)
        expect(submitted.status).toBe(201)
        const id = submitted.body.id
        expect(submitted.body).toEqual({ ...python, id, state: "queued" })

        const status = yield* call("GET", `/api/jobs/${id}`)
        expect(status).toEqual({ status: 200, body: submitted.body })

        const other = yield* call("POST", "/api/jobs", { ...python, owner: "bob", command: ["true"] })
        expect(other.status).toBe(201)
        expect(other.body.id).not.toBe(id)

        const alices = yield* call("GET", "/api/jobs?owner=alice")
        expect(alices.status).toBe(200)
        expect(alices.body.jobs.map((j: any) => j.id)).toContain(id)
        expect(alices.body.jobs.every((j: any) => j.owner === "alice")).toBe(true)
        const all = yield* call("GET", "/api/jobs")
        expect(all.body.jobs.map((j: any) => j.id)).toEqual(expect.arrayContaining([id, other.body.id]))

        const cancelled = yield* call("POST", `/api/jobs/${id}/cancel`)
        expect(cancelled).toEqual({ status: 200, body: { ...submitted.body, state: "cancelled" } })
        expect((yield* call("GET", `/api/jobs/${id}`)).body.state).toBe("cancelled")
        // Cancelling an ended job leaves it as it is.
        expect((yield* call("POST", `/api/jobs/${id}/cancel`)).body.state).toBe("cancelled")
        expect((yield* call("GET", `/api/jobs/${other.body.id}`)).body.state).toBe("queued")
      }))

    it.effect("answers 404 for an unknown job and an unknown route", () =>
      Effect.gen(function* () {
        const status = yield* call("GET", "/api/jobs/999999")
        expect(status.status).toBe(404)
        expect(status.body).toMatchObject({ error: "UnknownJob", jobId: 999999, message: "unknown job 999999" })
        const cancel = yield* call("POST", "/api/jobs/999999/cancel")
        expect(cancel.status).toBe(404)
        expect(cancel.body.error).toBe("UnknownJob")
        const route = yield* call("GET", "/api/nope")
        expect(route.status).toBe(404)
        expect(route.body.error).toBe("NotFound")
      }))

    it.effect("answers 422 for a job no enrolled node can hold", () =>
      Effect.gen(function* () {
        const reply = yield* call("POST", "/api/jobs", { ...python, vcpus: 64 })
        expect(reply.status).toBe(422)
        expect(reply.body).toMatchObject({ error: "JobUnsatisfiable", vcpus: 64, reason: "no enrolled node is that large" })
        expect(reply.body.message).toMatch(/64 vCPU/)
      }))

    const invalid: ReadonlyArray<[string, unknown, ReadonlyArray<string>]> = [
      ["a missing field", { ...python, owner: undefined }, ["owner"]],
      ["a wrong type", { ...python, vcpus: "two" }, ["vcpus"]],
      ["negative vcpus", { ...python, vcpus: -1 }, ["vcpus"]],
      ["a fractional memory size", { ...python, memoryMiB: 1.5 }, ["memoryMiB"]],
      ["an empty command", { ...python, command: [] }, ["command"]],
      ["a non-string argument", { ...python, command: ["echo", 3] }, ["command[1]"]],
      ["a misspelt field", { ...python, timeoutS: undefined, timeout: 60 }, ["timeoutS", "timeout"]],
      ["two bad fields at once", { ...python, vcpus: 0, diskMiB: -5 }, ["vcpus", "diskMiB"]],
      ["an array for a body", [python], ["(body)"]]
    ]
    for (const [what, body, fields] of invalid) {
      it.effect(`answers 400 naming the field for ${what}`, () =>
        Effect.gen(function* () {
          const reply = yield* call("POST", "/api/jobs", body)
          expect(reply.status).toBe(400)
          expect(reply.body.error).toBe("InvalidRequest")
          expect([...reply.body.fields].sort()).toEqual([...fields].sort())
          for (const field of fields) expect(reply.body.message).toContain(field)
        }))
    }

    it.effect("answers 400 for a body that is not JSON, and accepts nothing", () =>
      Effect.gen(function* () {
        const before = (yield* call("GET", "/api/jobs")).body.jobs.length
        const reply = yield* call("POST", "/api/jobs", undefined, "{ image: python")
        expect(reply.status).toBe(400)
        expect(reply.body).toEqual({ error: "MalformedBody", message: "the request body is not valid JSON" })
        expect((yield* call("GET", "/api/jobs")).body.jobs.length).toBe(before)
      }))

    it.effect("answers 413 for a body larger than a submission can be, and accepts nothing", () =>
      Effect.gen(function* () {
        const before = (yield* call("GET", "/api/jobs")).body.jobs.length
        const reply = yield* call("POST", "/api/jobs", { ...python, command: ["echo", "x".repeat(submitBodyBytesMax)] })
        expect(reply.status).toBe(413)
        expect(reply.body).toMatchObject({ error: "BodyTooLarge", bytesMax: submitBodyBytesMax })
        expect((yield* call("GET", "/api/jobs")).body.jobs.length).toBe(before)
      }))

    it.effect("answers 400 naming the id for a job id that is not a number", () =>
      Effect.gen(function* () {
        const reply = yield* call("GET", "/api/jobs/abc")
        expect(reply.status).toBe(400)
        expect(reply.body.fields).toEqual(["id"])
      }))
  })
})
