// `crowdcloud object put|get|ls|rm`: objects addressed as BUCKET/KEY, keys may contain slashes.
import { readFile, stat, writeFile } from "node:fs/promises"
import { basename } from "node:path"
import { Effect } from "effect"
import type { BucketView, ObjectView } from "../api/ClusterApi.ts"
import { objectBodyBytesMax } from "../api/limits.ts"
import { connectionFlags, parse, positionals, usageError } from "./args.ts"
import { type Connect, objectPath } from "./client.ts"
import { type CliError, LocalFileError } from "./errors.ts"
import { bytes, printJson, say, table, time } from "./output.ts"
import { usage } from "./usage.ts"

/** `bucket/key/with/slashes` -> { bucket, key }; the key may be empty (`bucket` or `bucket/`). */
export const splitAddress = (text: string): { readonly bucket: string; readonly key: string } => {
  const slash = text.indexOf("/")
  return slash === -1 ? { bucket: text, key: "" } : { bucket: text.slice(0, slash), key: text.slice(slash + 1) }
}

const fileError = (path: string, action: string) => (e: unknown) =>
  new LocalFileError({ path, action, reason: (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : e instanceof Error ? e.message : String(e) })

const readStdin = Effect.tryPromise({
  try: async () => {
    const chunks: Array<Buffer> = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return new Uint8Array(Buffer.concat(chunks))
  },
  catch: fileError("stdin", "read")
})

const readLocal = (path: string) =>
  path === "-"
    ? readStdin
    : Effect.gen(function* () {
      const info = yield* Effect.tryPromise({ try: () => stat(path), catch: fileError(path, "read") })
      if (!info.isFile()) return yield* Effect.fail(new LocalFileError({ path, action: "read", reason: "not a regular file" }))
      if (info.size > objectBodyBytesMax) return yield* Effect.fail(new LocalFileError({ path, action: "store", reason: `it is ${bytes(info.size)}; one object is at most ${bytes(objectBodyBytesMax)}` }))
      return new Uint8Array(yield* Effect.tryPromise({ try: () => readFile(path), catch: fileError(path, "read") }))
    })

const put = (connect: Connect, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const parsed = yield* parse(argv, connectionFlags, usage.objectPut)
    const [local, address] = yield* positionals(parsed, ["LOCALFILE", "BUCKET/KEY"], usage.objectPut)
    const { bucket, key: given } = splitAddress(address!)
    if (bucket === "") return yield* usageError(`the bucket is empty in ${JSON.stringify(address)}`, usage.objectPut)
    if ((given === "" || given.endsWith("/")) && local === "-") return yield* usageError("reading stdin (-) needs a full BUCKET/KEY", usage.objectPut)
    const key = given === "" || given.endsWith("/") ? `${given}${basename(local!)}` : given
    const client = yield* connect(parsed)
    const data = yield* readLocal(local!)
    const view = yield* client.upload<ObjectView>("PUT", objectPath(bucket, key), data)
    yield* say(`stored ${view.bucket}/${view.key} (${bytes(view.sizeBytes)}, sha256 ${view.contentSha256.slice(0, 16)}…, ${view.healthyShards}/${view.n} shards)`)
    return 0
  })

const get = (connect: Connect, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const parsed = yield* parse(argv, connectionFlags, usage.objectGet)
    const [address, local = "-"] = yield* positionals(parsed, ["BUCKET/KEY", "LOCALFILE"], usage.objectGet, 1)
    const { bucket, key } = splitAddress(address!)
    if (bucket === "" || key === "") return yield* usageError(`expected BUCKET/KEY, got ${JSON.stringify(address)}`, usage.objectGet)
    const client = yield* connect(parsed)
    const data = yield* client.bytes("GET", objectPath(bucket, key))
    if (local === "-") {
      yield* Effect.async<void>((resume) => void process.stdout.write(data, () => resume(Effect.void)))
      return 0
    }
    yield* Effect.tryPromise({ try: () => writeFile(local, data), catch: fileError(local, "write") })
    yield* say(`wrote ${bucket}/${key} to ${local} (${bytes(data.length)})`)
    return 0
  })

const ls = (connect: Connect, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const parsed = yield* parse(argv, { ...connectionFlags, json: "boolean" }, usage.objectLs)
    const [address] = yield* positionals(parsed, ["BUCKET[/PREFIX]"], usage.objectLs, 1)
    const json = parsed.booleans["json"]
    const { bucket, key: prefix } = splitAddress(address ?? "")
    if (address !== undefined && bucket === "") return yield* usageError(`the bucket is empty in ${JSON.stringify(address)}`, usage.objectLs)
    const client = yield* connect(parsed)
    if (address === undefined) {
      const { buckets } = yield* client.json<{ buckets: ReadonlyArray<BucketView> }>("GET", "/api/buckets")
      if (json) yield* printJson(buckets)
      else yield* say(buckets.length === 0 ? "no buckets" : table(["BUCKET", "REDUNDANCY", "CREATED"], buckets.map((b) => [b.name, b.redundancy, time(b.createdAtMs)])))
      return 0
    }
    const { objects } = yield* client.json<{ objects: ReadonlyArray<ObjectView> }>("GET", `/api/objects/${encodeURIComponent(bucket)}?prefix=${encodeURIComponent(prefix)}`)
    if (json) yield* printJson(objects)
    else {
      yield* say(objects.length === 0 ? `no objects in ${bucket}${prefix !== "" ? ` under ${prefix}` : ""}` : table(["KEY", "SIZE", "SHARDS", "CREATED"], objects.map((o) => [o.key, bytes(o.sizeBytes), `${o.healthyShards}/${o.n} (k=${o.k})`, time(o.createdAtMs)])))
    }
    return 0
  })

const rm = (connect: Connect, argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const parsed = yield* parse(argv, connectionFlags, usage.objectRm)
    const [address] = yield* positionals(parsed, ["BUCKET/KEY"], usage.objectRm)
    const { bucket, key } = splitAddress(address!)
    if (bucket === "" || key === "") return yield* usageError(`expected BUCKET/KEY, got ${JSON.stringify(address)}`, usage.objectRm)
    const client = yield* connect(parsed)
    yield* client.json("DELETE", objectPath(bucket, key))
    yield* say(`deleted ${bucket}/${key}`)
    return 0
  })

export const objectCommands: Readonly<Record<string, (connect: Connect, argv: ReadonlyArray<string>) => Effect.Effect<number, CliError>>> = { put, get, ls, rm }
