// The agent's shards as files: `<dir>/<objectId[0..2]>/<objectId>.<index>`, with the shard's SHA-256
// (hex) beside it in `<objectId>.<index>.sha256`. A put writes a temp file, fsyncs it, renames it into
// place and fsyncs the directory, so the shard is on disk before the reply says Done. The checksum file
// is not fsynced: it only lets the agent notice rot when serving a shard (the coordinator checks every
// shard against its catalog anyway), and a missing one is not an error.
import { createHash } from "node:crypto"
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import type { ShardReply, ShardRequest } from "../protocol/messages.ts"
import { ShardDirUnusable } from "./errors.ts"

export interface DiskShardStoreOptions {
  readonly dir: string
  /** What the lender allows shards to take; a put beyond it is refused with NodeFull. */
  readonly capacityBytes: number
}

export type ShardResult = ShardReply["result"]

export interface DiskShardStore {
  /** Answers one shard request; I/O failures other than a missing file or a full disk are defects. */
  readonly handle: (request: ShardRequest) => Effect.Effect<ShardResult>
  /** Bytes of shards on disk (checksum files not counted). */
  readonly usedBytes: Effect.Effect<number>
}

const shardFileName = /^([0-9a-f]{32})\.(\d+)$/
const objectIdPattern = /^[0-9a-f]{32}$/
const tempMarker = ".tmp-"

const errno = (e: unknown): string | undefined => (typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : undefined)
const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const done: ShardResult = { _tag: "Done" }
const missing: ShardResult = { _tag: "Failed", failure: { _tag: "ShardMissing" } }

/** A plain Uint8Array over a Buffer's bytes (a Buffer compares unequal to a Uint8Array in tests and schemas). */
const plainBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

const fsyncDir = async (dir: string): Promise<void> => {
  const fd = await open(dir, "r")
  try {
    await fd.sync()
  } finally {
    await fd.close()
  }
}

interface Scan {
  readonly shards: Array<{ objectId: string; index: number; sizeBytes: number }>
}

/** Every shard file under `dir`; temp files left by a crash mid-put are removed. */
const scanDir = async (dir: string): Promise<Scan> => {
  const shards: Scan["shards"] = []
  for (const sub of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!sub.isDirectory() || !/^[0-9a-f]{2}$/.test(sub.name)) continue
    const subDir = join(dir, sub.name)
    for (const name of (await readdir(subDir)).sort()) {
      if (name.includes(tempMarker)) {
        await unlink(join(subDir, name)).catch(() => undefined)
        continue
      }
      const m = shardFileName.exec(name)
      if (m === null) continue
      shards.push({ objectId: m[1]!, index: Number(m[2]), sizeBytes: (await stat(join(subDir, name))).size })
    }
  }
  return { shards }
}

