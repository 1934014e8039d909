// The simulator's Sandbox: a job takes its modelled run time (work / node speed) of Clock time,
// and stops when interrupted. Under a virtual clock no real time passes.
import { Duration, Effect, Layer } from "effect"
import { modelRunTimeMs, Sandbox } from "../../core/services/Sandbox.ts"

export const layerSim: Layer.Layer<Sandbox> = Layer.succeed(Sandbox, {
  run: ({ job, node }) => {
    const wallMs = modelRunTimeMs(job, node)
    return Effect.succeed({
      outcome: "succeeded" as const,
      usage: { cpuMs: wallMs * job.resources.vcpus, wallMs, memoryMiBMax: job.resources.memoryMiB }
    }).pipe(Effect.delay(Duration.millis(wallMs)))
  }
})
