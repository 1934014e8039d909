// The agent's side of the agent transport.
// `joinCluster` makes the agent's key (node:crypto, EC P-256), checks that the join port's certificate
// was issued by the CA the token pins before sending the token, and returns the certificate it gets.
// `connectAgentLink` opens the mutual-TLS connection with those credentials.
import { generateKeyPairSync, createHash, createPublicKey, X509Certificate } from "node:crypto"
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as tls from "node:tls"
import { Context, Effect, Either, Layer, Option, Queue, Runtime, Schema, type Scope } from "effect"
import { NodeId } from "../../core/domain/ids.ts"
import { AgentFrame, CoordinatorFrame, liveFrameBytesMax } from "../protocol/messages.ts"
import { CredentialsStoreFailed, JoinFailed, LinkClosed } from "./errors.ts"
import { encodeFrame, FrameDecoder, frameBytesMaxDefault } from "./frames.ts"
import { JoinRequest, JoinResponse, parseJoinToken, signJoinProof } from "./joinProtocol.ts"

export const AgentCredentials = Schema.Struct({
  nodeId: NodeId,
  keyPem: Schema.String,
  certificatePem: Schema.String,
  caCertificatePem: Schema.String,
  /** Where the coordinator's agent port is, so a restarted agent reconnects without a token. */
  host: Schema.String,
  agentPort: Schema.Int
})
export type AgentCredentials = typeof AgentCredentials.Type

export interface JoinClusterOptions {
  readonly host: string
  readonly joinPort: number
  /** `<secret>.<CA fingerprint>` as printed by the coordinator. */
  readonly joinToken: string
  readonly timeoutMs?: number
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

/** Checks that the peer's certificate chain contains the pinned CA and that the leaf was signed by it. */
const verifyPinnedIssuer = (socket: tls.TLSSocket, caFingerprint: string): Either.Either<void, string> => {
  const leaf = socket.getPeerCertificate(true)
  if (!leaf?.raw) return Either.left("the join port presented no certificate")
  const issuer = leaf.issuerCertificate
  if (!issuer?.raw) return Either.left("the join port did not send its CA certificate")
  const fingerprint = createHash("sha256").update(issuer.raw).digest("hex")
  if (fingerprint !== caFingerprint) return Either.left(`the join port's CA is ${fingerprint}, the token pins ${caFingerprint}`)
  try {
    const ca = new X509Certificate(issuer.raw)
    const server = new X509Certificate(leaf.raw)
    if (!ca.ca || !server.checkIssued(ca) || !server.verify(ca.publicKey)) return Either.left("the join port's certificate is not signed by the pinned CA")
  } catch (e) {
    return Either.left(`the join port's certificates do not parse (${message(e)})`)
  }
  return Either.void
}

export const joinCluster = (options: JoinClusterOptions): Effect.Effect<AgentCredentials, JoinFailed> =>
  Effect.gen(function* () {
    const parsed = parseJoinToken(options.joinToken)
    if (Either.isLeft(parsed)) return yield* new JoinFailed({ stage: "token", reason: parsed.left })
    const { token, caFingerprint } = parsed.right
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
    const publicKeyPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }) as string
    const request = JoinRequest.make({ token, publicKeyPem, proof: signJoinProof(token, publicKeyPem, privateKey) })

