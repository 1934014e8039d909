// @vitest-environment happy-dom
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { FakeApi, job, me } from "../testing.ts"
import { objectPath, PortalClient, run } from "./client.ts"

describe("PortalClient", () => {
  it("sends the session cookie always and the CSRF token on POST, PUT and DELETE only", async () => {
    const api = new FakeApi()
      .on("GET /api/jobs", { json: { jobs: [] } })
      .on("POST /api/jobs", { status: 201, json: job(1, "queued") })
      .on("PUT /api/objects/in/a b/c.txt", { status: 201, json: { bucket: "in", key: "a b/c.txt", sizeBytes: 1, contentSha256: "x", createdAtMs: 1, healthyShards: 3, k: 2, n: 3 } })
      .on("DELETE /api/tokens/7", { status: 204 })
    const client = api.client()
    await run(client.jobs("all"))
    await run(client.submitJob({ image: "python", command: ["true"], vcpus: 1, memoryMiB: 64, diskMiB: 64, timeoutS: 5, inputs: [], replicas: 1 }))
    await run(client.putObject("in", "a b/c.txt", new Blob(["x"])))
    await run(client.deleteToken(7))
    expect(api.requests.map((r) => [r.method, r.path, r.credentials, r.headers["x-csrf-token"]])).toEqual([
      ["GET", "/api/jobs?scope=all", "same-origin", undefined],
      ["POST", "/api/jobs", "same-origin", "csrf-1"],
      ["PUT", "/api/objects/in/a%20b/c.txt", "same-origin", "csrf-1"],
      ["DELETE", "/api/tokens/7", "same-origin", "csrf-1"]
    ])
    expect(api.requests[1]?.headers["content-type"]).toBe("application/json")
  })

  it("takes the CSRF token from /api/auth/me and from a login, and drops it at logout", async () => {
    const api = new FakeApi()
      .on("GET /api/auth/me", { json: { ...me, csrfToken: "from-me" } })
      .on("POST /api/auth/login", { json: { ...me, csrfToken: "from-login" } })
      .on("POST /api/auth/logout", { status: 204 })
    const client = api.client()
    client.csrfToken = null
    await run(client.me())
    expect(client.csrfToken).toBe("from-me")
    await run(client.login("alice", "secret-pw"))
    expect(client.csrfToken).toBe("from-login")
    expect(api.to("POST /api/auth/login")[0]?.body).toEqual({ login: "alice", password: "secret-pw" })
    await run(client.logout())
    expect(api.to("POST /api/auth/logout")[0]?.headers["x-csrf-token"]).toBe("from-login")
    expect(client.csrfToken).toBeNull()
  })

  it("calls onUnauthenticated on a 401, except from the auth routes (a wrong password is the form's business)", async () => {
    let redirects = 0
    const api = new FakeApi()
      .on("GET /api/jobs", { status: 401, json: { error: "Unauthenticated", message: "not authenticated: no session" } })
      .on("POST /api/auth/login", { status: 401, json: { error: "Unauthenticated", message: "wrong name or password" } })
    const client = api.client(() => redirects++)
    const jobs = await run(client.jobs())
    expect(Either.isLeft(jobs) && jobs.left.status).toBe(401)
    expect(redirects).toBe(1)
    await run(client.login("alice", "nope"))
    expect(redirects).toBe(1)
  })

  it("reads a 400's fields in both shapes (names with issues, or field/message pairs)", async () => {
    const api = new FakeApi()
      .on("POST /api/jobs", {
        status: 400,
        json: { error: "InvalidRequest", message: "invalid request body: vcpus: Expected a positive number", fields: ["vcpus", "command[0]"], issues: [{ field: "vcpus", message: "Expected a positive number, actual 0" }] }
      })
      .on("POST /api/auth/signup", { status: 409, json: { error: "NameTaken", message: "the name alice is taken", fields: [{ field: "name", message: "already taken" }] } })
    const client = api.client()
    const submitted = await run(client.submitJob({ image: "python", command: [""], vcpus: 0, memoryMiB: 1, diskMiB: 0, timeoutS: 1, inputs: [], replicas: 1 }))
    if (Either.isRight(submitted)) throw new Error("expected a refusal")
    expect(submitted.left.fields).toEqual({ vcpus: "Expected a positive number, actual 0", "command[0]": "invalid request body: vcpus: Expected a positive number" })
    const signup = await run(client.signup({ kind: "personal", name: "alice", email: "a@b.co", password: "12345678" }))
    if (Either.isRight(signup)) throw new Error("expected a refusal")
    expect(signup.left.fields).toEqual({ name: "already taken" })
    expect(signup.left.message).toBe("the name alice is taken")
  })

  it("puts a refusal's single `field` (a taken name, a bad bucket) beside that field", async () => {
    const api = new FakeApi().on("POST /api/auth/signup", { status: 409, json: { error: "EmailTaken", message: "an account with the email a@b.co exists already", field: "email", email: "a@b.co" } })
    const signup = await run(api.client().signup({ kind: "personal", name: "alice", email: "a@b.co", password: "12345678" }))
    if (Either.isRight(signup)) throw new Error("expected a refusal")
    expect(signup.left.fields).toEqual({ email: "an account with the email a@b.co exists already" })
  })

  it("keeps a refusal's facts (402 amounts) and a 429's Retry-After", async () => {
    const api = new FakeApi()
      .on("POST /api/jobs", { status: 402, json: { error: "InsufficientCredits", message: "short", account: "user:org.acme", balanceCredits: 1, amountCredits: 5 } })
      .on("POST /api/auth/login", { status: 429, json: { error: "TooManyAttempts", message: "slow down" }, headers: { "retry-after": "30" } })
    const client = api.client()
    const paid = await run(client.submitJob({ image: "python", command: ["x"], vcpus: 1, memoryMiB: 1, diskMiB: 0, timeoutS: 1, inputs: [], replicas: 1 }))
    if (Either.isRight(paid)) throw new Error("expected a refusal")
    expect(paid.left).toMatchObject({ status: 402, error: "InsufficientCredits", facts: { balanceCredits: 1, amountCredits: 5 } })
    const login = await run(client.login("a", "b"))
    if (Either.isRight(login)) throw new Error("expected a refusal")
    expect(login.left.retryAfterS).toBe(30)
  })

  it("turns a reply of the wrong shape, a non-JSON error and a network failure into errors that say so", async () => {
    const api = new FakeApi().on("GET /api/jobs", { json: { jobs: [{ id: "not a job" }] } })
    const bad = await run(api.client().jobs())
    expect(Either.isLeft(bad) && bad.left.error).toBe("UnexpectedReply")
    expect(Either.isLeft(bad) && bad.left.message).toMatch(/GET \/api\/jobs answered in a shape/)
    const down = await run(new PortalClient({ fetch: () => Promise.reject(new Error("ECONNREFUSED")) }).jobs())
    expect(Either.isLeft(down) && down.left).toMatchObject({ status: 0, error: "NetworkError" })
    const html = await run(new PortalClient({ fetch: async () => new Response("<h1>Bad gateway</h1>", { status: 502 }) }).jobs())
    expect(Either.isLeft(html) && html.left).toMatchObject({ status: 502, error: "Http502" })
  })

  it("encodes each object key segment and keeps the slashes", () => {
    expect(objectPath("my-outputs", "job-3/out put.txt")).toBe("/api/objects/my-outputs/job-3/out%20put.txt")
    expect(objectPath("b", "a?b#c")).toBe("/api/objects/b/a%3Fb%23c")
  })
})
