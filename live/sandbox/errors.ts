// What can stop the sandbox from running a job at all. A job that runs and fails, or is stopped at a
// limit, is not an error: it is a SandboxResult with an outcome and a reason.
import { Data } from "effect"

const setupHint = "run `bash live/sandbox/setup.sh` (or `npm run setup:live`) to install QEMU and build the guest kernel and images"

/** QEMU, the guest kernel, the initramfs or an image is not installed where the sandbox looks. */
export class GuestArtifactsMissing extends Data.TaggedError("GuestArtifactsMissing")<{
  readonly what: string
  readonly path: string
}> {
  override get message() {
    return `${this.what} is missing (looked at ${this.path}): ${setupHint}`
  }
}

/** The job asks for something this sandbox will not run: an unknown image, network the lender forbids, bad limits or paths. */
export class SandboxJobRefused extends Data.TaggedError("SandboxJobRefused")<{
  readonly reason: string
}> {
  override get message() {
    return `job refused: ${this.reason}`
  }
}

/** The VM itself failed: QEMU exited, the guest did not boot, or the guest broke the protocol. */
export class VmFailed extends Data.TaggedError("VmFailed")<{
  readonly stage: "boot" | "restore" | "snapshot" | "run"
  readonly reason: string
  /** The last lines of the guest console, for diagnosis. */
  readonly consoleTail: string
}> {
  override get message() {
    const tail = this.consoleTail.trim() ? `; guest console ends with: ${this.consoleTail.trim().split("\n").slice(-5).join(" | ")}` : ""
    return `microVM failed during ${this.stage}: ${this.reason}${tail}`
  }
}

export type SandboxFailure = GuestArtifactsMissing | SandboxJobRefused | VmFailed
