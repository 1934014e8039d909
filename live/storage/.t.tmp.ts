import { Effect } from "effect"
import { measureLoopbackThroughput } from "./throughput.ts"
for (const o of [{}, { auditsPerShard: 0 }, { objectBytes: 256 << 10, objects: 64 }, { redundancy: { kind: "replication", r: 3 } as const, auditsPerShard: 4 }]) {
  const r = await Effect.runPromise(measureLoopbackThroughput(o))
  console.log(JSON.stringify(o), "->", r.putMBps.toFixed(1), r.getMBps.toFixed(1), r.redundancy, r.objectBytes)
}
