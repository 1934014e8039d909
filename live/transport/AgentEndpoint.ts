// The coordinator's side of the agent transport: two TLS listeners.
// - the join port: server-authenticated TLS only; an agent presents a one-time token, its public key
//   and a proof of holding the private key, and gets a certificate (CN = its node id) from the cluster CA;
// - the agent port: mutual TLS against the cluster CA (requestCert + rejectUnauthorized); the node id
//   of every message must be the certificate's, so an agent cannot speak for another.
// Every refusal is logged (warning, with the reason and the peer's address) and published as an event.
import type { Socket } from "node:net"
import type { AddressInfo } from "node:net"
import * as tls from "node:tls"
import { Context, Effect, Either, Layer, Queue, Runtime, Schema, type Scope } from "effect"
import { NodeId } from "../../core/domain/ids.ts"
import type { AgentMessage } from "../../core/domain/messages.ts"
import { AgentFrame, CoordinatorFrame, isCoreAgentMessage, liveFrameBytesMax } from "../protocol/messages.ts"
import { ClusterCa, layerClusterCa } from "./ClusterCa.ts"
import {
  AgentIdMismatch, AgentNotConnected, ClusterCaFailed, EndpointListenFailed, JoinProofInvalid, JoinTokenStoreFailed, JoinTokenMissing,
  PeerCertificateRejected, type TransportRefusal
} from "./errors.ts"
import { encodeFrame, FrameDecoder } from "./frames.ts"
import { JoinRequest, JoinResponse, formatJoinToken, verifyJoinProof } from "./joinProtocol.ts"
import { JoinTokens, layerJoinTokens } from "./JoinTokens.ts"

export interface AgentEndpointOptions {
  /** Address both listeners bind to; default 127.0.0.1. */
  readonly host?: string
  /** The mutual-TLS agent port; 0 (default) picks a free one. */
  readonly port?: number
  /** The join port; 0 (default) picks a free one. */
  readonly joinPort?: number
  readonly frameBytesMax?: number
  /** A join request that has not arrived after this long is dropped; default 10 s. */
  readonly joinTimeoutMs?: number
}

export type AgentEvent =
  | { readonly _tag: "AgentConnected"; readonly nodeId: NodeId; readonly peer: string }
  | { readonly _tag: "AgentMessageReceived"; readonly nodeId: NodeId; readonly message: AgentFrame }
  /** The node's current connection closed (not emitted for a connection its newer one replaced). */
  | { readonly _tag: "AgentDisconnected"; readonly nodeId: NodeId; readonly peer: string }
  | { readonly _tag: "AgentJoined"; readonly nodeId: NodeId; readonly peer: string }
  | { readonly _tag: "ConnectionRefused"; readonly peer: string; readonly refusal: TransportRefusal }

export interface AgentEndpointShape {
  readonly host: string
  readonly port: number
  readonly joinPort: number
  readonly caFingerprint: string
  /** Connections, messages, joins and refusals, in the order they happened. */
  readonly events: Queue.Dequeue<AgentEvent>
  readonly send: (nodeId: NodeId, message: CoordinatorFrame) => Effect.Effect<void, AgentNotConnected>
  /** A one-time join token for `nodeId`, as handed to `crowdcloud agent --token` (secret + CA fingerprint). */
  readonly createJoinToken: (nodeId: NodeId, ttlMs?: number) => Effect.Effect<string, JoinTokenStoreFailed>
  readonly connectedNodes: Effect.Effect<ReadonlyArray<NodeId>>
}

export class AgentEndpoint extends Context.Tag("crowdcloud/live/AgentEndpoint")<AgentEndpoint, AgentEndpointShape>() {}

export const joinTokenTtlMsDefault = 3600_000
const joinFrameBytesMax = 64 * 1024
/** A peer that has not finished its TLS handshake by then is dropped (node's default is 120 s). */
const handshakeTimeoutMs = 10_000

/** The node a message speaks for. */
export const nodeIdOfMessage = (message: AgentMessage): NodeId => (message._tag === "Register" ? message.node.id : message.nodeId)

const peerOf = (socket: Socket) => `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`

const decodeNodeId = Schema.decodeUnknownEither(NodeId)
/** The node id in an agent certificate's CN, if it is one. */
export const nodeIdOfCertificate = (certificate: tls.PeerCertificate): NodeId | undefined => {
  const cn = certificate.subject?.CN
  if (typeof cn !== "string" || !/^\d+$/.test(cn)) return undefined
  return Either.getOrUndefined(decodeNodeId(Number(cn)))
}

