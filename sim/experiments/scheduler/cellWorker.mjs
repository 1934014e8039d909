// Worker threads start without tsx's TypeScript loader: register it, then load the real worker.
import { register } from "tsx/esm/api"

register()
await import("./cellWorker.ts")
