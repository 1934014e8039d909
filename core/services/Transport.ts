// The transport port: addressed, per-link FIFO delivery of coordinator and agent messages.
// Sim provides an in-memory network with virtual latency and loss; live provides framed
// messages over authenticated TCP. Endpoints are scoped: closing the scope leaves the network.
import { Context, Data, type Effect, type Scope } from "effect"
import type { NodeId } from "../domain/ids.ts"
import type { AgentMessage, CoordinatorMessage } from "../domain/messages.ts"

export type Address = "coordinator" | NodeId

export type WireMessage = AgentMessage | CoordinatorMessage

export interface Envelope {
  readonly from: Address
  readonly message: WireMessage
}

export class PeerUnreachable extends Data.TaggedError("PeerUnreachable")<{ readonly to: Address }> {
  override get message() {
    return `no route to ${this.to}`
  }
}

export interface Endpoint {
  readonly address: Address
  /** Queues the message for delivery; a send to a peer that is gone is dropped, as on a dead link. */
  readonly send: (to: Address, message: WireMessage) => Effect.Effect<void>
  /** The next message addressed to this endpoint. */
  readonly receive: Effect.Effect<Envelope>
}

export class Transport extends Context.Tag("crowdcloud/Transport")<Transport, {
  readonly bind: (address: Address) => Effect.Effect<Endpoint, never, Scope.Scope>
}>() {}
