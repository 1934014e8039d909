import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["{core,sim,live,scenarios,bench,viewer}/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
