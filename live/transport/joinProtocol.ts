// The join exchange on the join port (server-authenticated TLS only): one JoinRequest frame from the
// agent, one JoinResponse frame from the coordinator, then the coordinator closes.
// The agent proves it holds the private key by signing the token and the key together, so a token
// seen by someone else cannot be bound to a key they do not hold.
import { createPublicKey, sign, verify, type KeyObject } from "node:crypto"
import { Either, Schema } from "effect"
import { NodeId } from "../../core/domain/ids.ts"

export const JoinRequest = Schema.TaggedStruct("JoinRequest", {
  token: Schema.String,
  publicKeyPem: Schema.String,
  /** base64 signature of `proofPayload(token, publicKeyPem)` with the agent's private key. */
  proof: Schema.String
})
export type JoinRequest = typeof JoinRequest.Type

export const JoinAccepted = Schema.TaggedStruct("JoinAccepted", {
  nodeId: NodeId,
  certificatePem: Schema.String,
  caCertificatePem: Schema.String,
  /** The coordinator's mutual-TLS agent port, where the agent connects from now on. */
  agentPort: Schema.Int
})
export const JoinRefused = Schema.TaggedStruct("JoinRefused", { reason: Schema.String })
export const JoinResponse = Schema.Union(JoinAccepted, JoinRefused)
export type JoinResponse = typeof JoinResponse.Type

const proofPayload = (token: string, publicKeyPem: string) => Buffer.from(`crowdcloud-join-v1\n${token}\n${publicKeyPem}`, "utf8")

/** Ed25519/Ed448 sign the message itself; EC and RSA keys sign its sha256. */
const digestFor = (key: KeyObject) => (key.asymmetricKeyType === "ed25519" || key.asymmetricKeyType === "ed448" ? null : "sha256")

export const signJoinProof = (token: string, publicKeyPem: string, privateKey: KeyObject): string =>
  sign(digestFor(privateKey), proofPayload(token, publicKeyPem), privateKey).toString("base64")

export const verifyJoinProof = (request: JoinRequest): Either.Either<void, string> => {
  let key: KeyObject
  try {
    key = createPublicKey(request.publicKeyPem)
  } catch (e) {
    return Either.left(`the public key does not parse (${e instanceof Error ? e.message : String(e)})`)
  }
  const ok = (() => {
    try {
      return verify(digestFor(key), proofPayload(request.token, request.publicKeyPem), key, Buffer.from(request.proof, "base64"))
    } catch {
      return false
    }
  })()
  return ok ? Either.void : Either.left("the signature does not verify with the presented key")
}

/** What an operator hands to an agent: the token secret and the fingerprint of the CA it must find. */
export const formatJoinToken = (token: string, caFingerprint: string): string => `${token}.${caFingerprint}`

export const parseJoinToken = (joinToken: string): Either.Either<{ token: string; caFingerprint: string }, string> => {
  const dot = joinToken.lastIndexOf(".")
  const token = joinToken.slice(0, dot)
  const caFingerprint = joinToken.slice(dot + 1)
  return dot > 0 && /^[0-9a-f]{64}$/.test(caFingerprint)
    ? Either.right({ token, caFingerprint })
    : Either.left("a join token is <secret>.<sha256 of the CA certificate, 64 hex digits>")
}
