// `crowdcloud job submit|status|logs|list|cancel|wait`.
import { Effect } from "effect"
import { isTerminal } from "../../core/domain/lifecycle.ts"
import type { JobLogs, JobView, SubmitJob } from "../api/ClusterApi.ts"
import { connectionFlags, type FlagKind, parse, positionals, requireInt, usageError } from "./args.ts"
import type { Connect } from "./client.ts"
import { type CliError, WaitTimedOut } from "./errors.ts"
import { printJson, say, table, time } from "./output.ts"
import { usage } from "./usage.ts"

/** How often `logs --follow` and `wait` ask again. */
const pollMs = 500

const jobId = (text: string, usageText: string) =>
  /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Effect.succeed(Number(text)) : usageError(`the job id must be a whole number, got ${JSON.stringify(text)}`, usageText)

/** The flags and the one job id of `job status|logs|cancel|wait ID` (usage errors before any API call). */
const jobArgs = (argv: ReadonlyArray<string>, flags: Readonly<Record<string, FlagKind>>, usageText: string) =>
  Effect.gen(function* () {
    const parsed = yield* parse(argv, { ...connectionFlags, ...flags }, usageText)
    const [idText] = yield* positionals(parsed, ["ID"], usageText)
    return { parsed, id: yield* jobId(idText!, usageText) }
  })

/** `--input bucket/key[:path]`: the path, if any, follows the last colon. */
export const parseInput = (text: string): SubmitJob["inputs"][number] | undefined => {
  const slash = text.indexOf("/")
  if (slash <= 0) return undefined
  const bucket = text.slice(0, slash)
  const after = text.slice(slash + 1)
  const colon = after.lastIndexOf(":")
  const key = colon === -1 ? after : after.slice(0, colon)
  const path = colon === -1 ? undefined : after.slice(colon + 1)
  if (key === "" || path === "") return undefined
  return path === undefined ? { bucket, key } : { bucket, key, path }
}

const describeJob = (job: JobView): string => {
  const where = job.node !== null ? ` on node ${job.node}` : ""
  const exit = job.exitCode !== null ? ` exit code ${job.exitCode}` : ""
  const reason = job.reason !== null ? `: ${job.reason}` : ""
  return `job ${job.id} ${job.state}${where}${exit}${reason}`
}

const submit = (connect: Connect, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const u = usage.jobSubmit
    const parsed = yield* parse(argv, { ...connectionFlags, image: "string", cpus: "string", memory: "string", disk: "string", timeout: "string", env: "multiple", input: "multiple", "output-bucket": "string", network: "boolean" }, u)
    const command = parsed.rest ?? []
    if (parsed.positionals.length > 0) return yield* usageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}: put the job's command after --`, u)
    if (command.length === 0) return yield* usageError("missing the job's command: put it after --, e.g. -- python3 -c 'print(6*7)'", u)
    const image = parsed.strings["image"]
    if (image !== "busybox" && image !== "python") return yield* usageError(image === undefined ? "missing --image (busybox or python)" : `--image must be busybox or python, got ${JSON.stringify(image)}`, u)
    const env: Record<string, string> = {}
    for (const pair of parsed.lists["env"] ?? []) {
      const eq = pair.indexOf("=")
      if (eq <= 0) return yield* usageError(`--env must be K=V, got ${JSON.stringify(pair)}`, u)
      env[pair.slice(0, eq)] = pair.slice(eq + 1)
    }
    const inputs = []
    for (const text of parsed.lists["input"] ?? []) {
      const input = parseInput(text)
      if (input === undefined) return yield* usageError(`--input must be BUCKET/KEY[:PATH], got ${JSON.stringify(text)}`, u)
      inputs.push(input)
    }
    const outputBucket = parsed.strings["output-bucket"]
    const request = {
      image,
      command,
      vcpus: yield* requireInt(parsed, "cpus", 1, u, 1),
      memoryMiB: yield* requireInt(parsed, "memory", 1, u, 256),
      diskMiB: yield* requireInt(parsed, "disk", 0, u, 64),
      timeoutS: yield* requireInt(parsed, "timeout", 1, u, 60),
      env,
      inputs,
      network: parsed.booleans["network"] ?? false,
      ...(outputBucket !== undefined ? { outputBucket } : {})
    }
    const client = yield* connect(parsed)
    const job = yield* client.json<JobView>("POST", "/api/jobs", request)
    yield* say(`submitted job ${job.id} (${job.image}, ${job.vcpus} vCPU, ${job.memoryMiB} MiB, timeout ${job.timeoutS} s, ${job.costCredits} credits held): ${job.state}`)
    yield* say(String(job.id))
    return 0
  })

