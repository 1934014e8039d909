// The QEMU sandbox as an agent runs it: VMs for the common job shape (1 vCPU, 256 MiB, the API's
// default 64 MiB disk) are kept booted in both images, so a typical job does not wait for a boot.
import type { Layer } from "effect"
import type { GuestArtifactsMissing } from "../sandbox/errors.ts"
import type { VmShape } from "../sandbox/job.ts"
import { layerQemuSandbox, type QemuSandbox } from "../sandbox/QemuSandbox.ts"

export const agentWarmShapes: ReadonlyArray<VmShape> = [
  { image: "busybox", vcpus: 1, memoryMiB: 256, diskMiB: 64, network: false },
  { image: "python", vcpus: 1, memoryMiB: 256, diskMiB: 64, network: false }
]

export interface AgentSandboxOptions {
  /** Ready VMs per warm shape (default 1); 0 boots (or restores) a VM for every job. */
  readonly warmPoolSize?: number
  readonly allowNetwork?: boolean
  /** The vCPUs the agent lends: as many jobs may run at once, besides the warm VMs. */
  readonly vcpus: number
  readonly guestDir?: string
}

export const layerAgentSandbox = (options: AgentSandboxOptions): Layer.Layer<QemuSandbox, GuestArtifactsMissing> => {
  const warmPoolSize = options.warmPoolSize ?? 1
  return layerQemuSandbox({
    warmPoolSize,
    warmShapes: warmPoolSize > 0 ? agentWarmShapes : [],
    maxVms: options.vcpus + warmPoolSize * agentWarmShapes.length,
    allowNetwork: options.allowNetwork ?? false,
    ...(options.guestDir !== undefined ? { guestDir: options.guestDir } : {})
  })
}
