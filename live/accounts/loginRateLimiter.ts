// Failed logins counted per login name and per client address over a sliding window: a guesser
// is slowed on one account from many addresses, and on many accounts from one address. Time comes
// from Effect's Clock (tests move it with TestClock). In memory: a restart forgets, which is fine
// for a limit measured in minutes.
import { Clock, Effect } from "effect"
import { TooManyLoginAttempts } from "./errors.ts"

export interface LoginLimits {
  readonly windowMs: number
  readonly failuresPerLogin: number
  readonly failuresPerAddress: number
}

export const defaultLoginLimits: LoginLimits = { windowMs: 15 * 60_000, failuresPerLogin: 5, failuresPerAddress: 20 }

/** Past this many tracked keys, keys with no failure left in the window are dropped. */
const keysBeforeSweep = 10_000

export class LoginRateLimiter {
  private readonly failures = new Map<string, Array<number>>()

  constructor(readonly limits: LoginLimits = defaultLoginLimits) {}

  /** Fails with TooManyLoginAttempts while either key is at its limit; `retryAfterS` is when the oldest failure leaves the window. */
  check(login: string, address: string): Effect.Effect<void, TooManyLoginAttempts> {
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const byLogin = this.blockedUntil(`login:${login.toLowerCase()}`, this.limits.failuresPerLogin, now)
      const byAddress = this.blockedUntil(`address:${address}`, this.limits.failuresPerAddress, now)
      const until = Math.max(byLogin, byAddress)
      if (until <= now) return Effect.void
      return Effect.fail(new TooManyLoginAttempts({ by: byLogin >= byAddress ? "login" : "address", retryAfterS: Math.max(1, Math.ceil((until - now) / 1000)) }))
    })
  }

  recordFailure(login: string, address: string): Effect.Effect<void> {
    return Effect.map(Clock.currentTimeMillis, (now) => {
      if (this.failures.size > keysBeforeSweep) this.sweep(now)
      for (const key of [`login:${login.toLowerCase()}`, `address:${address}`]) {
        const times = this.recent(key, now)
        times.push(now)
        this.failures.set(key, times)
      }
    })
  }

  /** A good password clears the name's failures (not the address's: one right guess must not reset a sweep over many names). */
  recordSuccess(login: string): Effect.Effect<void> {
    return Effect.sync(() => void this.failures.delete(`login:${login.toLowerCase()}`))
  }

  private recent(key: string, now: number): Array<number> {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.limits.windowMs)
  }

  /** When the key may try again (`now` or earlier: it may now). */
  private blockedUntil(key: string, max: number, now: number): number {
    const times = this.recent(key, now)
    if (times.length < max) return now
    return times[times.length - max]! + this.limits.windowMs
  }

  private sweep(now: number): void {
    for (const key of [...this.failures.keys()]) if (this.recent(key, now).length === 0) this.failures.delete(key)
  }
}
