// The explorer's server over real HTTP: lists runs, serves only result files, refuses the rest.
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type ExplorerServer, startExplorer } from "./serve.ts"

let root = ""
let server: ExplorerServer

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-serve-"))
  fs.mkdirSync(path.join(root, "good"))
  fs.writeFileSync(path.join(root, "good", "summary.json"), JSON.stringify({ scenario: "s", seed: 3, version: "v", policies: { fcfs: {} } }))
  fs.writeFileSync(path.join(root, "good", "timeseries.csv"), "policy,time_s\n")
  fs.writeFileSync(path.join(root, "good", "secret.txt"), "not for you")
  fs.mkdirSync(path.join(root, "broken"))
  fs.writeFileSync(path.join(root, "broken", "summary.json"), "{")
  fs.mkdirSync(path.join(root, "not-a-run"))
  server = await startExplorer({ results: root })
})

afterAll(() => server.close())

const get = (p: string, init?: RequestInit) => fetch(new URL(p, server.url), init)

describe("explorer server", () => {
  it("lists the runs of a results directory, with a readable error for a broken one", async () => {
    const runs = await (await get("api/runs")).json()
    expect(runs).toEqual([
      { name: "broken", error: expect.stringMatching(/^summary\.json: /) },
      { name: "good", scenario: "s", seed: 3, version: "v", policies: ["fcfs"] }
    ])
  })

  it("serves a run's result files and nothing else", async () => {
    const summary = await get("runs/good/summary.json")
    expect(summary.status).toBe(200)
    expect(summary.headers.get("content-type")).toMatch(/application\/json/)
    expect((await get("runs/good/timeseries.csv")).status).toBe(200)
    expect((await get("runs/good/distributions.json")).status).toBe(404)
    expect((await get("runs/good/secret.txt")).status).toBe(404)
    expect((await get("runs/nope/summary.json")).status).toBe(404)
    expect((await get("runs/good/..%2F..%2F..%2Fetc%2Fpasswd")).status).toBe(404)
    expect((await get("runs/%2E%2E/good/summary.json")).status).toBe(404)
    // Whatever comes back (the page, or 404), it is never the host's file.
    expect(await (await get("../../../etc/passwd")).text()).not.toMatch(/root:/)
    expect(await (await get("%2E%2E/%2E%2E/%2E%2E/etc/passwd")).text()).not.toMatch(/root:/)
    expect((await get("api/runs", { method: "POST" })).status).toBe(405)
  })

  it("treats a single run directory as a one-run list", async () => {
    const single = await startExplorer({ results: path.join(root, "good") })
    try {
      const runs = await (await fetch(new URL("api/runs", single.url))).json()
      expect(runs.map((r: { name: string }) => r.name)).toEqual(["good"])
    } finally {
      await single.close()
    }
  })
})