export const makeDiskShardStore = (options: DiskShardStoreOptions): Effect.Effect<DiskShardStore, ShardDirUnusable> =>
  Effect.gen(function* () {
    const { dir, capacityBytes } = options
    const unusable = (e: unknown) => new ShardDirUnusable({ dir, reason: describe(e) })
    const scan = yield* Effect.tryPromise({
      try: async () => {
        await mkdir(dir, { recursive: true })
        // Fail now, not on the first put, if the directory cannot be written.
        const probe = join(dir, `.probe${tempMarker}${process.pid}`)
        await writeFile(probe, "")
        await unlink(probe)
        return scanDir(dir)
      },
      catch: unusable
    })

    /** Size of every shard on disk, by `<objectId>.<index>`: what usedBytes and the capacity check count. */
    const sizes = new Map<string, number>()
    let used = 0
    for (const s of scan.shards) {
      sizes.set(`${s.objectId}.${s.index}`, s.sizeBytes)
      used += s.sizeBytes
    }
    // Bytes of puts in flight, held against the capacity so concurrent puts cannot overfill it together.
    let reserved = 0
    let tempSeq = 0

    const pathsOf = (objectId: string, index: number) => {
      const subDir = join(dir, objectId.slice(0, 2))
      const file = join(subDir, `${objectId}.${index}`)
      return { subDir, file, checksum: `${file}.sha256` }
    }

    const put = (objectId: string, index: number, data: Uint8Array): Effect.Effect<ShardResult> => {
      const name = `${objectId}.${index}`
      const replaced = sizes.get(name) ?? 0
      const free = capacityBytes - used - reserved
      if (data.length - replaced > free) {
        return Effect.succeed({ _tag: "Failed", failure: { _tag: "NodeFull", neededBytes: data.length, freeBytes: Math.max(0, free) } })
      }
      const { subDir, file, checksum } = pathsOf(objectId, index)
      const suffix = `${tempMarker}${process.pid}-${tempSeq++}`
      const temp = `${file}${suffix}`
      reserved += data.length
      return Effect.tryPromise({
        try: async () => {
          await mkdir(subDir, { recursive: true })
          const fd = await open(temp, "w")
          try {
            await fd.writeFile(data)
            await fd.sync()
          } finally {
            await fd.close()
          }
          await rename(temp, file)
          await writeFile(`${checksum}${suffix}`, sha256Hex(data))
          await rename(`${checksum}${suffix}`, checksum)
          await fsyncDir(subDir)
        },
        catch: (e) => e
      }).pipe(
        Effect.map((): ShardResult => {
          used += data.length - (sizes.get(name) ?? 0)
          sizes.set(name, data.length)
          return done
        }),
        Effect.catchAll((e) =>
          Effect.promise(() => unlink(temp).catch(() => undefined)).pipe(
            Effect.zipRight(
              errno(e) === "ENOSPC" || errno(e) === "EDQUOT"
                ? Effect.succeed<ShardResult>({ _tag: "Failed", failure: { _tag: "NodeFull", neededBytes: data.length, freeBytes: 0 } })
                : Effect.die(e)
            )
          )
        ),
        Effect.ensuring(Effect.sync(() => void (reserved -= data.length)))
      )
    }

    /** The shard's bytes, or undefined when it is not on disk (or cannot be read: then it is as good as missing). */
    const read = (objectId: string, index: number): Effect.Effect<Uint8Array | undefined> => {
      const { file, checksum } = pathsOf(objectId, index)
      return Effect.tryPromise({ try: () => readFile(file), catch: (e) => e }).pipe(
        Effect.flatMap((buf) => {
          const bytes = plainBytes(buf)
          return Effect.promise(() => readFile(checksum, "utf8").catch(() => "")).pipe(
            Effect.flatMap((kept) => {
              const expected = kept.trim()
              return /^[0-9a-f]{64}$/.test(expected) && expected !== sha256Hex(bytes)
                ? Effect.logWarning(`shard ${index} of object ${objectId} does not match its checksum on disk (served as it is; the coordinator decides)`)
                : Effect.void
            }),
            Effect.as(bytes)
          )
        }),
        Effect.catchAll((e) =>
          errno(e) === "ENOENT"
            ? Effect.succeed(undefined)
            : Effect.as(Effect.logError(`shard ${index} of object ${objectId} cannot be read: ${describe(e)}`), undefined)
        )
      )
    }

    const remove = (objectId: string, index: number): Effect.Effect<ShardResult> => {
      const name = `${objectId}.${index}`
      const { file, checksum } = pathsOf(objectId, index)
      return Effect.promise(async () => {
        await unlink(file).catch((e) => (errno(e) === "ENOENT" ? undefined : Promise.reject(e)))
        await unlink(checksum).catch(() => undefined)
      }).pipe(
        Effect.map(() => {
          used -= sizes.get(name) ?? 0
          sizes.delete(name)
          return done
        })
      )
    }

    const list: Effect.Effect<ShardResult> = Effect.promise(() => scanDir(dir)).pipe(
      Effect.map((s): ShardResult => ({ _tag: "Shards", shards: s.shards.map(({ objectId, index }) => ({ objectId, index })) }))
    )

    const handle = (request: ShardRequest): Effect.Effect<ShardResult> => {
      if (request._tag === "ShardList") return list
      // Requests arrive schema-decoded; this guard keeps a path out of the directory whatever the caller.
      if (!objectIdPattern.test(request.objectId) || !Number.isSafeInteger(request.index) || request.index < 0) {
        return request._tag === "ShardPut" ? Effect.dieMessage(`not a shard name: ${request.objectId}.${request.index}`) : Effect.succeed(request._tag === "ShardDelete" ? done : missing)
      }
      switch (request._tag) {
        case "ShardPut":
          return put(request.objectId, request.index, request.data)
        case "ShardGet":
          return Effect.map(read(request.objectId, request.index), (bytes): ShardResult => (bytes === undefined ? missing : { _tag: "Bytes", data: bytes }))
        case "ShardDelete":
          return remove(request.objectId, request.index)
        case "ShardChallenge": {
          const nonce = request.nonce
          return Effect.map(read(request.objectId, request.index), (bytes): ShardResult =>
            bytes === undefined ? missing : { _tag: "Bytes", data: plainBytes(createHash("sha256").update(nonce).update(bytes).digest()) }
          )
        }
      }
    }

    return { handle, usedBytes: Effect.sync(() => used) }
  })
