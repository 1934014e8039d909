export * from "./stats.ts"
export * from "./inference.ts"
export * from "./fairness.ts"
