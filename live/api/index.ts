export * from "./ClusterApi.ts"
export * from "./errorResponse.ts"
export * from "./routes.ts"
export * from "./serve.ts"
