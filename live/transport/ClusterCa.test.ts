import { describe, expect, it } from "@effect/vitest"
import { X509Certificate, createPublicKey, generateKeyPairSync } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Exit } from "effect"
import type { NodeId } from "../../core/domain/ids.ts"
import { caFingerprintOf, loadOrCreateClusterCa } from "./ClusterCa.ts"
import { tempDir } from "./testSupport.ts"

const agentPublicKeyPem = () =>
  createPublicKey(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey).export({ type: "spki", format: "pem" }) as string

describe("ClusterCa", () => {
  it.scoped("is created once with owner-only files and reloaded unchanged", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const first = yield* loadOrCreateClusterCa({ dataDir: dir })
      expect(first.created).toBe(true)
      const caDir = path.join(dir, "ca")
      expect(fs.statSync(caDir).mode & 0o777).toBe(0o700)
      for (const file of ["ca.key", "ca.crt"]) expect(fs.statSync(path.join(caDir, file)).mode & 0o777).toBe(0o600)
      const ca = new X509Certificate(first.caCertificatePem)
      expect(ca.ca).toBe(true)
      expect(first.caFingerprint).toBe(caFingerprintOf(fs.readFileSync(path.join(caDir, "ca.crt"), "utf8")))

      const second = yield* loadOrCreateClusterCa({ dataDir: dir })
      expect(second.created).toBe(false)
      expect(second.caFingerprint).toBe(first.caFingerprint)
      // The server certificate is new at every start but always from the same CA.
      expect(new X509Certificate(second.server.certificatePem).verify(ca.publicKey)).toBe(true)
      expect(new X509Certificate(second.server.certificatePem).checkHost("localhost")).toBe("localhost")
      expect(new X509Certificate(second.server.certificatePem).checkIP("127.0.0.1")).toBe("127.0.0.1")
    }))

  it.scoped("issues an agent certificate for the agent's key, named by its node id, for client auth only", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const ca = yield* loadOrCreateClusterCa({ dataDir: dir })
      const publicKeyPem = agentPublicKeyPem()
      const pem = yield* ca.issueAgentCertificate(42 as NodeId, publicKeyPem)
      const cert = new X509Certificate(pem)
      expect(cert.subject).toContain("CN=42")
      expect(cert.verify(new X509Certificate(ca.caCertificatePem).publicKey)).toBe(true)
      expect(cert.publicKey.export({ type: "spki", format: "pem" })).toBe(publicKeyPem)
      expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"])
      expect(cert.ca).toBe(false)
      const other = new X509Certificate(yield* ca.issueAgentCertificate(42 as NodeId, publicKeyPem))
      expect(other.serialNumber).not.toBe(cert.serialNumber)
    }))

  it.scoped("refuses a public key that does not parse, and a key that is not the certificate's", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const ca = yield* loadOrCreateClusterCa({ dataDir: dir })
      const bad = yield* Effect.exit(ca.issueAgentCertificate(1 as NodeId, "not a key"))
      expect(Exit.isFailure(bad) && JSON.stringify(bad.cause)).toContain("ClusterCaFailed")

      const otherDir = yield* tempDir
      yield* loadOrCreateClusterCa({ dataDir: otherDir })
      fs.copyFileSync(path.join(otherDir, "ca", "ca.key"), path.join(dir, "ca", "ca.key"))
      const mismatch = yield* Effect.flip(loadOrCreateClusterCa({ dataDir: dir }))
      expect(mismatch.message).toContain("is not the key of")
    }))
})
