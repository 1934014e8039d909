// The agent transport over real TLS sockets on 127.0.0.1: joining, mutual TLS, and every refusal.
import { describe, expect, it } from "@effect/vitest"
import { createPublicKey, generateKeyPairSync } from "node:crypto"
import * as path from "node:path"
import * as tls from "node:tls"
import { Effect, Either, Layer, Option, Queue } from "effect"
import type { JobId, NodeId, RegionId } from "../../core/domain/ids.ts"
import type { AgentMessage } from "../../core/domain/messages.ts"
import { makeAgentEndpoint, type AgentEndpointShape, type AgentEvent } from "./AgentEndpoint.ts"
import { connectAgentLink, joinCluster, loadCredentials, saveCredentials, type AgentCredentials } from "./AgentLink.ts"
import { layerClusterCa, loadOrCreateClusterCa } from "./ClusterCa.ts"
import { encodeFrame } from "./frames.ts"
import { JoinRequest, parseJoinToken, signJoinProof } from "./joinProtocol.ts"
import { layerJoinTokens } from "./JoinTokens.ts"
import { capturingLogger, tempDir } from "./testSupport.ts"

const startEndpoint = (dataDir: string) =>
  makeAgentEndpoint().pipe(Effect.provide(Layer.merge(
    layerClusterCa({ dataDir }),
    layerJoinTokens({ file: path.join(dataDir, "ca", "join-tokens.json") })
  )))

/** The next event the predicate accepts (earlier ones are dropped); fails after 10 s. */
const nextEvent = <E extends AgentEvent>(endpoint: AgentEndpointShape, accept: (e: AgentEvent) => e is E) =>
  Effect.gen(function* () {
    for (;;) {
      const event = yield* Queue.take(endpoint.events)
      if (accept(event)) return event
    }
  }).pipe(Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("no such event within 10 s") }))

const isTag = <T extends AgentEvent["_tag"]>(tag: T) => (e: AgentEvent): e is Extract<AgentEvent, { _tag: T }> => e._tag === tag

const register = (id: number): AgentMessage => ({
  _tag: "Register",
  node: { id: id as NodeId, resources: { vcpus: 2, memoryMiB: 1024, diskMiB: 100 }, speed: 1, region: "r1" as RegionId, askingPrice: 1 },
  session: 1
})

const joinAs = (endpoint: AgentEndpointShape, nodeId: number) =>
  endpoint.createJoinToken(nodeId as NodeId).pipe(
    Effect.flatMap((joinToken) => joinCluster({ host: endpoint.host, joinPort: endpoint.joinPort, joinToken }))
  )

const linkTo = (endpoint: AgentEndpointShape, credentials: AgentCredentials) =>
  connectAgentLink({ host: endpoint.host, port: endpoint.port, credentials })

/** A raw TLS connection, for peers that do not follow the protocol. */
const rawConnect = (options: tls.ConnectionOptions) =>
  Effect.async<tls.TLSSocket, Error>((resume) => {
    const socket = tls.connect(options, () => resume(Effect.succeed(socket)))
    socket.once("error", (e) => resume(Effect.fail(e)))
  })

const untilClosed = (socket: tls.TLSSocket) =>
  Effect.async<void>((resume) => {
    socket.on("error", () => {})
    socket.resume()
    if (socket.destroyed) return resume(Effect.void)
    socket.on("close", () => resume(Effect.void))
  }).pipe(Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("the socket stayed open") }))

/** The warning logged for a refusal names the reason and the peer's address. */
const expectRefusalLogged = (lines: ReturnType<typeof capturingLogger>["lines"], reason: string) => {
  const line = lines.find((l) => l.level === "WARN" && l.annotations["reason"] === reason)
  expect(line, `a warning for ${reason}`).toBeDefined()
  expect(String(line!.annotations["peer"])).toMatch(/^127\.0\.0\.1:\d+$/)
  expect(line!.text).toContain(String(line!.annotations["peer"]))
}

