// A Lit controller that calls `tick` every `intervalMs` while its element is connected and the page
// is visible, never overlapping (the next wait starts when a tick has finished), and at once when the
// page becomes visible again. Pages use it to follow jobs and logs without reloading.
import type { ReactiveController, ReactiveControllerHost } from "lit"

export class Poller implements ReactiveController {
  #timer: ReturnType<typeof setTimeout> | undefined
  #connected = false
  #running = false

  constructor(
    host: ReactiveControllerHost,
    private readonly tick: () => Promise<void>,
    private readonly intervalMs: number
  ) {
    host.addController(this)
  }

  hostConnected(): void {
    this.#connected = true
    document.addEventListener("visibilitychange", this.#onVisibility)
    void this.#run()
  }

  hostDisconnected(): void {
    this.#connected = false
    document.removeEventListener("visibilitychange", this.#onVisibility)
    clearTimeout(this.#timer)
  }

  /** Polls now (e.g. after the user changed something), then on the usual beat. */
  now(): Promise<void> {
    clearTimeout(this.#timer)
    return this.#run()
  }

  readonly #onVisibility = () => {
    if (document.visibilityState === "visible") void this.now()
    else clearTimeout(this.#timer)
  }

  async #run(): Promise<void> {
    if (!this.#connected || this.#running) return
    this.#running = true
    try {
      await this.tick()
    } finally {
      this.#running = false
    }
    clearTimeout(this.#timer)
    if (this.#connected && document.visibilityState !== "hidden") this.#timer = setTimeout(() => void this.#run(), this.intervalMs)
  }
}
