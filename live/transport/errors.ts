// What can go wrong on the agent transport. Refusals carry what an operator needs to act on a
// log line; infrastructure failures (openssl, the file system, listen) carry the operation and cause.
import { Data } from "effect"

/** Creating, loading or using the cluster CA failed (openssl missing, unreadable files, a key that does not match its certificate). */
export class ClusterCaFailed extends Data.TaggedError("ClusterCaFailed")<{
  readonly operation: string
  readonly reason: string
}> {
  override get message() {
    return `cluster CA: could not ${this.operation}: ${this.reason}`
  }
}

/** The join tokens' file could not be read or written. */
export class JoinTokenStoreFailed extends Data.TaggedError("JoinTokenStoreFailed")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `join tokens at ${this.path}: ${this.reason}`
  }
}

/** The join token is not one this coordinator issued (or it was issued before a lost token file). */
export class JoinTokenUnknown extends Data.TaggedError("JoinTokenUnknown")<{}> {
  override get message() {
    return "the join token is unknown"
  }
}

/** The join token was already redeemed: tokens are one-time. */
export class JoinTokenAlreadyUsed extends Data.TaggedError("JoinTokenAlreadyUsed")<{
  readonly usedAtMs: number
}> {
  override get message() {
    return `the join token was already used (at ${new Date(this.usedAtMs).toISOString()})`
  }
}

/** The join token expired before it was redeemed. */
export class JoinTokenExpired extends Data.TaggedError("JoinTokenExpired")<{
  readonly expiredAtMs: number
}> {
  override get message() {
    return `the join token expired at ${new Date(this.expiredAtMs).toISOString()}`
  }
}

/** A join request came without a token. */
export class JoinTokenMissing extends Data.TaggedError("JoinTokenMissing")<{}> {
  override get message() {
    return "the join request carries no token"
  }
}

/** The joining agent's public key does not parse, or its proof of owning the private key does not verify. */
export class JoinProofInvalid extends Data.TaggedError("JoinProofInvalid")<{
  readonly reason: string
}> {
  override get message() {
    return `the join request's key is not proven: ${this.reason}`
  }
}

/** The TLS layer refused the peer: no client certificate, one from another CA, or one that is not an agent's. */
export class PeerCertificateRejected extends Data.TaggedError("PeerCertificateRejected")<{
  readonly reason: string
}> {
  override get message() {
    return `the peer's certificate was rejected: ${this.reason}`
  }
}

/** An authenticated agent sent a message in another node's name. */
export class AgentIdMismatch extends Data.TaggedError("AgentIdMismatch")<{
  readonly certificateNodeId: number
  readonly messageNodeId: number
  readonly messageTag: string
}> {
  override get message() {
    return `node ${this.certificateNodeId} sent ${this.messageTag} in the name of node ${this.messageNodeId}`
  }
}

/** A frame was too large, not JSON, or not a message of the protocol. */
export class FrameInvalid extends Data.TaggedError("FrameInvalid")<{
  readonly reason: string
}> {
  override get message() {
    return `invalid frame: ${this.reason}`
  }
}

/** Why the endpoint refused a connection or closed it. */
export type TransportRefusal =
  | JoinTokenMissing
  | JoinTokenUnknown
  | JoinTokenAlreadyUsed
  | JoinTokenExpired
  | JoinProofInvalid
  | PeerCertificateRejected
  | AgentIdMismatch
  | FrameInvalid

/** The endpoint could not listen on its ports. */
export class EndpointListenFailed extends Data.TaggedError("EndpointListenFailed")<{
  readonly host: string
  readonly port: number
  readonly reason: string
}> {
  override get message() {
    return `could not listen on ${this.host}:${this.port}: ${this.reason}`
  }
}

/** The coordinator has no authenticated connection to this node. */
export class AgentNotConnected extends Data.TaggedError("AgentNotConnected")<{
  readonly nodeId: number
}> {
  override get message() {
    return `node ${this.nodeId} is not connected`
  }
}

/** Joining the cluster failed before a certificate was obtained; `refused` means the coordinator said no. */
export class JoinFailed extends Data.TaggedError("JoinFailed")<{
  readonly stage: "token" | "connect" | "verify-coordinator" | "refused" | "response"
  readonly reason: string
}> {
  override get message() {
    return `joining the cluster failed (${this.stage}): ${this.reason}`
  }
}

/** The agent's authenticated connection could not be opened or was closed. */
export class LinkClosed extends Data.TaggedError("LinkClosed")<{
  readonly reason: string
}> {
  override get message() {
    return `the link to the coordinator is closed: ${this.reason}`
  }
}

/** Agent credentials could not be written or read. */
export class CredentialsStoreFailed extends Data.TaggedError("CredentialsStoreFailed")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `agent credentials at ${this.path}: ${this.reason}`
  }
}