    const response = yield* Effect.async<JoinResponse, JoinFailed>((resume) => {
      let done = false
      const finish = (result: Effect.Effect<JoinResponse, JoinFailed>) => {
        if (done) return
        done = true
        socket.destroy()
        resume(result)
      }
      // The coordinator's certificate is checked against the pinned CA below, before the token leaves.
      const socket = tls.connect({ host: options.host, port: options.joinPort, rejectUnauthorized: false, minVersion: "TLSv1.3" }, () => {
        const pinned = verifyPinnedIssuer(socket, caFingerprint)
        if (Either.isLeft(pinned)) return finish(Effect.fail(new JoinFailed({ stage: "verify-coordinator", reason: pinned.left })))
        socket.write(encodeFrame(JoinRequest, request))
      })
      const decoder = new FrameDecoder(JoinResponse, frameBytesMaxDefault)
      socket.on("data", (chunk: Buffer) => {
        const decoded = decoder.push(chunk)
        if (Either.isLeft(decoded)) return finish(Effect.fail(new JoinFailed({ stage: "response", reason: decoded.left.message })))
        const first = decoded.right[0]
        if (first !== undefined) finish(Effect.succeed(first))
      })
      socket.setTimeout(options.timeoutMs ?? 15_000, () => finish(Effect.fail(new JoinFailed({ stage: "connect", reason: "timed out" }))))
      socket.on("error", (e) => finish(Effect.fail(new JoinFailed({ stage: "connect", reason: e.message }))))
      socket.on("close", () => finish(Effect.fail(new JoinFailed({ stage: "response", reason: "the coordinator closed the connection without an answer" }))))
      return Effect.sync(() => socket.destroy())
    })
    if (response._tag === "JoinRefused") return yield* new JoinFailed({ stage: "refused", reason: response.reason })
    const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }) as string
    const check = Either.try({
      try: () => {
        const certificate = new X509Certificate(response.certificatePem)
        const ca = new X509Certificate(response.caCertificatePem)
        if (createHash("sha256").update(ca.raw).digest("hex") !== caFingerprint) throw new Error("the CA certificate is not the pinned one")
        if (!certificate.checkPrivateKey(privateKey)) throw new Error("the certificate is not for this agent's key")
        if (!certificate.verify(ca.publicKey)) throw new Error("the certificate is not signed by the CA")
      },
      catch: message
    })
    if (Either.isLeft(check)) return yield* new JoinFailed({ stage: "response", reason: check.left })
    return {
      nodeId: response.nodeId,
      keyPem,
      certificatePem: response.certificatePem,
      caCertificatePem: response.caCertificatePem,
      host: options.host,
      agentPort: response.agentPort
    }
  })

const credentialsFile = (dir: string) => join(dir, "agent-credentials.json")
const CredentialsJson = Schema.parseJson(AgentCredentials)

/** Writes the credentials to `<dir>/agent-credentials.json` (0600). */
export const saveCredentials = (dir: string, credentials: AgentCredentials): Effect.Effect<void, CredentialsStoreFailed> => {
  const path = credentialsFile(dir)
  return Effect.tryPromise({
    try: async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 })
      await writeFile(`${path}.tmp`, Schema.encodeSync(CredentialsJson)(credentials), { mode: 0o600 })
      await chmod(`${path}.tmp`, 0o600)
      await rename(`${path}.tmp`, path)
    },
    catch: (e) => new CredentialsStoreFailed({ path, reason: message(e) })
  })
}

/** The credentials saved in `dir`, or none if the agent has not joined yet. */
export const loadCredentials = (dir: string): Effect.Effect<Option.Option<AgentCredentials>, CredentialsStoreFailed> => {
  const path = credentialsFile(dir)
  return Effect.tryPromise({
    try: () => readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e))),
    catch: (e) => new CredentialsStoreFailed({ path, reason: message(e) })
  }).pipe(
    Effect.flatMap((text) => text === undefined
      ? Effect.succeed(Option.none())
      : Schema.decodeUnknown(CredentialsJson)(text).pipe(
        Effect.map(Option.some),
        Effect.mapError((e) => new CredentialsStoreFailed({ path, reason: e.message }))
      ))
  )
}

export interface AgentLinkOptions {
  readonly host: string
  readonly port: number
  readonly credentials: AgentCredentials
  /** The name the coordinator's certificate must carry; default `host`. */
  readonly servername?: string
  readonly frameBytesMax?: number
}

