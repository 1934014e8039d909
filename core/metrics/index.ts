export * from "./stats.ts"
