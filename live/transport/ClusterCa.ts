// The cluster CA: created on the coordinator's first start in `<dataDir>/ca/` (ca.key, ca.crt; 0600
// in a 0700 directory), loaded on later starts. Keys are made with node:crypto (EC P-256, PKCS#8);
// certificates with the `openssl` CLI, because node has no API that writes certificates.
// The coordinator's server certificate is issued by the same CA at every start, with a fresh key.
import { execFile } from "node:child_process"
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto"
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Layer } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import { ClusterCaFailed } from "./errors.ts"

export interface ClusterCaOptions {
  readonly dataDir: string
  /** DNS names and IP addresses the coordinator's server certificate is valid for. */
  readonly serverNames?: ReadonlyArray<string>
}

export interface ClusterCaShape {
  readonly caCertificatePem: string
  /** sha256 of the CA certificate's DER, lowercase hex: what a join token pins. */
  readonly caFingerprint: string
  /** True when this start created the CA. */
  readonly created: boolean
  readonly server: { readonly keyPem: string; readonly certificatePem: string }
  /** An agent certificate (CN = node id, client auth only) for a public key the agent made. */
  readonly issueAgentCertificate: (nodeId: NodeId, publicKeyPem: string) => Effect.Effect<string, ClusterCaFailed>
}

export class ClusterCa extends Context.Tag("crowdcloud/live/ClusterCa")<ClusterCa, ClusterCaShape>() {}

export const serverNamesDefault: ReadonlyArray<string> = ["localhost", "127.0.0.1", "::1"]
const caSubject = "/O=CrowdCloud/CN=CrowdCloud cluster CA"
const coordinatorSubject = "/O=CrowdCloud/CN=crowdcloud-coordinator"
const caValidityDays = 3650
const leafValidityDays = 825

const fail = (operation: string) => (cause: unknown) =>
  new ClusterCaFailed({ operation, reason: cause instanceof Error ? cause.message : String(cause) })

const openssl = (args: ReadonlyArray<string>, cwd: string) =>
  Effect.async<string, ClusterCaFailed>((resume) => {
    execFile("openssl", args as Array<string>, { cwd }, (error, stdout, stderr) => {
      if (error === null) resume(Effect.succeed(stdout))
      else if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        resume(Effect.fail(new ClusterCaFailed({ operation: "run openssl", reason: "the openssl command is not installed (apt-get install openssl)" })))
      } else resume(Effect.fail(new ClusterCaFailed({ operation: `run openssl ${args[0]}`, reason: stderr.trim() || error.message })))
    })
  })

