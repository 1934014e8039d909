export * from "./Sandbox.ts"
export * from "./Transport.ts"
