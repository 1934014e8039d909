// The CLI as a real child process against the real routes over the in-memory stub ClusterApi.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { mkdir } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { HttpServer } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fc from "fast-check"
import type { UserId } from "../../core/domain/ids.ts"
import { personalPrincipal } from "../api/Principal.ts"
import { layerServeCluster } from "../api/serve.ts"
import { makeStubClusterApi } from "../api/stubClusterApi.ts"
import { agentFlagsWithDefaults } from "./agentCommand.ts"
import { parseInput } from "./jobCommands.ts"
import { splitAddress } from "./objectCommands.ts"
import { type CliRunOptions, runCli } from "./runCli.testSupport.ts"

const stub = makeStubClusterApi({
  users: [
    { name: "operator", token: "op-token", operator: true },
    { name: "alice", token: "alice-token" },
    { name: "bob", token: "bob-token" }
  ]
})
const alice = personalPrincipal("alice" as UserId)
const server = layerServeCluster({ port: 0 }).pipe(Layer.provide(stub.layer))

const home = mkdtempSync(join(tmpdir(), "crowdcloud-cli-"))
const apiUrl = HttpServer.addressWith((a) => a._tag === "TcpAddress" ? Effect.succeed(`http://127.0.0.1:${a.port}`) : Effect.dieMessage("not TCP"))

/** The CLI as alice, configured by environment; `env` adds or removes variables. */
const cli = (args: ReadonlyArray<string>, options: CliRunOptions = {}) =>
  Effect.flatMap(apiUrl, (api) =>
    Effect.promise(() => runCli(args, { ...options, env: { CROWDCLOUD_HOME: home, CROWDCLOUD_API: api, CROWDCLOUD_TOKEN: "alice-token", ...options.env } })))

const later = (ms: number, f: () => void) => () => new Promise<void>((resolve) => setTimeout(() => (f(), resolve()), ms))

