// The simulator's Transport: an in-memory network with per-link FIFO delivery after a latency drawn
// from the network's random stream, and loss. Delays use the Clock, so under a virtual clock the
// network runs in virtual time.
import { Duration, Effect, Layer, Queue } from "effect"
import type { Prng } from "../../core/random/prng.ts"
import { type Address, type Envelope, Transport } from "../../core/services/Transport.ts"

export interface MemoryNetworkOptions {
  readonly latencyMsMin: number
  readonly latencyMsMax: number
  readonly lossRate: number
}

export const layerMemory = (options: MemoryNetworkOptions, rng: Prng): Layer.Layer<Transport> =>
  Layer.sync(Transport, () => {
    const inboxes = new Map<Address, Queue.Queue<Envelope>>()
    const lastDelivery = new Map<string, number>()
    return {
      bind: (address) =>
        Effect.gen(function* () {
          const inbox = yield* Effect.acquireRelease(Queue.unbounded<Envelope>(), (q) =>
            Effect.sync(() => inboxes.get(address) === q && inboxes.delete(address)).pipe(Effect.zipRight(Queue.shutdown(q)))
          )
          inboxes.set(address, inbox)
          return {
            address,
            receive: Queue.take(inbox),
            send: (to, message) =>
              Effect.gen(function* () {
                if (options.lossRate > 0 && rng.nextDouble() < options.lossRate) return
                const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
                const link = `${address}->${to}`
                const latency = options.latencyMsMin + (options.latencyMsMax - options.latencyMsMin) * rng.nextDouble()
                const at = Math.max(now + latency, lastDelivery.get(link) ?? 0)
                lastDelivery.set(link, at)
                // Delivered to whoever holds the address then; nobody there means the message is lost.
                yield* Effect.suspend(() => {
                  const q = inboxes.get(to)
                  return q === undefined ? Effect.void : Queue.offer(q, { from: address, message })
                }).pipe(Effect.delay(Duration.millis(at - now)), Effect.forkDaemon)
              })
          }
        })
    }
  })
