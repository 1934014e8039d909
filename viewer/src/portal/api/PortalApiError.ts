// What can go wrong talking to the coordinator, as one error the pages can show: the HTTP status, the
// API's stable error name and sentence, and each bad field's message (a 400's `fields`/`issues`).
import { Data } from "effect"

export class PortalApiError extends Data.TaggedError("PortalApiError")<{
  /** 0 when no reply came (network down, coordinator stopped). */
  readonly status: number
  /** The API's `error` (e.g. `InvalidRequest`, `InsufficientCredits`), or `NetworkError` / `UnexpectedReply`. */
  readonly error: string
  readonly text: string
  /** Message per request field named by the API (`vcpus`, `inputs[0].key`, ...). */
  readonly fields: Readonly<Record<string, string>>
  /** Seconds to wait before retrying (a 429's Retry-After), else null. */
  readonly retryAfterS: number | null
  /** The reply's other facts (e.g. a 402's balanceCredits and amountCredits). */
  readonly facts: Readonly<Record<string, unknown>>
}> {
  override get message() {
    return this.text
  }
}
