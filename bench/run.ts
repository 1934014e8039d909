// `npm run bench` runs every benchmark and writes its figures to bench/results/*.json;
// `npm run bench -- --smoke` is the short version CI runs. Fails if a target is missed (the
// erasure and ledger targets only in the full run: smoke runs are too short to be figures).
// Allocation-heavy in-process benchmarks (ledger, codec) run first, on a fresh heap; the
// whole-process runs (scale-10k, storage-durability) last.
import { benchErasure } from "./erasure.bench.ts"
import { benchEventQueue } from "./eventQueue.bench.ts"
import { benchLedger } from "./ledger.bench.ts"
import { benchPlacement } from "./placement.bench.ts"
import { writeBenchResult } from "./results.ts"
import { benchScale } from "./scale.bench.ts"
import { benchStorageDurability } from "./storageDurability.bench.ts"
import { benchViewerBuild } from "./viewerBuild.bench.ts"

const smoke = process.argv.includes("--smoke")
const suffix = smoke ? "-smoke" : ""
const missed = (message: string, always = true) => {
  console.error(message)
  if (always || !smoke) process.exitCode = 1
}

const ledger = await benchLedger(smoke)
console.log("ledger", ledger, "->", writeBenchResult(`ledger${suffix}`, ledger))
if (!ledger.withinTargets) {
  missed(`ledger missed its targets: ${ledger.postingsPerSecondMemory} postings/s in memory (min ${ledger.targets.postingsPerSecondMemory}), ${ledger.settledJobsPerSecondSqlite} settled jobs/s on SQLite (min ${ledger.targets.settledJobsPerSecondSqlite})`, false)
}

const erasure = await benchErasure(smoke)
console.log("erasure", { kernel: erasure.kernel, encodeMBps: erasure.encodeMBps, decodeMBps: erasure.decodeMBps, js: erasure.js, native: erasure.native, copyMBps: erasure.copyMBps }, "->", writeBenchResult(`erasure${suffix}`, erasure))
if (!erasure.withinTarget) missed(`erasure missed its target: ${erasure.encodeMBps["4+2"]} MB/s encode for 4+2 on one core (min ${erasure.encodeTargetMBps})`, false)

const eventQueue = await benchEventQueue(smoke)
console.log("event queue", eventQueue, "->", writeBenchResult(`event-queue${suffix}`, eventQueue))

const placement = await benchPlacement(smoke)
console.table(Object.fromEntries(Object.entries(placement).flatMap(([n, ps]) => Object.entries(ps).map(([p, f]) => [`${p} @ ${n.replace("nodes", "")}`, f]))))
console.log("->", writeBenchResult(`placement${suffix}`, placement))

const viewer = await benchViewerBuild()
console.log("viewer build", { buildS: viewer.buildS, totalKiB: viewer.totalKiB, totalGzipKiB: viewer.totalGzipKiB }, "->", writeBenchResult(`viewer-build${suffix}`, viewer))

const scale = benchScale(smoke)
console.log("scale-10k", scale, "->", writeBenchResult(`scale-10k${suffix}`, scale))
if (scale.withinTargets === false) missed(`scale-10k missed its targets: ${scale.wallS} s wall (max 60), ${scale.peakMemoryMiB} MiB peak (max 2048)`)

const storage = benchStorageDurability(smoke)
console.log("storage-durability", storage, "->", writeBenchResult(`storage-durability${suffix}`, storage))
if (storage.withinTargets === false) missed(`storage-durability missed its target: ${storage.wallS} s wall (max ${storage.targets.wallSMax})`)

// The QEMU sandbox's start-up figures (needs `npm run setup:live`): microVM boot, cold (snapshot
// restore) and warm-pool submit-to-running latency. Target from the live-mode issue: warm p50 < 100 ms.
const { benchSandbox } = await import("../live/sandbox/sandbox.bench.ts")
const sandbox = await benchSandbox(smoke)
console.log("sandbox", sandbox, "->", writeBenchResult(`sandbox${suffix}`, sandbox))
if (!sandbox.withinTargets) missed(`sandbox missed its target: warm submit-to-running p50 ${sandbox.warmStartMsP50} ms (max ${sandbox.targets.warmStartMsP50Max})`, false)

// The AI scheduler's decision cost (issue 5): scheduling-pass latency at 10,000 nodes with warm
// forests (ai beside easy and least-allocated), and forest retraining ms per 1,000 finished jobs.
const { benchAiScheduler, printAiScheduler } = await import("./aiScheduler.bench.ts")
const aiScheduler = benchAiScheduler(smoke)
printAiScheduler(aiScheduler)
console.log("->", writeBenchResult(`ai-scheduler${suffix}`, aiScheduler))
if (!aiScheduler.withinTargets) missed(`ai-scheduler missed its target: p99 placing pass ${aiScheduler.placement[0]!.placingPassUs.p99Us} us at ${aiScheduler.placement[0]!.nodes} nodes (max ${aiScheduler.targets.placingPassP99UsMax})`, false)

// The live system on a real local cluster (issue 6; needs `npm run setup:live`): submit-to-running
// latency with a warm pool and cold, jobs per second, object PUT/GET MB/s, and the sandbox's boot
// time (read from the sandbox figures above). Target: warm p50 under 100 ms.
const { benchLive } = await import("./live.bench.ts")
const live = await benchLive(smoke)
console.log("live", live, "->", writeBenchResult(`live${suffix}`, live))
if (!live.withinTargets) missed(`live missed its target: warm submit-to-running p50 ${live.warmStartMsP50} ms (max ${live.targets.warmStartMsP50Max})`, false)