const listen = (server: tls.Server, host: string, port: number, sockets: Set<Socket>) =>
  Effect.acquireRelease(
    Effect.async<number, EndpointListenFailed>((resume) => {
      const onError = (e: Error) => resume(Effect.fail(new EndpointListenFailed({ host, port, reason: e.message })))
      server.once("error", onError)
      server.listen(port, host, () => {
        server.off("error", onError)
        resume(Effect.succeed((server.address() as AddressInfo).port))
      })
    }),
    () =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        for (const s of sockets) s.destroy()
      })
  )

export const makeAgentEndpoint = (
  options: AgentEndpointOptions = {}
): Effect.Effect<AgentEndpointShape, EndpointListenFailed, Scope.Scope | ClusterCa | JoinTokens> =>
  Effect.gen(function* () {
    const ca = yield* ClusterCa
    const tokens = yield* JoinTokens
    const host = options.host ?? "127.0.0.1"
    const frameBytesMax = options.frameBytesMax ?? liveFrameBytesMax
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const events = yield* Effect.acquireRelease(Queue.unbounded<AgentEvent>(), Queue.shutdown)
    const connections = new Map<NodeId, tls.TLSSocket>()
    const sockets = new Set<Socket>()
    // A TLS socket that fails its handshake may have lost its address by the time the error is
    // reported, so the address is read when the TCP connection arrives and found via the TLS
    // socket's (undocumented but long-standing) `_parent`.
    const peers = new WeakMap<Socket, string>()
    const track = (socket: Socket) => {
      sockets.add(socket)
      peers.set(socket, peerOf(socket))
      socket.on("close", () => sockets.delete(socket))
    }
    const peerOfFailed = (socket: tls.TLSSocket) => {
      const parent = (socket as unknown as { _parent?: Socket })._parent
      return (parent && peers.get(parent)) ?? peerOf(socket)
    }

    const refuse = (peer: string, refusal: TransportRefusal, socket?: Socket) => {
      runFork(Effect.logWarning(`agent transport refused ${peer}: ${refusal.message}`).pipe(
        Effect.annotateLogs({ peer, reason: refusal._tag })
      ))
      Queue.unsafeOffer(events, { _tag: "ConnectionRefused", peer, refusal })
      socket?.destroy()
    }

    // ---- the agent port (mutual TLS)
    const agentServer = tls.createServer({
      key: ca.server.keyPem,
      cert: ca.server.certificatePem,
      ca: [ca.caCertificatePem],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: "TLSv1.3",
      handshakeTimeout: handshakeTimeoutMs
    }, (socket) => {
      const peer = peerOf(socket)
      socket.on("error", () => {})
      socket.setKeepAlive(true, 15_000)
      const nodeId = nodeIdOfCertificate(socket.getPeerCertificate())
      if (!socket.authorized || nodeId === undefined) {
        refuse(peer, new PeerCertificateRejected({
          reason: socket.authorized ? `subject ${JSON.stringify(socket.getPeerCertificate().subject ?? {})} is not an agent's` : String(socket.authorizationError)
        }), socket)
        return
      }
      connections.get(nodeId)?.destroy()
      connections.set(nodeId, socket)
      Queue.unsafeOffer(events, { _tag: "AgentConnected", nodeId, peer })
      const decoder = new FrameDecoder(AgentFrame, frameBytesMax)
      let refused = false
      socket.on("data", (chunk: Buffer) => {
        if (refused) return
        const decoded = decoder.push(chunk)
        if (Either.isLeft(decoded)) {
          refused = true
          return refuse(peer, decoded.left, socket)
        }
        for (const message of decoded.right) {
          // Live I/O frames speak for the connection's node; core's messages name one, which must be it.
          const claimed: NodeId = isCoreAgentMessage(message) ? nodeIdOfMessage(message) : nodeId
          if (claimed !== nodeId) {
            refused = true
            return refuse(peer, new AgentIdMismatch({ certificateNodeId: nodeId, messageNodeId: claimed, messageTag: message._tag }), socket)
          }
          Queue.unsafeOffer(events, { _tag: "AgentMessageReceived", nodeId, message })
        }
      })
      socket.on("close", () => {
        // A connection replaced by the node's newer one is not a disconnection of the node.
        if (connections.get(nodeId) !== socket) return
        connections.delete(nodeId)
        Queue.unsafeOffer(events, { _tag: "AgentDisconnected", nodeId, peer })
      })
    })
    agentServer.on("connection", track)
    agentServer.on("tlsClientError", (error, socket) => refuse(peerOfFailed(socket), new PeerCertificateRejected({ reason: error.message }), socket))

    // ---- the join port (server-authenticated TLS; the CA certificate is sent in the chain for the agent to pin)
    const handleJoin = (peer: string, request: JoinRequest) =>
      Effect.gen(function* () {
        if (request.token.length === 0) return yield* new JoinTokenMissing()
        const proof = verifyJoinProof(request)
        if (Either.isLeft(proof)) return yield* new JoinProofInvalid({ reason: proof.left })
        const nodeId = yield* tokens.redeem(request.token)
        const certificatePem = yield* ca.issueAgentCertificate(nodeId, request.publicKeyPem)
        yield* Effect.logInfo(`node ${nodeId} joined the cluster from ${peer}`)
        Queue.unsafeOffer(events, { _tag: "AgentJoined", nodeId, peer })
        return { _tag: "JoinAccepted", nodeId, certificatePem, caCertificatePem: ca.caCertificatePem, agentPort: port } as const
      })

    const joinServer = tls.createServer({
      key: ca.server.keyPem,
      cert: ca.server.certificatePem + ca.caCertificatePem,
      minVersion: "TLSv1.3",
      handshakeTimeout: handshakeTimeoutMs
    }, (socket) => {
      const peer = peerOf(socket)
      socket.on("error", () => {})
      socket.setTimeout(options.joinTimeoutMs ?? 10_000, () => socket.destroy())
      const decoder = new FrameDecoder(JoinRequest, joinFrameBytesMax)
      let handled = false
      const respond = (response: JoinResponse) => socket.end(encodeFrame(JoinResponse, response))
      socket.on("data", (chunk: Buffer) => {
        if (handled) return
        const decoded = decoder.push(chunk)
        if (Either.isLeft(decoded)) {
          handled = true
          return refuse(peer, decoded.left, socket)
        }
        const request = decoded.right[0]
        if (request === undefined) return
        handled = true
        runFork(handleJoin(peer, request).pipe(
          Effect.tap((accepted) => Effect.sync(() => respond(accepted))),
          Effect.catchAll((error) =>
            Effect.sync(() => {
              if (error instanceof ClusterCaFailed || error instanceof JoinTokenStoreFailed) {
                respond({ _tag: "JoinRefused", reason: "the coordinator could not issue a certificate" })
                runFork(Effect.logError(`join from ${peer} failed: ${error.message}`))
              } else {
                respond({ _tag: "JoinRefused", reason: error.message })
                refuse(peer, error)
              }
            })
          )
        ))
      })
    })
    joinServer.on("connection", track)
    joinServer.on("tlsClientError", (error, socket) => runFork(Effect.logWarning(`join port: TLS handshake failed with ${peerOfFailed(socket)}: ${error.message}`)))

    const port = yield* listen(agentServer, host, options.port ?? 0, sockets)
    const joinPort = yield* listen(joinServer, host, options.joinPort ?? 0, sockets)
    yield* Effect.logInfo(`agent endpoint on ${host}:${port} (join port ${joinPort}), cluster CA ${ca.caFingerprint}`)

    return {
      host,
      port,
      joinPort,
      caFingerprint: ca.caFingerprint,
      events,
      send: (nodeId, message) =>
        Effect.suspend(() => {
          const socket = connections.get(nodeId)
          if (socket === undefined) return Effect.fail(new AgentNotConnected({ nodeId }))
          const frame = encodeFrame(CoordinatorFrame, message)
          return Effect.async<void, AgentNotConnected>((resume) => {
            socket.write(frame, (error) => resume(error ? Effect.fail(new AgentNotConnected({ nodeId })) : Effect.void))
          })
        }),
      createJoinToken: (nodeId, ttlMs = joinTokenTtlMsDefault) =>
        tokens.issue(nodeId, ttlMs).pipe(Effect.map((issued) => formatJoinToken(issued.token, ca.caFingerprint))),
      connectedNodes: Effect.sync(() => [...connections.keys()].sort((a, b) => a - b))
    } satisfies AgentEndpointShape
  })

export const layerAgentEndpoint = (options: AgentEndpointOptions = {}): Layer.Layer<AgentEndpoint, EndpointListenFailed, ClusterCa | JoinTokens> =>
  Layer.scoped(AgentEndpoint, makeAgentEndpoint(options))

/** The whole coordinator side from a data directory: the CA and the join tokens kept there, and the endpoint. */
export const layerCoordinatorTransport = (
  options: AgentEndpointOptions & { readonly dataDir: string; readonly serverNames?: ReadonlyArray<string> }
): Layer.Layer<AgentEndpoint | ClusterCa | JoinTokens, EndpointListenFailed | ClusterCaFailed | JoinTokenStoreFailed> =>
  layerAgentEndpoint(options).pipe(
    Layer.provideMerge(Layer.merge(
      layerClusterCa({ dataDir: options.dataDir, ...(options.serverNames ? { serverNames: options.serverNames } : {}) }),
      layerJoinTokens({ file: `${options.dataDir}/ca/join-tokens.json` })
    ))
  )