/** A private scratch directory for openssl's inputs and outputs, removed afterwards. */
const withScratch = <A, E>(use: (dir: string) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.tryPromise({ try: () => mkdtemp(join(tmpdir(), "crowdcloud-ca-")), catch: fail("make a scratch directory") }),
    use,
    (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )

/** Writes a file readable only by its owner, atomically (a crash leaves the old file or none). */
const writePrivate = (path: string, text: string) =>
  Effect.tryPromise({
    try: async () => {
      const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`
      await writeFile(tmp, text, { mode: 0o600 })
      await chmod(tmp, 0o600)
      await rename(tmp, path)
    },
    catch: fail(`write ${path}`)
  })

const readIfExists = (path: string) =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e))),
    catch: fail(`read ${path}`)
  })

const newKeyPem = () =>
  generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string

const serialArg = () => `0x${randomBytes(16).toString("hex").replace(/^[89a-f]/, "1")}`

const isIp = (name: string) => /^[0-9.]+$/.test(name) || name.includes(":")

/** Issues a leaf certificate for `publicKeyPem` signed by the CA; `extensions` is an openssl extfile. */
const issueLeaf = (caDir: string, subject: string, publicKeyPem: string, extensions: string) =>
  withScratch((dir) =>
    Effect.gen(function* () {
      yield* Effect.tryPromise({
        try: () => Promise.all([writeFile(join(dir, "pub.pem"), publicKeyPem), writeFile(join(dir, "ext.cnf"), extensions)]),
        catch: fail("write the certificate request")
      })
      yield* openssl(
        ["x509", "-new", "-force_pubkey", "pub.pem", "-subj", subject, "-CA", join(caDir, "ca.crt"), "-CAkey", join(caDir, "ca.key"),
          "-set_serial", serialArg(), "-days", String(leafValidityDays), "-sha256", "-extfile", "ext.cnf", "-out", "leaf.crt"],
        dir
      )
      return yield* Effect.tryPromise({ try: () => readFile(join(dir, "leaf.crt"), "utf8"), catch: fail("read the issued certificate") })
    })
  )

export const caFingerprintOf = (caCertificatePem: string): string =>
  createHash("sha256").update(new X509Certificate(caCertificatePem).raw).digest("hex")

export const loadOrCreateClusterCa = (options: ClusterCaOptions): Effect.Effect<ClusterCaShape, ClusterCaFailed> =>
  Effect.gen(function* () {
    const caDir = join(options.dataDir, "ca")
    yield* Effect.tryPromise({ try: () => mkdir(caDir, { recursive: true, mode: 0o700 }), catch: fail(`create ${caDir}`) })
    const keyPath = join(caDir, "ca.key")
    const certPath = join(caDir, "ca.crt")

    let keyPem = yield* readIfExists(keyPath)
    let certPem = yield* readIfExists(certPath)
    const created = certPem === undefined
    if (keyPem === undefined) {
      if (certPem !== undefined) return yield* new ClusterCaFailed({ operation: "load the CA", reason: `${certPath} exists but its key ${keyPath} is missing` })
      keyPem = newKeyPem()
      yield* writePrivate(keyPath, keyPem)
    }
    if (certPem === undefined) {
      // A crash between the key and the certificate leaves only the key: the certificate is made from it.
      yield* withScratch((dir) =>
        openssl(["req", "-x509", "-new", "-key", keyPath, "-subj", caSubject, "-days", String(caValidityDays), "-sha256",
          "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.crt"], dir).pipe(
          Effect.zipRight(Effect.tryPromise({ try: () => readFile(join(dir, "ca.crt"), "utf8"), catch: fail("read the new CA certificate") })),
          Effect.tap((pem) => writePrivate(certPath, pem)),
          Effect.map((pem) => { certPem = pem })
        )
      )
    }
    const caCertificatePem = certPem!
    const caKeyPem = keyPem
    yield* Effect.try({
      try: () => {
        const cert = new X509Certificate(caCertificatePem)
        if (!cert.ca) throw new Error(`${certPath} is not a CA certificate`)
        if (!cert.checkPrivateKey(createPrivateKey(caKeyPem))) throw new Error(`${keyPath} is not the key of ${certPath}`)
      },
      catch: fail("load the CA")
    })
    for (const path of [keyPath, certPath]) {
      const mode = yield* Effect.tryPromise({ try: () => stat(path), catch: fail(`stat ${path}`) }).pipe(Effect.map((s) => s.mode & 0o777))
      if ((mode & 0o077) !== 0) yield* Effect.logWarning(`${path} is readable by others (mode ${mode.toString(8)}); it should be 600`)
    }

    const serverNames = options.serverNames ?? serverNamesDefault
    const serverKeyPem = newKeyPem()
    const serverPublicPem = createPublicKey(serverKeyPem).export({ type: "spki", format: "pem" }) as string
    const san = serverNames.map((n) => (isIp(n) ? `IP:${n}` : `DNS:${n}`)).join(",")
    const serverCertPem = yield* issueLeaf(caDir, coordinatorSubject, serverPublicPem,
      `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`)

    return {
      caCertificatePem,
      caFingerprint: caFingerprintOf(caCertificatePem),
      created,
      server: { keyPem: serverKeyPem, certificatePem: serverCertPem },
      issueAgentCertificate: (nodeId, publicKeyPem) =>
        Effect.try({ try: () => createPublicKey(publicKeyPem).export({ type: "spki", format: "pem" }) as string, catch: fail("read the agent's public key") }).pipe(
          Effect.flatMap((spki) => issueLeaf(caDir, `/O=CrowdCloud/CN=${nodeId}`, spki,
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"))
        )
    } satisfies ClusterCaShape
  })

export const layerClusterCa = (options: ClusterCaOptions): Layer.Layer<ClusterCa, ClusterCaFailed> =>
  Layer.effect(ClusterCa, loadOrCreateClusterCa(options))
