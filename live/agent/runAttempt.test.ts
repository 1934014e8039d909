// How a job's spec becomes a sandbox job: floors, environment, and the lender's say over the network.
import { describe, expect, it } from "@effect/vitest"
import { sandboxJobFor } from "./runAttempt.ts"
import { busyboxJob } from "./testSupport.ts"

const io = { env: { A: "1" }, inputs: [], output: { bucket: "outputs", prefix: "p/" }, network: true }

describe("sandboxJobFor", () => {
  it("a job that asks for the network gets it only where the lender allows it", () => {
    const job = busyboxJob(1, ["true"], io)
    expect(sandboxJobFor(job, [], { allowNetwork: false }).network).toBe(false)
    expect(sandboxJobFor(job, [], { allowNetwork: true }).network).toBe(true)
    expect(sandboxJobFor(busyboxJob(2, ["true"]), [], { allowNetwork: true }).network).toBe(false)
  })

  it("carries the image, command, resources, environment and timeout; zero memory or disk get the sandbox's floor", () => {
    const job = { ...busyboxJob(1, ["sh", "-c", "x"], io), resources: { vcpus: 2, memoryMiB: 0, diskMiB: 300 }, requestedTimeMs: 1234 }
    const inputs = [{ path: "a", bytes: new Uint8Array([1]) }]
    expect(sandboxJobFor(job, inputs, { allowNetwork: false, maxProcesses: 9 })).toEqual({
      image: "busybox", command: ["sh", "-c", "x"], vcpus: 2, memoryMiB: 64, diskMiB: 300, network: false,
      env: { A: "1" }, timeoutMs: 1234, maxProcesses: 9, inputs
    })
  })
})
