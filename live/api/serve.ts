// The jobs API on a real Node HTTP server. Port 0 picks a free port; read it back with
// `HttpServer.addressWith` (the layer also provides `HttpServer`).
import { createServer } from "node:http"
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import type { ServeError } from "@effect/platform/HttpServerError"
import { Layer } from "effect"
import type { JobsApi } from "./JobsApi.ts"
import { jobsApp } from "./routes.ts"

export const serve = (port: number, host = "127.0.0.1"): Layer.Layer<HttpServer.HttpServer, ServeError, JobsApi> =>
  HttpServer.serve(jobsApp).pipe(Layer.provideMerge(NodeHttpServer.layerServer(createServer, { port, host })))
