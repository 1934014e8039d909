// The borrower portal's production build: portal.html, its scripts and styles, into viewer/dist-portal
// (the coordinator serves it at / — live/api/portalAssets.ts). Separate from the explorer's build.
import { fileURLToPath } from "node:url"
import { defineConfig } from "vite"

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  build: {
    outDir: "dist-portal",
    emptyOutDir: true,
    target: "es2022",
    reportCompressedSize: false,
    rollupOptions: { input: fileURLToPath(new URL("portal.html", import.meta.url)) }
  },
  logLevel: "warn"
})
