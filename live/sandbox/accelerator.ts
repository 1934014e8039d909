// KVM or TCG. Nested KVM can hang or fail on cloud machines, so KVM is used only if a probe VM boots
// with it within a time limit; the verdict is cached per guest recipe, QEMU build and host kernel.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { GuestArtifacts } from "./guestArtifacts.ts"
import { type Accelerator, diskTemplate, MicroVm } from "./MicroVm.ts"

export const kvmProbeTimeoutMs = 15_000

const cacheKey = (artifacts: GuestArtifacts): string => {
  const qemu = fs.statSync(artifacts.qemu)
  return `${artifacts.recipe}|${qemu.size}|${qemu.mtimeMs}|${os.release()}`
}

const kvmUsable = (): boolean => {
  try {
    fs.accessSync("/dev/kvm", fs.constants.R_OK | fs.constants.W_OK)
    return true
  } catch {
    return false
  }
}

/**
 * The accelerator to use: CROWDCLOUD_SANDBOX_ACCEL (kvm|tcg) if set, else the cached probe verdict,
 * else a probe (a busybox VM booted with KVM; TCG unless it answers within `kvmProbeTimeoutMs`).
 */
export const detectAccelerator = async (artifacts: GuestArtifacts, runDir: string): Promise<Accelerator> => {
  const forced = process.env["CROWDCLOUD_SANDBOX_ACCEL"]
  if (forced === "kvm" || forced === "tcg") return forced
  if (!kvmUsable()) return "tcg"
  const cacheFile = path.join(artifacts.guestRoot, "accelerator.json")
  const key = cacheKey(artifacts)
  try {
    const cached = JSON.parse(fs.readFileSync(cacheFile, "utf8"))
    if (cached.key === key && (cached.accelerator === "kvm" || cached.accelerator === "tcg")) return cached.accelerator
  } catch {
    // no verdict yet
  }
  let accelerator: Accelerator = "tcg"
  let detail = ""
  try {
    const vm = await MicroVm.start({
      artifacts,
      shape: { image: "busybox", vcpus: 1, memoryMiB: 64, diskMiB: 16, network: false },
      accelerator: "kvm",
      diskTemplate: diskTemplate(path.join(artifacts.guestRoot, "runtime"), 16),
      runDir,
      readyTimeoutMs: kvmProbeTimeoutMs
    })
    detail = `booted in ${vm.readyMs} ms`
    vm.kill()
    accelerator = "kvm"
  } catch (e) {
    detail = e instanceof Error ? e.message : String(e)
  }
  fs.writeFileSync(cacheFile, JSON.stringify({ key, accelerator, detail, probedAt: new Date().toISOString() }, null, 2) + "\n")
  return accelerator
}
