// Where nodes' online and offline session lengths come from: nowhere (always on), two
// distributions, or a replayed availability trace. Each node draws from its own stream, so
// churn is identical under every policy of a run and comparisons stay paired.
import type { Prng } from "../../core/random/prng.ts"
import type { ChurnWindow } from "../../scenarios/traces/churnTrace.ts"
import type { Churn } from "../../scenarios/schema.ts"
import { meanSeconds, sampleSeconds } from "./distributions.ts"

export interface ChurnSource {
  initiallyOnline(node: number): boolean
  /** Length of the session that starts now in state `online`; Infinity: stays so forever. */
  nextSessionMs(node: number, online: boolean): number
}

export const alwaysOn: ChurnSource = {
  initiallyOnline: () => true,
  nextSessionMs: () => Infinity
}

export const alternatingChurn = (churn: Extract<Churn, { kind: "alternating" }>, rng: Prng, nodes: number): ChurnSource => {
  const streams: Array<Prng> = []
  for (let i = 0; i < nodes; i++) streams.push(rng.split(i))
  const onMean = meanSeconds(churn.on)
  const availability = onMean / (onMean + meanSeconds(churn.off))
  return {
    initiallyOnline: (node) => streams[node]!.nextDouble() < availability,
    nextSessionMs: (node, online) => 1000 * sampleSeconds(online ? churn.on : churn.off, streams[node]!)
  }
}

/** Node i replays one trace window (picked by the churn stream), looping it if the run outlasts it. */
export const traceChurn = (windows: ReadonlyArray<ChurnWindow>, timeScale: number, rng: Prng, nodes: number): ChurnSource => {
  const window: Array<ChurnWindow> = []
  const cursor = new Int32Array(nodes)
  for (let i = 0; i < nodes; i++) window.push(windows[rng.nextInt(windows.length)]!)
  return {
    initiallyOnline: (node) => window[node]!.firstOnline,
    nextSessionMs: (node) => {
      const w = window[node]!
      // One session spans the whole window: the node stays in that state (looping it would need
      // the other state's length, which the trace does not give).
      if (w.durationsMs.length === 1) return Infinity
      const k = cursor[node]!
      cursor[node] = (k + 1) % w.durationsMs.length
      // An odd-length window would flip the phase when it loops; skip to keep states alternating.
      if (cursor[node] === 0 && w.durationsMs.length % 2 === 1) cursor[node] = 1
      return Math.max(1, w.durationsMs[k]! * timeScale)
    }
  }
}