describe("crowdcloud CLI against the API", () => {
  layer(server, { timeout: 120_000 })((it) => {
    it.effect("job submit prints a line about the job, then its id alone on the last line", () =>
      Effect.gen(function* () {
        yield* cli(["object", "put", "-", "inputs/data.csv"], { stdin: new TextEncoder().encode("1,2\n") })
        const run = yield* cli([
          "job", "submit", "--image", "python", "--cpus", "1", "--memory", "256", "--timeout", "60",
          "--env", "GREETING=hello=world", "--input", "inputs/data.csv:in.csv", "--network", "--", "python3", "-c", "print(6*7)"
        ])
        expect(run.stderr).toBe("")
        expect(run.code).toBe(0)
        expect(run.lines.length).toBeGreaterThanOrEqual(2)
        const id = run.lines.at(-1)!
        expect(id).toMatch(/^\d+$/)
        expect(run.lines[0]).toContain(`job ${id}`)
        const job = yield* stub.api.job(alice, Number(id))
        expect(job).toMatchObject({ image: "python", command: ["python3", "-c", "print(6*7)"], vcpus: 1, memoryMiB: 256, diskMiB: 64, timeoutS: 60, state: "queued" })
      }))

    it.effect("job status --json prints the job with its state; job list, cancel and wait follow it", () =>
      Effect.gen(function* () {
        const id = Number((yield* cli(["job", "submit", "--image", "busybox", "--", "sh", "-c", "exit 3"])).lines.at(-1))
        const queued = yield* cli(["job", "status", String(id), "--json"])
        expect(queued.code).toBe(0)
        expect(JSON.parse(queued.stdout)).toMatchObject({ id, state: "queued", image: "busybox" })

        stub.control.setJob(id, { state: "failed", exitCode: 3, node: 1 as never, reason: "exit code 3" })
        const failed = yield* cli(["job", "status", String(id)])
        expect(failed.lines[0]).toBe(`job ${id} failed on node 1 exit code 3: exit code 3`)
        const waitFailed = yield* cli(["job", "wait", String(id)])
        expect([waitFailed.code, waitFailed.lines.at(-1)]).toEqual([1, `job ${id} failed on node 1 exit code 3: exit code 3`])

        const list = yield* cli(["job", "list", "--json"])
        expect(JSON.parse(list.stdout).map((j: any) => j.id)).toContain(id)
        expect((yield* cli(["job", "list"])).stdout).toMatch(new RegExp(`^${id}\\s+failed\\s+busybox`, "m"))

        const other = Number((yield* cli(["job", "submit", "--image", "busybox", "--", "true"])).lines.at(-1))
        const cancel = yield* cli(["job", "cancel", String(other)])
        expect([cancel.code, cancel.stdout]).toEqual([0, `job ${other} cancelled\n`])
        expect((yield* stub.api.job(alice, other)).state).toBe("cancelled")
      }))

    it.effect("job wait exits 0 once the job succeeds, and 1 when it is still running at its timeout", () =>
      Effect.gen(function* () {
        const id = Number((yield* cli(["job", "submit", "--image", "busybox", "--", "true"])).lines.at(-1))
        const timedOut = yield* cli(["job", "wait", String(id), "--timeout", "1"])
        expect([timedOut.code, timedOut.stderr.trim()]).toEqual([1, `error: job ${id} is still queued after 1 s`])
        stub.control.setJob(id, { state: "running" })
        const waited = yield* cli(["job", "wait", String(id), "--timeout", "60"], {
          whileRunning: later(1500, () => stub.control.setJob(id, { state: "succeeded", exitCode: 0 }))
        })
        expect([waited.code, waited.lines.at(-1)]).toEqual([0, `job ${id} succeeded exit code 0`])
      }))

    it.effect("job logs prints stdout and stderr; --follow prints what arrives until the job ends", () =>
      Effect.gen(function* () {
        const id = Number((yield* cli(["job", "submit", "--image", "busybox", "--", "true"])).lines.at(-1))
        stub.control.setJob(id, { state: "running" })
        stub.control.appendLogs(id, { stdout: "one\n", stderr: "warning\n" })
        const now = yield* cli(["job", "logs", String(id)])
        expect([now.code, now.stdout, now.stderr]).toEqual([0, "one\n", "warning\n"])
        const followed = yield* cli(["job", "logs", String(id), "--follow"], {
          whileRunning: async () => {
            await later(1200, () => stub.control.appendLogs(id, { stdout: "two\n" }))()
            await later(800, () => {
              stub.control.appendLogs(id, { stdout: "three\n" })
              stub.control.setJob(id, { state: "succeeded", exitCode: 0 })
            })()
          }
        })
        expect([followed.code, followed.stdout, followed.stderr]).toEqual([0, "one\ntwo\nthree\n", "warning\n"])
      }))

    it.effect("object put and get round-trip a binary file under a key with slashes; ls and rm", () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "crowdcloud-obj-"))
        const data = Buffer.from(new Uint8Array(1024 * 1024 + 13).map((_, i) => (i * 7919) % 251))
        writeFileSync(join(dir, "in.bin"), data)
        const put = yield* cli(["object", "put", join(dir, "in.bin"), "results/run 1/part/in.bin"])
        expect(put.code).toBe(0)
        expect(put.stdout).toContain("stored results/run 1/part/in.bin (1.0 MiB")

        const toFile = yield* cli(["object", "get", "results/run 1/part/in.bin", join(dir, "out.bin")])
        expect(toFile.code).toBe(0)
        expect(readFileSync(join(dir, "out.bin")).equals(data)).toBe(true)
        const toStdout = yield* cli(["object", "get", "results/run 1/part/in.bin"])
        expect(toStdout.stdoutBytes.equals(data)).toBe(true)

        // No key, or one ending in /: the file's name is appended.
        expect((yield* cli(["object", "put", join(dir, "in.bin"), "results/run 1/"])).code).toBe(0)
        const ls = yield* cli(["object", "ls", "results/run 1/", "--json"])
        expect(JSON.parse(ls.stdout).map((o: any) => o.key)).toEqual(["run 1/in.bin", "run 1/part/in.bin"])
        expect((yield* cli(["object", "ls"])).stdout).toMatch(/^results\s/m)

        expect((yield* cli(["object", "rm", "results/run 1/part/in.bin"])).code).toBe(0)
        const gone = yield* cli(["object", "get", "results/run 1/part/in.bin"])
        expect([gone.code, gone.stderr.trim()]).toEqual([1, `error: no object "run 1/part/in.bin" in bucket "results"`])
      }))

    it.effect("prints API errors as `error: <message>` and exits 1", () =>
      Effect.gen(function* () {
        const badToken = yield* cli(["credits"], { env: { CROWDCLOUD_TOKEN: "forged" } })
        expect([badToken.code, badToken.stderr.trim()]).toEqual([1, "error: not authenticated: the token is not known to this cluster"])
        const bobs = Number((yield* cli(["job", "submit", "--image", "busybox", "--", "true"], { env: { CROWDCLOUD_TOKEN: "bob-token" } })).lines.at(-1))
        const hidden = yield* cli(["job", "status", String(bobs)])
        expect([hidden.code, hidden.stderr.trim()]).toEqual([1, `error: unknown job ${bobs}`])
        const tooLarge = yield* cli(["job", "submit", "--image", "busybox", "--cpus", "64", "--", "true"])
        expect([tooLarge.code, tooLarge.stderr]).toEqual([1, expect.stringMatching(/^error: job needs 64 vCPU/)])
        const notOperator = yield* cli(["users", "add", "mallory"])
        expect([notOperator.code, notOperator.stderr.trim()]).toEqual([1, "error: only the cluster operator may add users"])
        const down = yield* cli(["nodes"], { env: { CROWDCLOUD_API: "http://127.0.0.1:9" } })
        expect([down.code, down.stderr]).toEqual([1, expect.stringMatching(/^error: cannot reach the CrowdCloud API at http:\/\/127.0.0.1:9/)])
      }))

    const usageErrors: ReadonlyArray<[string, ReadonlyArray<string>, RegExp]> = [
      ["no command", [], /crowdcloud: the CrowdCloud command line/],
      ["an unknown command", ["jobs"], /unknown command "jobs"/],
      ["an unknown subcommand", ["job", "statuss", "1"], /unknown job command "statuss"/],
      ["an unknown flag", ["job", "list", "--jsn"], /Unknown option '--jsn'/],
      ["a flag without its value", ["job", "submit", "--image"], /--image/],
      ["a count that is not a number", ["job", "submit", "--image", "python", "--cpus", "two", "--", "true"], /--cpus must be a whole number/],
      ["an image that does not exist", ["job", "submit", "--image", "docker", "--", "true"], /--image must be busybox or python/],
      ["no command after --", ["job", "submit", "--image", "python"], /missing the job's command/],
      ["a command without --", ["job", "submit", "--image", "python", "python3"], /put the job's command after --/],
      ["a malformed --env", ["job", "submit", "--image", "python", "--env", "NOEQUALS", "--", "true"], /--env must be K=V/],
      ["a job id that is not a number", ["job", "status", "seven"], /job id must be a whole number/],
      ["a missing object key", ["object", "get", "bucket"], /expected BUCKET\/KEY/],
      ["a missing argument", ["object", "put", "file"], /missing BUCKET\/KEY/],
      ["live up without --agents", ["live", "up"], /missing --agents/]
    ]
    for (const [what, args, problem] of usageErrors) {
      it.effect(`exits 2 with the usage, before asking the API anything, on ${what}`, () =>
        Effect.gen(function* () {
          const before = stub.control.jobCount()
          // No API configured: usage errors come first.
          const run = yield* cli(args, { env: { CROWDCLOUD_API: undefined, CROWDCLOUD_TOKEN: undefined } })
          expect(run.code).toBe(2)
          expect(run.stderr).toMatch(problem)
          expect(run.stderr).toMatch(/usage: crowdcloud|crowdcloud: the CrowdCloud command line/)
          expect(run.stdout).toBe("")
          expect(stub.control.jobCount()).toBe(before)
        }))
    }

    it.effect("prints a subcommand's usage for --help and exits 0", () =>
      Effect.gen(function* () {
        const help = yield* cli(["job", "submit", "--help"])
        expect([help.code, help.stdout]).toEqual([0, expect.stringContaining("usage: crowdcloud job submit")])
      }))

    it.effect("reads the API and token from cli.json when neither flags nor environment give them; flags win", () =>
      Effect.gen(function* () {
        const api = yield* apiUrl
        const own = join(home, "other-home")
        yield* Effect.promise(() => mkdir(own, { recursive: true }))
        writeFileSync(join(own, "cli.json"), JSON.stringify({ api, token: "bob-token" }))
        const env = { CROWDCLOUD_HOME: own, CROWDCLOUD_API: undefined, CROWDCLOUD_TOKEN: undefined }
        expect(JSON.parse((yield* cli(["credits", "--json"], { env })).stdout).user).toBe("bob")
        expect(JSON.parse((yield* cli(["credits", "--json", "--token", "alice-token"], { env })).stdout).user).toBe("alice")
        const none = yield* cli(["credits"], { env: { ...env, CROWDCLOUD_HOME: join(home, "empty") } })
        expect([none.code, none.stderr]).toEqual([1, expect.stringContaining("error: no API address configured")])
      }))

    it.effect("shows nodes and credits; the operator adds users and makes join tokens", () =>
      Effect.gen(function* () {
        const nodes = yield* cli(["nodes", "--json"])
        expect(JSON.parse(nodes.stdout).map((n: any) => n.id)).toEqual([0, 1, 2])
        expect((yield* cli(["nodes"])).stdout).toMatch(/^2\s+no\s/m)
        expect((yield* cli(["credits"])).stdout).toMatch(/^alice: [\d.]+ credits available/)
        const added = yield* cli(["users", "add", "dave"], { env: { CROWDCLOUD_TOKEN: "op-token" } })
        expect(added.code).toBe(0)
        const daves = yield* cli(["credits", "--json"], { env: { CROWDCLOUD_TOKEN: added.lines.at(-1) } })
        expect(JSON.parse(daves.stdout).user).toBe("dave")
        const token = yield* cli(["nodes", "join-token"], { env: { CROWDCLOUD_TOKEN: "op-token" } })
        expect([token.code, token.lines.at(-1)]).toEqual([0, expect.stringMatching(/^join-/)])
      }))
  })
})

