// The cluster API over real HTTP on an ephemeral port, backed by the in-memory stub ClusterApi:
// authentication, ownership, input validation and the mapping of every typed failure.
import { request as httpRequest } from "node:http"
import { HttpServer } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { ClusterApi } from "./ClusterApi.ts"
import { objectBodyBytesMax, submitBodyBytesMax } from "./routes.ts"
import { layerServeCluster, serveCluster } from "./serve.ts"
import { makeStubClusterApi } from "./stubClusterApi.ts"

const stub = makeStubClusterApi({
  users: [
    { name: "operator", token: "op-token", operator: true },
    { name: "alice", token: "alice-token" },
    { name: "bob", token: "bob-token" },
    { name: "poor", token: "poor-token", balanceCredits: 0.01 }
  ]
})

const server = layerServeCluster({ port: 0 }).pipe(Layer.provide(stub.layer))

interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: any
  readonly bytes: Uint8Array
}

interface CallOptions {
  readonly token?: string | null
  readonly authorization?: string
  readonly json?: unknown
  readonly raw?: string | Uint8Array
}

const baseUrl = HttpServer.addressWith((address) =>
  address._tag === "TcpAddress" ? Effect.succeed(`http://127.0.0.1:${address.port}`) : Effect.dieMessage("expected a TCP address"))

const call = (method: string, path: string, options: CallOptions = {}) =>
  Effect.flatMap(baseUrl, (base) =>
    Effect.promise(async (): Promise<Reply> => {
      const headers: Record<string, string> = {}
      const token = options.token === undefined ? "alice-token" : options.token
      if (options.authorization !== undefined) headers["authorization"] = options.authorization
      else if (token !== null) headers["authorization"] = `Bearer ${token}`
      if (options.json !== undefined) headers["content-type"] = "application/json"
      const body = options.json !== undefined ? JSON.stringify(options.json) : options.raw
      const response = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) })
      const bytes = new Uint8Array(await response.arrayBuffer())
      const text = new TextDecoder().decode(bytes)
      const isJson = (response.headers.get("content-type") ?? "").includes("json")
      return { status: response.status, headers: response.headers, body: isJson && text !== "" ? JSON.parse(text) : text, bytes }
    }))

const python = {
  image: "python",
  command: ["python3", "-c", "print(6*7)"],
  vcpus: 1,
  memoryMiB: 256,
  timeoutS: 60
}

/** A key that needs slashes and percent-encoding to travel in a path. */
const encodeKey = (key: string) => key.split("/").map(encodeURIComponent).join("/")