describe("AgentEndpoint and AgentLink", () => {
  it.live("an agent joins with a token, gets a certificate, and messages flow both ways over mutual TLS", () => {
    const log = capturingLogger()
    return Effect.gen(function* () {
      const endpoint = yield* startEndpoint(yield* tempDir)
      const credentials = yield* joinAs(endpoint, 7)
      expect(credentials.nodeId).toBe(7)
      // Where to connect from now on travels with the certificate.
      expect({ host: credentials.host, agentPort: credentials.agentPort }).toEqual({ host: endpoint.host, agentPort: endpoint.port })
      expect((yield* nextEvent(endpoint, isTag("AgentJoined"))).nodeId).toBe(7)

      const link = yield* linkTo(endpoint, credentials)
      yield* link.send(register(7))
      const received = yield* nextEvent(endpoint, isTag("AgentMessageReceived"))
      expect(received.nodeId).toBe(7)
      expect(received.message).toEqual(register(7))
      expect(yield* endpoint.connectedNodes).toEqual([7])

      yield* endpoint.send(7 as NodeId, { _tag: "Registered", nodeId: 7 as NodeId, session: 1 })
      yield* endpoint.send(7 as NodeId, { _tag: "CancelJob", jobId: 3 as JobId, attempt: 0 })
      expect(yield* Queue.take(link.received)).toEqual({ _tag: "Registered", nodeId: 7, session: 1 })
      expect(yield* Queue.take(link.received)).toEqual({ _tag: "CancelJob", jobId: 3, attempt: 0 })

      const notConnected = yield* Effect.flip(endpoint.send(8 as NodeId, { _tag: "ResetAgent", nodeId: 8 as NodeId }))
      expect(notConnected._tag).toBe("AgentNotConnected")
      expect(log.lines.filter((l) => l.level === "WARN")).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(log.layer))
  })

  it.live("a token used twice is refused the second time, and the refusal is logged", () => {
    const log = capturingLogger()
    return Effect.gen(function* () {
      const endpoint = yield* startEndpoint(yield* tempDir)
      const joinToken = yield* endpoint.createJoinToken(1 as NodeId)
      yield* joinCluster({ host: endpoint.host, joinPort: endpoint.joinPort, joinToken })
      const second = yield* Effect.flip(joinCluster({ host: endpoint.host, joinPort: endpoint.joinPort, joinToken }))
      expect(second.stage).toBe("refused")
      expect(second.reason).toContain("already used")
      const refused = yield* nextEvent(endpoint, isTag("ConnectionRefused"))
      expect(refused.refusal._tag).toBe("JoinTokenAlreadyUsed")
      expectRefusalLogged(log.lines, "JoinTokenAlreadyUsed")

      const unknown = yield* Effect.flip(joinCluster({ host: endpoint.host, joinPort: endpoint.joinPort, joinToken: `guessed.${endpoint.caFingerprint}` }))
      expect(unknown.reason).toContain("unknown")
    }).pipe(Effect.scoped, Effect.provide(log.layer))
  })

  it.live("no token: an empty join request is refused, and so is a connection without a certificate", () => {
    const log = capturingLogger()
    return Effect.gen(function* () {
      const endpoint = yield* startEndpoint(yield* tempDir)
      const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
      const publicKeyPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }) as string
      const joinSocket = yield* rawConnect({ host: endpoint.host, port: endpoint.joinPort, rejectUnauthorized: false })
      const answer = yield* Effect.async<string>((resume) => {
        let text = ""
        joinSocket.on("data", (chunk: Buffer) => { text += chunk.subarray(4).toString() })
        joinSocket.on("close", () => resume(Effect.succeed(text)))
        joinSocket.write(encodeFrame(JoinRequest, JoinRequest.make({ token: "", publicKeyPem, proof: signJoinProof("", publicKeyPem, privateKey) })))
      })
      expect(JSON.parse(answer)).toEqual({ _tag: "JoinRefused", reason: "the join request carries no token" })
      expect((yield* nextEvent(endpoint, isTag("ConnectionRefused"))).refusal._tag).toBe("JoinTokenMissing")
      expectRefusalLogged(log.lines, "JoinTokenMissing")

      // Straight to the agent port with no certificate: TLS refuses it.
      const socket = yield* rawConnect({ host: endpoint.host, port: endpoint.port, rejectUnauthorized: false })
      yield* untilClosed(socket)
      const refused = yield* nextEvent(endpoint, isTag("ConnectionRefused"))
      expect(refused.refusal._tag).toBe("PeerCertificateRejected")
      expect(refused.refusal.message).toMatch(/certificate/i)
      expectRefusalLogged(log.lines, "PeerCertificateRejected")
      expect(yield* endpoint.connectedNodes).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(log.layer))
  })

  it.live("a join token pinning another CA is not sent to the coordinator", () =>
    Effect.gen(function* () {
      const endpoint = yield* startEndpoint(yield* tempDir)
      const joinToken = yield* endpoint.createJoinToken(1 as NodeId)
      const secret = Either.getOrThrow(parseJoinToken(joinToken)).token
      const failed = yield* Effect.flip(joinCluster({ host: endpoint.host, joinPort: endpoint.joinPort, joinToken: `${secret}.${"0".repeat(64)}` }))
      expect(failed.stage).toBe("verify-coordinator")
      // The token was not spent: the right pin still joins.
      expect((yield* joinCluster({ host: endpoint.host, joinPort: endpoint.joinPort, joinToken })).nodeId).toBe(1)
    }).pipe(Effect.scoped))

  it.live("a certificate from another CA (a forged agent) is refused at the TLS layer", () => {
    const log = capturingLogger()
    return Effect.gen(function* () {
      const endpoint = yield* startEndpoint(yield* tempDir)
      const genuine = yield* joinAs(endpoint, 1)
      const otherCa = yield* loadOrCreateClusterCa({ dataDir: yield* tempDir })
      const forgedCertificate = yield* otherCa.issueAgentCertificate(1 as NodeId, createPublicKey(genuine.keyPem).export({ type: "spki", format: "pem" }) as string)
      const forged: AgentCredentials = { ...genuine, certificatePem: forgedCertificate }

      const link = yield* linkTo(endpoint, forged).pipe(Effect.either)
      if (link._tag === "Right") {
        // TLS 1.3: the client finishes its handshake before the server checks its certificate.
        yield* link.right.send(register(1)).pipe(Effect.ignore)
        expect((yield* link.right.closed).reason).not.toBe("")
      }
      const refused = yield* nextEvent(endpoint, isTag("ConnectionRefused"))
      expect(refused.refusal._tag).toBe("PeerCertificateRejected")
      expectRefusalLogged(log.lines, "PeerCertificateRejected")
      expect(yield* endpoint.connectedNodes).toEqual([])
      const received = yield* Queue.takeAll(endpoint.events)
      expect([...received].filter((e) => e._tag === "AgentMessageReceived")).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(log.layer))
  })

  it.live("an agent speaking in another node's name is refused and disconnected", () => {
    const log = capturingLogger()
    return Effect.gen(function* () {
      const endpoint = yield* startEndpoint(yield* tempDir)
      const link = yield* linkTo(endpoint, yield* joinAs(endpoint, 1))
      yield* link.send({ _tag: "Heartbeat", nodeId: 1 as NodeId, session: 1, running: [] })
      expect((yield* nextEvent(endpoint, isTag("AgentMessageReceived"))).nodeId).toBe(1)
      yield* link.send({ _tag: "Heartbeat", nodeId: 2 as NodeId, session: 1, running: [] })
      const refused = yield* nextEvent(endpoint, isTag("ConnectionRefused"))
      expect(refused.refusal).toMatchObject({ _tag: "AgentIdMismatch", certificateNodeId: 1, messageNodeId: 2, messageTag: "Heartbeat" })
      expect(refused.refusal.message).toBe("node 1 sent Heartbeat in the name of node 2")
      expectRefusalLogged(log.lines, "AgentIdMismatch")
      expect(yield* link.closed).toBeDefined()
      expect((yield* Effect.flip(link.send(register(1))))._tag).toBe("LinkClosed")
      expect((yield* nextEvent(endpoint, isTag("AgentDisconnected"))).nodeId).toBe(1)

      // Register carries its id inside the node spec: checked too.
      const again = yield* linkTo(endpoint, yield* joinAs(endpoint, 3))
      yield* again.send(register(4))
      expect((yield* nextEvent(endpoint, isTag("ConnectionRefused"))).refusal).toMatchObject({ _tag: "AgentIdMismatch", messageNodeId: 4 })
    }).pipe(Effect.scoped, Effect.provide(log.layer))
  })

  it.live("a malformed frame is a typed error naming the problem, and the connection is closed", () => {
    const log = capturingLogger()
    return Effect.gen(function* () {
      const endpoint = yield* startEndpoint(yield* tempDir)
      const credentials = yield* joinAs(endpoint, 5)
      const connect = rawConnect({
        host: endpoint.host, port: endpoint.port, servername: "localhost",
        key: credentials.keyPem, cert: credentials.certificatePem, ca: [credentials.caCertificatePem]
      })
      const frame = (text: string) => {
        const body = Buffer.from(text)
        const head = Buffer.alloc(4)
        head.writeUInt32BE(body.length)
        return Buffer.concat([head, body])
      }

      const notJson = yield* connect
      notJson.write(frame("{\"_tag\": \"Heartbeat\", "))
      yield* untilClosed(notJson)
      const first = yield* nextEvent(endpoint, isTag("ConnectionRefused"))
      expect(first.refusal._tag).toBe("FrameInvalid")
      expect(first.refusal.message).toMatch(/^invalid frame: not JSON/)
      expectRefusalLogged(log.lines, "FrameInvalid")

      const wrongShape = yield* connect
      wrongShape.write(frame(JSON.stringify({ _tag: "JobStarted", nodeId: 5, jobId: "seven", attempt: 0 })))
      yield* untilClosed(wrongShape)
      const second = yield* nextEvent(endpoint, isTag("ConnectionRefused"))
      expect(second.refusal.message).toMatch(/^invalid frame: not a protocol message:.*jobId/s)

      const huge = yield* connect
      huge.write(Buffer.from([0xff, 0xff, 0xff, 0xff]))
      yield* untilClosed(huge)
      expect((yield* nextEvent(endpoint, isTag("ConnectionRefused"))).refusal.message).toContain("exceeds the limit")
    }).pipe(Effect.scoped, Effect.provide(log.layer))
  })

  it.live("a join request whose key is not proven is refused without spending the token", () => {
    const log = capturingLogger()
    return Effect.gen(function* () {
      const endpoint = yield* startEndpoint(yield* tempDir)
      const joinToken = yield* endpoint.createJoinToken(2 as NodeId)
      const { token } = Either.getOrThrow(parseJoinToken(joinToken))
      const presented = createPublicKey(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey).export({ type: "spki", format: "pem" }) as string
      const signer = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey
      const socket = yield* rawConnect({ host: endpoint.host, port: endpoint.joinPort, rejectUnauthorized: false })
      socket.write(encodeFrame(JoinRequest, JoinRequest.make({ token, publicKeyPem: presented, proof: signJoinProof(token, presented, signer) })))
      yield* untilClosed(socket)
      expect((yield* nextEvent(endpoint, isTag("ConnectionRefused"))).refusal._tag).toBe("JoinProofInvalid")
      expectRefusalLogged(log.lines, "JoinProofInvalid")
      expect((yield* joinCluster({ host: endpoint.host, joinPort: endpoint.joinPort, joinToken })).nodeId).toBe(2)
    }).pipe(Effect.scoped, Effect.provide(log.layer))
  })

  it.live("a reconnecting agent replaces its previous connection", () =>
    Effect.gen(function* () {
      const endpoint = yield* startEndpoint(yield* tempDir)
      const credentials = yield* joinAs(endpoint, 6)
      const old = yield* linkTo(endpoint, credentials)
      yield* old.send(register(6))
      yield* nextEvent(endpoint, isTag("AgentMessageReceived"))
      const fresh = yield* linkTo(endpoint, credentials)
      yield* fresh.send(register(6))
      yield* nextEvent(endpoint, isTag("AgentMessageReceived"))
      expect((yield* old.closed)._tag).toBe("LinkClosed")
      yield* fresh.send({ _tag: "Heartbeat", nodeId: 6 as NodeId, session: 1, running: [] })
      yield* nextEvent(endpoint, isTag("AgentMessageReceived"))
      expect([...(yield* Queue.takeAll(endpoint.events))].map((e) => e._tag)).not.toContain("AgentDisconnected")
      yield* endpoint.send(6 as NodeId, { _tag: "ResetAgent", nodeId: 6 as NodeId })
      expect(yield* Queue.take(fresh.received)).toEqual({ _tag: "ResetAgent", nodeId: 6 })
      expect(yield* endpoint.connectedNodes).toEqual([6])
    }).pipe(Effect.scoped))

  it.live("an agent's certificate cannot pose as the coordinator", () =>
    Effect.gen(function* () {
      const endpoint = yield* startEndpoint(yield* tempDir)
      const credentials = yield* joinAs(endpoint, 1)
      const impostor = tls.createServer({ key: credentials.keyPem, cert: credentials.certificatePem }, (s) => s.on("error", () => {}))
      const port = yield* Effect.async<number>((resume) => {
        impostor.listen(0, "127.0.0.1", () => resume(Effect.succeed((impostor.address() as { port: number }).port)))
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => impostor.close()))
      for (const servername of ["localhost", "1"]) {
        const failed = yield* Effect.flip(connectAgentLink({ host: "127.0.0.1", port, servername, credentials }))
        expect(failed.reason).toMatch(/could not connect/)
      }
    }).pipe(Effect.scoped))

  it.live("after a coordinator restart the CA is reloaded from disk and the agent's saved certificate still works", () =>
    Effect.gen(function* () {
      const coordinatorDir = yield* tempDir
      const agentDir = yield* tempDir
      const [firstFingerprint, firstPort] = yield* Effect.scoped(Effect.gen(function* () {
        const endpoint = yield* startEndpoint(coordinatorDir)
        yield* saveCredentials(agentDir, yield* joinAs(endpoint, 9))
        return [endpoint.caFingerprint, endpoint.port] as const
      }))

      const endpoint = yield* startEndpoint(coordinatorDir)
      expect(endpoint.caFingerprint).toBe(firstFingerprint)
      const credentials = Option.getOrThrow(yield* loadCredentials(agentDir))
      expect(credentials.nodeId).toBe(9)
      expect(credentials.agentPort).toBe(firstPort)
      const link = yield* linkTo(endpoint, credentials)
      yield* link.send(register(9))
      expect((yield* nextEvent(endpoint, isTag("AgentMessageReceived"))).message).toEqual(register(9))
      yield* endpoint.send(9 as NodeId, { _tag: "Registered", nodeId: 9 as NodeId, session: 1 })
      expect((yield* Queue.take(link.received))._tag).toBe("Registered")
    }).pipe(Effect.scoped))
})
