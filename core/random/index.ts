export * from "./prng.ts"
export * from "./Rng.ts"
