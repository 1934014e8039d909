// The cluster API on a real Node HTTP server, with the services the routes need (ClusterApi, TrafficMeter, ...) from context. Port 0 picks a free port.
import { createServer } from "node:http"
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import type { ServeError } from "@effect/platform/HttpServerError"
import { Context, Effect, Layer, type Scope } from "effect"
import { clusterApp, type ClusterAppServices } from "./routes.ts"

export interface ServeOptions {
  /** 0 = any free port. */
  readonly port: number
  /** Default 127.0.0.1. */
  readonly host?: string
}

/** Serves `clusterApp` while the layer lives; it also provides `HttpServer` (read the port with `HttpServer.addressWith`). */
export const layerServeCluster = (options: ServeOptions): Layer.Layer<HttpServer.HttpServer, ServeError, ClusterAppServices> =>
  HttpServer.serve(clusterApp).pipe(Layer.provideMerge(NodeHttpServer.layerServer(createServer, { port: options.port, host: options.host ?? "127.0.0.1" })))

export interface ServedAt {
  readonly host: string
  readonly port: number
  /** `http://host:port`, the base the CLI's `--api` takes. */
  readonly url: string
}

/** Serves the API until the scope closes; returns where it listens (the bound port when `port` was 0). */
export const serveCluster = (options: ServeOptions): Effect.Effect<ServedAt, ServeError, ClusterAppServices | Scope.Scope> =>
  Effect.gen(function* () {
    const context = yield* Layer.build(layerServeCluster(options))
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("the cluster API is not listening on TCP")
    const host = options.host ?? "127.0.0.1"
    const urlHost = host.includes(":") ? `[${host}]` : host
    return { host, port: address.port, url: `http://${urlHost}:${address.port}` }
  })