const status = (connect: Connect, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { parsed, id } = yield* jobArgs(argv, { json: "boolean" }, usage.jobStatus)
    const client = yield* connect(parsed)
    const job = yield* client.json<JobView>("GET", `/api/jobs/${id}`)
    if (parsed.booleans["json"]) {
      yield* printJson(job)
      return 0
    }
    yield* say(describeJob(job))
    yield* say(table(["", ""], [
      ["image", job.image],
      ["command", job.command.map((a) => /^[\w./=:-]+$/.test(a) ? a : JSON.stringify(a)).join(" ")],
      ["resources", `${job.vcpus} vCPU, ${job.memoryMiB} MiB memory, ${job.diskMiB} MiB disk, timeout ${job.timeoutS} s`],
      ["submitted", time(job.submittedAtMs)],
      ["started", time(job.startedAtMs)],
      ["ended", time(job.endedAtMs)],
      ["attempts", String(job.attempts)],
      ["cost", `${job.costCredits} credits`],
      ...(job.usage !== null ? [["usage", `${job.usage.cpuMs} ms CPU, ${job.usage.wallMs} ms wall, ${job.usage.memoryPeakMiB} MiB peak, ${job.usage.bytesIn} B in, ${job.usage.bytesOut} B out`]] : []),
      ...(job.outputs.length > 0 ? [["outputs", job.outputs.join(" ")]] : [])
    ]).split("\n").slice(1).map((l) => `  ${l}`).join("\n"))
    return 0
  })

const write = (stream: NodeJS.WriteStream, text: string) =>
  text === "" ? Effect.void : Effect.async<void>((resume) => void stream.write(text, () => resume(Effect.void)))

const logs = (connect: Connect, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { parsed, id } = yield* jobArgs(argv, { follow: "boolean" }, usage.jobLogs)
    const client = yield* connect(parsed)
    let shown = { stdout: 0, stderr: 0 }
    const showNew = Effect.gen(function* () {
      const current = yield* client.json<JobLogs>("GET", `/api/jobs/${id}/logs`)
      yield* write(process.stdout, current.stdout.slice(shown.stdout))
      yield* write(process.stderr, current.stderr.slice(shown.stderr))
      shown = { stdout: Math.max(shown.stdout, current.stdout.length), stderr: Math.max(shown.stderr, current.stderr.length) }
    })
    if (!parsed.booleans["follow"]) {
      yield* showNew
      return 0
    }
    while (true) {
      // Read the state first: logs fetched after seeing an ended job are complete.
      const job = yield* client.json<JobView>("GET", `/api/jobs/${id}`)
      yield* showNew
      if (isTerminal(job.state)) return 0
      yield* Effect.sleep(pollMs)
    }
  })

const list = (connect: Connect, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const parsed = yield* parse(argv, { ...connectionFlags, json: "boolean" }, usage.jobList)
    yield* positionals(parsed, [], usage.jobList)
    const client = yield* connect(parsed)
    const { jobs } = yield* client.json<{ jobs: ReadonlyArray<JobView> }>("GET", "/api/jobs")
    if (parsed.booleans["json"]) {
      yield* printJson(jobs)
      return 0
    }
    if (jobs.length === 0) {
      yield* say("no jobs")
      return 0
    }
    yield* say(table(["ID", "STATE", "IMAGE", "VCPUS", "MEMORY", "SUBMITTED", "NODE", "EXIT", "COMMAND"], jobs.map((j) => [
      String(j.id), j.state, j.image, String(j.vcpus), `${j.memoryMiB} MiB`, time(j.submittedAtMs), j.node === null ? "-" : String(j.node), j.exitCode === null ? "-" : String(j.exitCode), j.command.join(" ").slice(0, 60)
    ])))
    return 0
  })

const cancel = (connect: Connect, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { parsed, id } = yield* jobArgs(argv, {}, usage.jobCancel)
    const client = yield* connect(parsed)
    const job = yield* client.json<JobView>("POST", `/api/jobs/${id}/cancel`)
    yield* say(job.state === "cancelled" ? `job ${id} cancelled` : `job ${id} had already ended: ${describeJob(job)}`)
    return 0
  })

const wait = (connect: Connect, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { parsed, id } = yield* jobArgs(argv, { timeout: "string" }, usage.jobWait)
    const timeoutS = yield* requireInt(parsed, "timeout", 1, usage.jobWait, 3600)
    const client = yield* connect(parsed)
    const deadline = Date.now() + timeoutS * 1000
    while (true) {
      const job = yield* client.json<JobView>("GET", `/api/jobs/${id}`)
      if (isTerminal(job.state)) {
        yield* say(describeJob(job))
        return job.state === "succeeded" ? 0 : 1
      }
      if (Date.now() >= deadline) return yield* Effect.fail(new WaitTimedOut({ jobId: id, state: job.state, waitedS: timeoutS }))
      yield* Effect.sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())))
    }
  })

export const jobCommands: Readonly<Record<string, (connect: Connect, argv: ReadonlyArray<string>) => Effect.Effect<number, CliError>>> = {
  submit,
  status,
  logs,
  list,
  cancel,
  wait
}