describe("cluster API over HTTP", () => {
  layer(server)((it) => {
    it.effect("answers the health check without a token", () =>
      Effect.gen(function* () {
        const reply = yield* call("GET", "/api/health", { token: null })
        expect([reply.status, reply.body]).toEqual([200, { status: "ok" }])
      }))

    it.effect("serves the portal's page at / (the address `live up` prints as the portal's)", () =>
      Effect.gen(function* () {
        const reply = yield* call("GET", "/", { token: null })
        expect(reply.status).toBe(200)
        expect(reply.headers.get("content-type")).toMatch(/text\/html/)
        expect(reply.body).toContain("<cc-portal>")
      }))

    const refusals: ReadonlyArray<[string, CallOptions, RegExp]> = [
      ["no Authorization header", { token: null }, /no Authorization header/],
      ["another scheme", { authorization: "Basic YWxpY2U6cHc=" }, /Bearer <token>/],
      ["an empty bearer", { authorization: "Bearer " }, /Bearer <token>/],
      ["an unknown token", { token: "forged" }, /not known/]
    ]
    for (const [what, options, reason] of refusals) {
      it.effect(`refuses ${what} with 401 on every API route`, () =>
        Effect.gen(function* () {
          const before = stub.control.jobCount()
          for (const [method, path] of [["GET", "/api/jobs"], ["POST", "/api/jobs"], ["GET", "/api/jobs/0"], ["PUT", "/api/objects/data/x"], ["GET", "/api/buckets"], ["GET", "/api/nodes"], ["GET", "/api/credits"], ["POST", "/api/nodes/join-token"], ["POST", "/api/users"]] as const) {
            const reply = yield* call(method, path, { ...options, ...(method === "POST" && path === "/api/jobs" ? { json: python } : {}) })
            expect(reply.status, `${method} ${path}`).toBe(401)
            expect(reply.body.error).toBe("Unauthenticated")
            expect(reply.body.message).toMatch(reason)
            expect(reply.headers.get("www-authenticate")).toBe("Bearer")
          }
          expect(stub.control.jobCount()).toBe(before)
        }))
    }

    it.effect("submits a job, shows it, lists it newest first, shows its logs and cancels it", () =>
      Effect.gen(function* () {
        const submitted = yield* call("POST", "/api/jobs", { json: python })
        expect(submitted.status).toBe(201)
        expect(submitted.body).toMatchObject({ ...python, owner: "alice", state: "queued", diskMiB: 64 })
        const id = submitted.body.id
        expect(yield* call("GET", `/api/jobs/${id}`)).toMatchObject({ status: 200, body: submitted.body })

        const second = yield* call("POST", "/api/jobs", { json: { ...python, command: ["true"], env: { A: "1" }, network: true } })
        expect(second.status).toBe(201)
        const list = yield* call("GET", "/api/jobs")
        expect(list.status).toBe(200)
        const ids = list.body.jobs.map((j: any) => j.id)
        expect(ids.indexOf(second.body.id)).toBeLessThan(ids.indexOf(id))
        expect(list.body.jobs.every((j: any) => j.owner === "alice")).toBe(true)

        stub.control.appendLogs(id, { stdout: "42\n", stderr: "warn\n" })
        expect(yield* call("GET", `/api/jobs/${id}/logs`)).toMatchObject({ status: 200, body: { stdout: "42\n", stderr: "warn\n" } })

        const cancelled = yield* call("POST", `/api/jobs/${id}/cancel`)
        expect(cancelled.status).toBe(200)
        expect(cancelled.body.state).toBe("cancelled")
        expect((yield* call("GET", `/api/jobs/${id}`)).body.state).toBe("cancelled")
      }))

    it.effect("answers 404 for another user's job, as for one that does not exist", () =>
      Effect.gen(function* () {
        const alices = (yield* call("POST", "/api/jobs", { json: python })).body.id
        for (const path of [`/api/jobs/${alices}`, `/api/jobs/${alices}/logs`]) {
          const reply = yield* call("GET", path, { token: "bob-token" })
          expect(reply.status).toBe(404)
          expect(reply.body).toEqual({ error: "UnknownJob", message: `unknown job ${alices}`, jobId: alices })
        }
        expect((yield* call("POST", `/api/jobs/${alices}/cancel`, { token: "bob-token" })).status).toBe(404)
        expect((yield* call("GET", `/api/jobs/${alices}`)).body.state).toBe("queued")
        expect((yield* call("GET", "/api/jobs", { token: "bob-token" })).body.jobs.map((j: any) => j.id)).not.toContain(alices)
        expect((yield* call("GET", "/api/jobs/999999")).body.error).toBe("UnknownJob")
      }))

    it.effect("maps refusals of a submission: 422 unsatisfiable, 402 insufficient credits, 422 unreadable input", () =>
      Effect.gen(function* () {
        const large = yield* call("POST", "/api/jobs", { json: { ...python, vcpus: 64 } })
        expect(large.status).toBe(422)
        expect(large.body).toMatchObject({ error: "JobUnsatisfiable", vcpus: 64, reason: "no enrolled node is that large" })

        const poor = yield* call("POST", "/api/jobs", { token: "poor-token", json: { ...python, timeoutS: 3600 } })
        expect(poor.status).toBe(402)
        expect(poor.body).toMatchObject({ error: "InsufficientCredits", account: "user:poor", balanceCredits: 0.01, amountCredits: 3.6 })
        expect(poor.body.message).toMatch(/0.01 credits/)

        const input = yield* call("POST", "/api/jobs", { json: { ...python, inputs: [{ bucket: "nowhere", key: "data.csv" }] } })
        expect(input.status).toBe(422)
        expect(input.body).toMatchObject({ error: "InvalidJobInput", field: "inputs[0]" })
      }))

    const invalid: ReadonlyArray<[string, unknown, ReadonlyArray<string>]> = [
      ["a missing field", { ...python, timeoutS: undefined }, ["timeoutS"]],
      ["an image that does not exist", { ...python, image: "docker" }, ["image"]],
      ["a wrong type", { ...python, vcpus: "two" }, ["vcpus"]],
      ["negative vcpus", { ...python, vcpus: -1 }, ["vcpus"]],
      ["a fractional memory size", { ...python, memoryMiB: 1.5 }, ["memoryMiB"]],
      ["an empty command", { ...python, command: [] }, ["command"]],
      ["a non-string argument", { ...python, command: ["echo", 3] }, ["command[1]"]],
      ["a non-string env value", { ...python, env: { A: 1 } }, ["env.A"]],
      ["an input without a key", { ...python, inputs: [{ bucket: "b" }] }, ["inputs[0].key"]],
      ["a misspelt field", { ...python, timeoutS: undefined, timeout: 60 }, ["timeoutS", "timeout"]],
      ["an owner (the token says who)", { ...python, owner: "bob" }, ["owner"]],
      ["two bad fields at once", { ...python, vcpus: 0, diskMiB: -5 }, ["vcpus", "diskMiB"]],
      ["an array for a body", [python], ["(body)"]]
    ]
    for (const [what, body, fields] of invalid) {
      it.effect(`answers 400 naming the field for ${what}, and accepts nothing`, () =>
        Effect.gen(function* () {
          const before = stub.control.jobCount()
          const reply = yield* call("POST", "/api/jobs", { json: body })
          expect(reply.status).toBe(400)
          expect(reply.body.error).toBe("InvalidRequest")
          expect([...reply.body.fields].sort()).toEqual([...fields].sort())
          for (const field of fields) expect(reply.body.message).toContain(field)
          expect(stub.control.jobCount()).toBe(before)
        }))
    }

    it.effect("answers 400 for a body that is not JSON and 413 for one larger than a submission", () =>
      Effect.gen(function* () {
        const before = stub.control.jobCount()
        const notJson = yield* call("POST", "/api/jobs", { raw: "{ image: python" })
        expect([notJson.status, notJson.body]).toEqual([400, { error: "MalformedBody", message: "the request body is not valid JSON" }])
        const large = yield* call("POST", "/api/jobs", { json: { ...python, command: ["echo", "x".repeat(submitBodyBytesMax)] } })
        expect(large.status).toBe(413)
        expect(large.body).toMatchObject({ error: "BodyTooLarge", bytesMax: submitBodyBytesMax })
        expect(stub.control.jobCount()).toBe(before)
      }))

    it.effect("answers 400 naming the id for a job id that is not a number, and 404 for an unknown route", () =>
      Effect.gen(function* () {
        const reply = yield* call("GET", "/api/jobs/abc")
        expect([reply.status, reply.body.fields]).toEqual([400, ["id"]])
        const route = yield* call("GET", "/api/nope")
        expect([route.status, route.body.error]).toEqual([404, "NotFound"])
      }))

    it.effect("answers 400 naming each query parameter a route does not take", () =>
      Effect.gen(function* () {
        for (const path of ["/api/buckets?bogus=1", "/api/nodes?bogus=1&also=2", "/api/credits?bogus", "/api/tokens?x=1", "/api/auth/me?x=1"]) {
          const reply = yield* call("GET", path)
          expect([reply.status, reply.body.fields], path).toEqual([400, [...new URL(path, "http://x").searchParams.keys()]])
        }
      }))

    it.effect("stores and returns an object whose key has slashes and characters that need encoding", () =>
      Effect.gen(function* () {
        const key = "runs/2024 q1/ü+résumé?#.bin"
        const data = new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => (i * 31 + (i >> 8)) & 0xff)
        const put = yield* call("PUT", `/api/objects/data/${encodeKey(key)}`, { raw: data })
        expect(put.status).toBe(201)
        expect(put.body).toMatchObject({ bucket: "data", key, sizeBytes: data.length })

        const get = yield* call("GET", `/api/objects/data/${encodeKey(key)}`)
        expect(get.status).toBe(200)
        expect(get.headers.get("content-type")).toBe("application/octet-stream")
        expect(Buffer.from(get.bytes).equals(Buffer.from(data))).toBe(true)

        const meta = yield* call("GET", `/api/objects/data/${encodeKey(key)}?meta=1`)
        expect([meta.status, meta.body]).toEqual([200, put.body])
        const head = yield* call("HEAD", `/api/objects/data/${encodeKey(key)}`)
        expect(head.status).toBe(200)
        expect(head.headers.get("content-length")).toBe(String(data.length))
        expect(head.headers.get("x-content-sha256")).toBe(put.body.contentSha256)

        yield* call("PUT", "/api/objects/data/runs/other.txt", { raw: "other" })
        yield* call("PUT", "/api/objects/data/top.txt", { raw: "top" })
        const listed = yield* call("GET", `/api/objects/data?prefix=${encodeURIComponent("runs/")}`)
        expect(listed.status).toBe(200)
        expect(listed.body.objects.map((o: any) => o.key)).toEqual([key, "runs/other.txt"].sort())
        expect((yield* call("GET", "/api/objects/data")).body.objects).toHaveLength(3)
        expect((yield* call("GET", "/api/buckets")).body.buckets.map((b: any) => b.name)).toContain("data")

        const deleted = yield* call("DELETE", `/api/objects/data/${encodeKey(key)}`)
        expect(deleted.status).toBe(200)
        const gone = yield* call("GET", `/api/objects/data/${encodeKey(key)}`)
        expect(gone.status).toBe(404)
        expect(gone.body).toMatchObject({ error: "UnknownObject", bucket: "data", key })
        expect((yield* call("HEAD", `/api/objects/data/${encodeKey(key)}`)).status).toBe(404)
      }))

    it.effect("stores an empty object", () =>
      Effect.gen(function* () {
        expect((yield* call("PUT", "/api/objects/data/empty", { raw: new Uint8Array(0) })).body.sizeBytes).toBe(0)
        const get = yield* call("GET", "/api/objects/data/empty")
        expect([get.status, get.bytes.length]).toEqual([200, 0])
      }))

    it.effect("hides another user's bucket, and maps bad names, empty keys and lost objects", () =>
      Effect.gen(function* () {
        yield* call("PUT", "/api/objects/private/secret.txt", { raw: "mine" })
        for (const [method, path] of [["GET", "/api/objects/private/secret.txt"], ["GET", "/api/objects/private"], ["DELETE", "/api/objects/private/secret.txt"], ["PUT", "/api/objects/private/x"]] as const) {
          const reply = yield* call(method, path, { token: "bob-token", raw: method === "PUT" ? "x" : undefined })
          expect(reply.status, `${method} ${path}`).toBe(404)
          expect(reply.body).toMatchObject({ error: "UnknownBucket", bucket: "private" })
        }
        expect((yield* call("GET", "/api/buckets", { token: "bob-token" })).body.buckets.map((b: any) => b.name)).not.toContain("private")

        const badName = yield* call("PUT", "/api/objects/Bad_Name/x", { raw: "x" })
        expect(badName.status).toBe(400)
        expect(badName.body).toMatchObject({ error: "InvalidStorageInput", field: "bucket" })

        const emptyKey = yield* call("PUT", "/api/objects/private/", { raw: "x" })
        expect(emptyKey.status).toBe(400)
        expect(emptyKey.body.fields).toEqual(["key"])
        // A trailing slash on a bucket is its listing.
        expect((yield* call("GET", "/api/objects/private/")).body.objects.map((o: any) => o.key)).toEqual(["secret.txt"])

        stub.control.loseObject("private", "secret.txt")
        const lost = yield* call("GET", "/api/objects/private/secret.txt")
        expect(lost.status).toBe(503)
        expect(lost.body).toMatchObject({ error: "ObjectUnavailable", bucket: "private", key: "secret.txt", k: 4 })

        const unknownQuery = yield* call("GET", "/api/objects/private?prefx=a")
        expect([unknownQuery.status, unknownQuery.body.fields]).toEqual([400, ["prefx"]])
      }))

    it.effect("answers 413 before reading an object larger than a PUT may carry", () =>
      Effect.flatMap(baseUrl, (base) =>
        Effect.promise(() =>
          new Promise<void>((resolve, reject) => {
            const request = httpRequest(`${base}/api/objects/data/huge`, {
              method: "PUT",
              headers: { authorization: "Bearer alice-token", "content-length": String(objectBodyBytesMax + 1) }
            }, (response) => {
              const chunks: Array<Buffer> = []
              response.on("data", (c: Buffer) => chunks.push(c))
              response.on("end", () => {
                try {
                  expect(response.statusCode).toBe(413)
                  expect(JSON.parse(Buffer.concat(chunks).toString())).toMatchObject({ error: "BodyTooLarge", bytesMax: objectBodyBytesMax })
                  request.destroy()
                  resolve()
                } catch (e) {
                  reject(e)
                }
              })
            })
            request.on("error", () => {})
            request.write("only the start")
          })
        ).pipe(Effect.zipRight(Effect.gen(function* () {
          expect((yield* call("GET", "/api/objects/data/huge")).status).toBe(404)
        })))))

    it.effect("shows nodes and credits", () =>
      Effect.gen(function* () {
        const nodes = yield* call("GET", "/api/nodes")
        expect(nodes.status).toBe(200)
        expect(nodes.body.nodes.map((n: any) => n.id)).toEqual([0, 1, 2])
        const credits = yield* call("GET", "/api/credits", { token: "bob-token" })
        expect([credits.status, credits.body.user, credits.body.balanceCredits]).toEqual([200, "bob", 100])
      }))

    it.effect("lets only the operator create join tokens and users; a new user's token works", () =>
      Effect.gen(function* () {
        const token = yield* call("POST", "/api/nodes/join-token", { token: "op-token" })
        expect(token.status).toBe(201)
        expect(typeof token.body.token).toBe("string")
        const refused = yield* call("POST", "/api/nodes/join-token")
        expect(refused.status).toBe(403)
        expect(refused.body).toMatchObject({ error: "Forbidden", message: "only the cluster operator may create join tokens" })

        const user = yield* call("POST", "/api/users", { token: "op-token", json: { name: "carol" } })
        expect(user.status).toBe(201)
        expect(user.body.user).toBe("carol")
        const carols = yield* call("GET", "/api/credits", { token: user.body.token })
        expect([carols.status, carols.body.user]).toEqual([200, "carol"])

        expect((yield* call("POST", "/api/users", { json: { name: "mallory" } })).status).toBe(403)
        const noName = yield* call("POST", "/api/users", { token: "op-token", json: { nam: "x" } })
        expect([noName.status, [...noName.body.fields].sort()]).toEqual([400, ["nam", "name"]])
        const again = yield* call("POST", "/api/users", { token: "op-token", json: { name: "carol" } })
        expect([again.status, again.body.error, again.body.field]).toEqual([422, "InvalidJobInput", "name"])
      }))
  })
})

