// A sandbox job and its result, as the agent hands them to the QEMU sandbox.

/** The VM hardware a job needs; VMs of one shape (and image) are interchangeable, so the pool keys on it. */
export interface VmShape {
  readonly image: string
  readonly vcpus: number
  /** Memory the job may use; the VM gets a fixed overhead on top for the guest kernel and supervisor. */
  readonly memoryMiB: number
  /** Size of the job's writable disk: /out, /tmp and the inputs together. */
  readonly diskMiB: number
  readonly network: boolean
}

export interface SandboxInput {
  /** Relative path; the file appears read-only at /in/<path> in the guest. */
  readonly path: string
  readonly bytes: Uint8Array
}

export interface SandboxJob extends VmShape {
  readonly command: ReadonlyArray<string>
  readonly env?: Readonly<Record<string, string>>
  /** Wall-clock limit from the moment the job starts in the guest. */
  readonly timeoutMs: number
  /** Processes and threads the job may have at once (cgroup pids.max). */
  readonly maxProcesses: number
  readonly inputs: ReadonlyArray<SandboxInput>
  /** Called once when the guest starts the job's process (after inputs are unpacked). */
  readonly onStarted?: () => void
  /** Called with each chunk of stdout and stderr as the job runs. */
  readonly onOutput?: (stream: "stdout" | "stderr", chunk: Uint8Array) => void
}

/**
 * succeeded: exit code 0. failed: non-zero exit (reason set when a limit caused it, e.g. a full disk).
 * stopped: the sandbox stopped the job at a limit (`limit` says which).
 */
export type SandboxOutcome = "succeeded" | "failed" | "stopped"
export type SandboxLimit = "timeout" | "memory" | "processes" | "disk"

export interface SandboxUsage {
  /** CPU time of the job's processes (guest cgroup); the host's QEMU CPU time when the guest could not report. */
  readonly cpuMs: number
  /** CPU time the QEMU process spent on the host while the job ran (includes emulation overhead under TCG). */
  readonly hostCpuMs: number
  readonly memoryPeakMiB: number
  /** Bytes sent into the VM (command, env, inputs). */
  readonly bytesIn: number
  /** Bytes coming out of the VM (stdout, stderr, outputs). */
  readonly bytesOut: number
  /** From handing the job to the VM to its result. */
  readonly wallMs: number
}

export interface SandboxOutput {
  /** Relative to /out. */
  readonly path: string
  readonly bytes: Uint8Array
}

export interface SandboxResult {
  /** The job's exit code, 128 + signal when killed; null if the VM had to be killed before it reported. */
  readonly exitCode: number | null
  readonly outcome: SandboxOutcome
  readonly limit?: SandboxLimit
  /** A sentence for people, e.g. "timed out after 5 s", "out of memory (limit 128 MiB)". */
  readonly reason?: string
  readonly outputs: ReadonlyArray<SandboxOutput>
  /** stdout and stderr as captured (at most `captureBytesMax` each; the callback sees everything). */
  readonly stdout: string
  readonly stderr: string
  readonly usage: SandboxUsage
  /** Whether the job got a pre-booted VM from the warm pool rather than waiting for one. */
  readonly warm: boolean
}

export const shapeKey = (s: VmShape): string => `${s.image}/${s.vcpus}cpu/${s.memoryMiB}M/${s.diskMiB}D/${s.network ? "net" : "nonet"}`
