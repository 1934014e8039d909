// Tests for the Alibaba GPU trace reader: the real node and pod lists, and malformed lines reported
// with the exact line number and column. The traces live beside the checkout in ../shared/traces.
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import {
  AlibabaTraceParseError,
  TraceFileError,
  alibabaNodeListFile,
  alibabaPodListFile,
  parseAlibabaNodeLine,
  parseAlibabaPodLine,
  readAlibabaNodes,
  readAlibabaPods,
  streamAlibabaPods
} from "./index.ts"

const traces = path.resolve(import.meta.dirname, "../../../shared/traces")
const nodeList = path.join(traces, alibabaNodeListFile)
const podList = path.join(traces, alibabaPodListFile)

const tmp = mkdtempSync(path.join(tmpdir(), "crowdcloud-alibaba-"))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
let fileCount = 0
const tempFile = (content: string): string => {
  const file = path.join(tmp, `t${fileCount++}.csv`)
  writeFileSync(file, content)
  return file
}

const nodeHeader = "sn,cpu_milli,memory_mib,gpu,model"
const podHeader = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time"
const goodPod = "openb-pod-0001,6000,12288,1,460,,LS,Running,427061,12902960,427061"

describe("the real Alibaba openb trace", () => {
  it.effect("node list: 1,523 nodes", () =>
    Effect.gen(function*() {
      const nodes = yield* readAlibabaNodes(nodeList)
      expect(nodes.length).toBe(1523)
      expect(nodes[0]).toEqual({ name: "openb-node-0000", cpuMilli: 32_000, memoryMiB: 262_144, gpus: 0, gpuModel: null })
      expect(nodes[1522]).toEqual({ name: "openb-node-1522", cpuMilli: 96_000, memoryMiB: 393_216, gpus: 8, gpuModel: "G2" })
      // figures from the file (Python csv): 6,212 GPUs, 310 nodes without a GPU, all names distinct
      expect(nodes.reduce((s, n) => s + n.gpus, 0)).toBe(6212)
      expect(nodes.filter((n) => n.gpus === 0).length).toBe(310)
      expect(nodes.every((n) => (n.gpus === 0) === (n.gpuModel === null))).toBe(true)
      expect(new Set(nodes.map((n) => n.name)).size).toBe(1523)
    }))

  it.effect("pod list: 8,152 pods in creation order; Pending ones were never scheduled", () =>
    Effect.gen(function*() {
      const pods = yield* readAlibabaPods(podList)
      expect(pods.length).toBe(8152)
      expect(pods[0]).toEqual({
        name: "openb-pod-0000",
        cpuMilli: 12_000,
        memoryMiB: 16_384,
        gpus: 1,
        gpuMilli: 1000,
        gpuSpec: null,
        qos: "LS",
        phase: "Running",
        creationS: 0,
        deletionS: 12_537_496,
        scheduledS: 0
      })
      expect(pods[8151]).toMatchObject({ name: "openb-pod-8151", qos: "BE", phase: "Failed", creationS: 12_901_761, scheduledS: 12_901_762 })
      for (let i = 1; i < pods.length; i++) expect(pods[i]!.creationS).toBeGreaterThanOrEqual(pods[i - 1]!.creationS)
      const unscheduled = pods.filter((p) => p.scheduledS === null)
      expect(unscheduled.length).toBe(897)
      expect(unscheduled.every((p) => p.phase === "Pending")).toBe(true)
      expect(pods.reduce((s, p) => s + p.gpus, 0)).toBe(7433)
    }))

  it.effect("streaming stops early", () =>
    Effect.gen(function*() {
      const first = yield* streamAlibabaPods(podList).pipe(Stream.take(2), Stream.runCollect)
      expect(Chunk.toReadonlyArray(first).map((p) => p.name)).toEqual(["openb-pod-0000", "openb-pod-0001"])
    }))
})

