export * from "./Agent.ts"
