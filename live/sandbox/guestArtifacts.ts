// Where setup.sh put the guest kernel, initramfs and images: <guest dir>/<recipe>/, the recipe being
// the first 12 hex digits of sha256(setup.sh + live/sandbox/guest/* in byte order of their names),
// exactly as setup.sh computes it, so code and artifacts can never silently disagree.
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Either } from "effect"
import { GuestArtifactsMissing } from "./errors.ts"

export interface GuestArtifacts {
  readonly guestRoot: string
  readonly dir: string
  readonly recipe: string
  readonly qemu: string
  readonly kernel: string
  readonly initramfs: string
  /** Image name -> read-only squashfs file. */
  readonly images: Readonly<Record<string, string>>
}

export const defaultGuestRoot = (): string =>
  process.env["CROWDCLOUD_GUEST_DIR"] ?? path.join(os.homedir(), ".cache", "crowdcloud", "guest")

export const guestRecipe = (): string => {
  const here = import.meta.dirname
  const guestFiles = fs.readdirSync(path.join(here, "guest")).map((f) => `guest/${f}`).sort((a, b) => (Buffer.from(a).compare(Buffer.from(b))))
  const hash = createHash("sha256")
  for (const f of ["setup.sh", ...guestFiles]) hash.update(fs.readFileSync(path.join(here, f)))
  return hash.digest("hex").slice(0, 12)
}

const findOnPath = (command: string): string | undefined => {
  for (const dir of (process.env["PATH"] ?? "").split(":")) {
    const candidate = path.join(dir, command)
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}

export const findGuestArtifacts = (guestRoot: string = defaultGuestRoot()): Either.Either<GuestArtifacts, GuestArtifactsMissing> => {
  const qemu = findOnPath("qemu-system-x86_64")
  if (qemu === undefined) return Either.left(new GuestArtifactsMissing({ what: "qemu-system-x86_64", path: "$PATH" }))
  const recipe = guestRecipe()
  const dir = path.join(guestRoot, recipe)
  const manifest = path.join(dir, "manifest.json")
  if (!fs.existsSync(manifest)) {
    return Either.left(new GuestArtifactsMissing({ what: `the guest kernel and images for recipe ${recipe}`, path: manifest }))
  }
  const images: Record<string, string> = {}
  for (const name of ["busybox", "python"]) {
    const file = path.join(dir, `${name}.img`)
    if (!fs.existsSync(file)) return Either.left(new GuestArtifactsMissing({ what: `the guest image "${name}"`, path: file }))
    images[name] = file
  }
  return Either.right({
    guestRoot, dir, recipe, qemu,
    kernel: path.join(dir, "vmlinuz"),
    initramfs: path.join(dir, "initramfs.cpio.gz"),
    images
  })
}
