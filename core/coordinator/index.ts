export * from "./Coordinator.ts"
export * from "./errors.ts"
export * from "./JobTable.ts"