describe("CLI argument helpers", () => {
  const segment = fc.string({ minLength: 1 }).filter((s) => !s.includes("/") && !s.includes(":"))
  it("reads --input BUCKET/KEY[:PATH] back as written", () =>
    fc.assert(fc.property(segment, fc.array(segment, { minLength: 1, maxLength: 3 }), fc.option(segment, { nil: undefined }), (bucket, keyParts, path) => {
      const key = keyParts.join("/")
      expect(parseInput(`${bucket}/${key}${path !== undefined ? `:${path}` : ""}`)).toEqual(path === undefined ? { bucket, key } : { bucket, key, path })
    })))

  it("refuses an --input without a bucket, a key or a path after its colon", () => {
    for (const bad of ["nobucket", "/key", "bucket/", "bucket/key:", "bucket/:path"]) expect(parseInput(bad), bad).toBeUndefined()
  })

  it("splits BUCKET/KEY at the first slash only", () =>
    fc.assert(fc.property(segment, fc.string(), (bucket, key) => {
      expect(splitAddress(`${bucket}/${key}`)).toEqual({ bucket, key })
    })))

  it("gives the agent a data dir under CROWDCLOUD_HOME unless one is given", () => {
    expect(agentFlagsWithDefaults(["--join", "h:1", "--token", "t"]).slice(-2)[0]).toBe("--data-dir")
    expect(agentFlagsWithDefaults(["--data-dir", "/x"])).toEqual(["--data-dir", "/x"])
    expect(agentFlagsWithDefaults(["--data-dir=/x"])).toEqual(["--data-dir=/x"])
  })
})
