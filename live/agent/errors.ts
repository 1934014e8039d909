// What can stop the agent daemon from starting. Once it runs, nothing stops it but a signal: a lost
// coordinator is retried forever, and a job that cannot run is that attempt's failure.
import { Data } from "effect"

/** Neither saved credentials in the data directory nor a join token to get them. */
export class AgentNotEnrolled extends Data.TaggedError("AgentNotEnrolled")<{
  readonly dataDir: string
}> {
  override get message() {
    return `no credentials in ${this.dataDir} and no join token: start the agent once with --join HOST:PORT --token T`
  }
}

/** The session counter file could not be read or written. */
export class SessionStoreFailed extends Data.TaggedError("SessionStoreFailed")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `agent session counter at ${this.path}: ${this.reason}`
  }
}

/** The saved certificate does not name the node the credentials claim. */
export class CredentialsInvalid extends Data.TaggedError("CredentialsInvalid")<{
  readonly reason: string
}> {
  override get message() {
    return `the agent's credentials are unusable: ${this.reason}`
  }
}

/** The resources, region or price given for this node are not valid for a node's spec. */
export class AgentSpecInvalid extends Data.TaggedError("AgentSpecInvalid")<{
  readonly reason: string
}> {
  override get message() {
    return `the node's spec is invalid: ${this.reason}`
  }
}