describe("malformed Alibaba lines", () => {
  it.effect("a missing column names the line and the first missing column", () =>
    Effect.gen(function*() {
      const file = tempFile([podHeader, goodPod, "openb-pod-0002,6000,12288,1,460,,LS,Running,427061,12902960"].join("\n"))
      const error = yield* Effect.flip(readAlibabaPods(file))
      expect(error).toBeInstanceOf(AlibabaTraceParseError)
      if (error._tag !== "AlibabaTraceParseError") throw new Error("expected a parse error")
      expect(error.file).toBe(file)
      expect(error.line).toBe(3)
      expect(error.column).toBe("11 (scheduled_time)")
      expect(error.message).toContain(`${file}:3: column 11 (scheduled_time): missing`)
    }))

  it.effect("a non-number names the line and the column", () =>
    Effect.gen(function*() {
      const file = tempFile([nodeHeader, "openb-node-0000,32000,262144,0,", "openb-node-0001,32000,lots,0,", ""].join("\n"))
      const error = yield* Effect.flip(readAlibabaNodes(file))
      expect(error._tag).toBe("AlibabaTraceParseError")
      if (error._tag !== "AlibabaTraceParseError") throw new Error("expected a parse error")
      expect(error.line).toBe(3)
      expect(error.column).toBe("3 (memory_mib)")
      expect(error.reason).toContain("'lots'")
    }))

  it.effect("rows before the bad line are streamed, then the stream fails", () =>
    Effect.gen(function*() {
      const file = tempFile([podHeader, goodPod, goodPod.replace("427061,12902960", "4x,12902960")].join("\r\n"))
      const result = yield* streamAlibabaPods(file).pipe(Stream.either, Stream.runCollect)
      const items = Chunk.toReadonlyArray(result)
      expect(items.length).toBe(2)
      expect(Either.isRight(items[0]!)).toBe(true)
      const bad = items[1]!
      expect(Either.isLeft(bad) && bad.left._tag === "AlibabaTraceParseError" && [bad.left.line, bad.left.column]).toEqual([3, "9 (creation_time)"])
    }))

  it("line-level checks: header, extra fields, negatives, empty required fields, categories, time order", () => {
    const podError = (text: string, line = 2) => {
      const result = parseAlibabaPodLine(text, line, "pods.csv")
      if (Either.isRight(result)) throw new Error(`expected an error for ${text}`)
      return [result.left.column, result.left.reason] as const
    }
    expect(Either.getOrThrow(parseAlibabaPodLine(podHeader, 1, "pods.csv"))).toBeNull()
    expect(podError(podHeader.replace("qos", "class"), 1)[0]).toBe("7 (qos)")
    expect(podError(`${goodPod},extra`)[0]).toBeNull()
    expect(podError(goodPod.replace(",6000,", ",-6000,"))[0]).toBe("2 (cpu_milli)")
    expect(podError(goodPod.replace(",6000,", ",,"))).toEqual(["2 (cpu_milli)", "is empty, expected a whole number"])
    expect(podError(goodPod.replace(",460,", ",1460,"))[0]).toBe("5 (gpu_milli)")
    expect(podError(goodPod.replace(",LS,", ",XX,"))[0]).toBe("7 (qos)")
    expect(podError(goodPod.replace(",Running,", ",Lost,"))[0]).toBe("8 (pod_phase)")
    expect(podError(goodPod.replace("427061,12902960,427061", "427061,427000,427061"))[0]).toBe("10 (deletion_time)")
    expect(podError(goodPod.replace("12902960,427061", "12902960,427060"))[0]).toBe("11 (scheduled_time)")
    expect(podError(goodPod.replace("openb-pod-0001,", ","))[0]).toBe("1 (name)")
    expect(Either.getOrThrow(parseAlibabaPodLine("  ", 5, "pods.csv"))).toBeNull()
    expect(Either.getOrThrow(parseAlibabaPodLine(goodPod.replace(",,", ",V100M16|V100M32,"), 2, "pods.csv"))).toMatchObject({
      gpuSpec: "V100M16|V100M32",
      scheduledS: 427_061
    })
    const nodeHeaderError = parseAlibabaNodeLine("name,cpu,mem,gpu,model", 1, "nodes.csv")
    expect(Either.isLeft(nodeHeaderError) && nodeHeaderError.left.column).toBe("1 (sn)")
    const fewNodeFields = parseAlibabaNodeLine("openb-node-0000,32000", 2, "nodes.csv")
    expect(Either.isLeft(fewNodeFields) && fewNodeFields.left.column).toBe("3 (memory_mib)")
  })

  it.effect("a missing file gives TraceFileError", () =>
    Effect.gen(function*() {
      const missing = path.join(tmp, "no-such.csv")
      const error = yield* Effect.flip(readAlibabaNodes(missing))
      expect(error).toBeInstanceOf(TraceFileError)
      expect(error.message).toContain("ENOENT")
      expect((yield* Effect.flip(readAlibabaPods(missing)))._tag).toBe("TraceFileError")
    }))
})