export interface AgentLinkShape {
  readonly nodeId: NodeId
  readonly send: (message: AgentFrame) => Effect.Effect<void, LinkClosed>
  /** Messages from the coordinator; shut down when the link closes. */
  readonly received: Queue.Dequeue<CoordinatorFrame>
  /** Waits until the link is closed, with why. */
  readonly closed: Effect.Effect<LinkClosed>
}

export class AgentLink extends Context.Tag("crowdcloud/live/AgentLink")<AgentLink, AgentLinkShape>() {}

export const connectAgentLink = (options: AgentLinkOptions): Effect.Effect<AgentLinkShape, LinkClosed, Scope.Scope> =>
  Effect.gen(function* () {
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const received = yield* Queue.unbounded<CoordinatorFrame>()
    let closedReason: LinkClosed | undefined
    const closeWaiters: Array<(reason: LinkClosed) => void> = []
    const close = (reason: LinkClosed) => {
      if (closedReason !== undefined) return
      closedReason = reason
      runFork(Queue.shutdown(received))
      for (const wake of closeWaiters.splice(0)) wake(reason)
    }
    const { credentials } = options
    const socket = yield* Effect.acquireRelease(
      Effect.async<tls.TLSSocket, LinkClosed>((resume) => {
        const socket = tls.connect({
          host: options.host,
          port: options.port,
          servername: options.servername ?? options.host,
          key: credentials.keyPem,
          cert: credentials.certificatePem,
          ca: [credentials.caCertificatePem],
          minVersion: "TLSv1.3"
        }, () => {
          socket.off("error", onConnectError)
          resume(Effect.succeed(socket))
        })
        const onConnectError = (e: Error) => resume(Effect.fail(new LinkClosed({ reason: `could not connect to ${options.host}:${options.port}: ${e.message}` })))
        socket.once("error", onConnectError)
        return Effect.sync(() => socket.destroy())
      }),
      (socket) => Effect.sync(() => {
        close(new LinkClosed({ reason: "closed by the agent" }))
        socket.destroy()
      })
    )
    const decoder = new FrameDecoder(CoordinatorFrame, options.frameBytesMax ?? liveFrameBytesMax)
    socket.on("data", (chunk: Buffer) => {
      if (closedReason !== undefined) return
      const decoded = decoder.push(chunk)
      if (Either.isLeft(decoded)) {
        runFork(Effect.logWarning(`closing the link to the coordinator: ${decoded.left.message}`))
        close(new LinkClosed({ reason: decoded.left.message }))
        socket.destroy()
        return
      }
      for (const m of decoded.right) Queue.unsafeOffer(received, m)
    })
    socket.on("error", (e) => close(new LinkClosed({ reason: e.message })))
    socket.on("close", () => close(new LinkClosed({ reason: "the coordinator closed the connection" })))

    return {
      nodeId: credentials.nodeId,
      send: (message) =>
        Effect.suspend(() => {
          if (closedReason !== undefined) return Effect.fail(closedReason)
          const frame = encodeFrame(AgentFrame, message)
          return Effect.async<void, LinkClosed>((resume) => {
            socket.write(frame, (error) => resume(error ? Effect.fail(new LinkClosed({ reason: error.message })) : Effect.void))
          })
        }),
      received,
      closed: Effect.async<LinkClosed>((resume) => {
        if (closedReason !== undefined) return resume(Effect.succeed(closedReason))
        const wake = (reason: LinkClosed) => resume(Effect.succeed(reason))
        closeWaiters.push(wake)
        return Effect.sync(() => {
          const i = closeWaiters.indexOf(wake)
          if (i >= 0) closeWaiters.splice(i, 1)
        })
      })
    } satisfies AgentLinkShape
  })

export const layerAgentLink = (options: AgentLinkOptions): Layer.Layer<AgentLink, LinkClosed> =>
  Layer.scoped(AgentLink, connectAgentLink(options))
