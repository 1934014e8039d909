// One real cluster for a test file: started before its tests, stopped after them, and its data
// directory (the daemons' logs) kept when a test failed, so the failure can be read afterwards.
import { afterAll, beforeAll } from "vitest"
import { type ClusterOptions, ClusterProcesses } from "./clusterProcesses.ts"

export interface ClusterSuite {
  /** The running cluster (from `beforeAll` on). */
  readonly cluster: ClusterProcesses
  /** Wraps a test body: a failure marks the suite, so the cluster's logs are kept. */
  readonly track: <T>(body: () => Promise<T>) => () => Promise<T>
}

export const clusterSuite = (options: ClusterOptions): ClusterSuite => {
  let cluster: ClusterProcesses | undefined
  let failed = false
  beforeAll(async () => {
    cluster = await ClusterProcesses.start(options)
  }, 240_000)
  afterAll(async () => {
    await cluster?.stop()
    if (!failed) cluster?.remove()
    else if (cluster !== undefined) console.error(`cluster logs kept in ${cluster.dir}`)
  }, 60_000)
  return {
    get cluster() {
      if (cluster === undefined) throw new Error("the cluster is not started yet (use it inside a test)")
      return cluster
    },
    track: (body) => async () => {
      try {
        return await body()
      } catch (e) {
        failed = true
        throw e
      }
    }
  }
}