describe("serveCluster", () => {
  it.effect("serves on a free port, reports it, and stops when its scope closes", () =>
    Effect.gen(function* () {
      const served = yield* Effect.scoped(Effect.gen(function* () {
        const at = yield* serveCluster({ port: 0 })
        expect(at.port).toBeGreaterThan(0)
        expect(at.url).toBe(`http://127.0.0.1:${at.port}`)
        const reply = yield* Effect.promise(() => fetch(`${at.url}/api/credits`, { headers: { authorization: "Bearer bob-token" } }).then((r) => r.json() as Promise<{ user: string }>))
        expect(reply.user).toBe("bob")
        return at
      })).pipe(Effect.provide(stub.layer))
      const after = yield* Effect.promise(() => fetch(`${served.url}/api/health`).then(() => "answered", () => "refused"))
      expect(after).toBe("refused")
    }))

  it.effect("answers a defect in the port with a 500 that gives nothing away", () =>
    Effect.scoped(Effect.gen(function* () {
      const broken = ClusterApi.of({ ...stub.api, nodes: () => Effect.die(new Error("secret internals")) })
      const at = yield* serveCluster({ port: 0 }).pipe(Effect.provideService(ClusterApi, broken), Effect.provide(stub.layer))
      const reply = yield* Effect.promise(() =>
        fetch(`${at.url}/api/nodes`, { headers: { authorization: "Bearer bob-token" } }).then(async (r) => ({ status: r.status, text: await r.text() })))
      expect(reply.status).toBe(500)
      expect(JSON.parse(reply.text).error).toBe("InternalError")
      expect(reply.text).not.toContain("secret")
    }).pipe(Logger.withMinimumLogLevel(LogLevel.None))))
})
