// Test support for the portal's component tests: a scripted stand-in for the coordinator's API (a
// fetch that answers by method and path and records each request) and mounting helpers.
import type { LitElement } from "lit"
import { PortalClient } from "./api/client.ts"
import type { Me } from "./api/schemas.ts"
import { Schema } from "effect"
import type { JobId, UserId } from "../../../core/domain/ids.ts"
import { JobView, queuedJobView } from "../../../live/api/ClusterApi.ts"

type JobViewJson = typeof JobView.Encoded

export interface Recorded {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: unknown
  readonly credentials: RequestCredentials | undefined
}

export interface Answer {
  readonly status?: number
  readonly json?: unknown
  readonly headers?: Record<string, string>
}

type Handler = (request: Recorded) => Answer

/** A fake API: `on("GET /api/jobs", ...)` (path without query) answers; anything else is a 404. */
export class FakeApi {
  readonly requests: Array<Recorded> = []
  readonly #handlers = new Map<string, Handler>()

  on(route: string, answer: Answer | Handler): this {
    this.#handlers.set(route, typeof answer === "function" ? answer : () => answer)
    return this
  }

  readonly fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const method = init.method ?? "GET"
    const headers = { ...(init.headers as Record<string, string> | undefined) }
    const raw = init.body
    const body = typeof raw === "string" ? JSON.parse(raw) : raw
    const recorded: Recorded = { method, path: input, headers, body, credentials: init.credentials }
    this.requests.push(recorded)
    const handler = this.#handlers.get(`${method} ${input.split("?")[0]}`)
    const answer = handler === undefined ? { status: 404, json: { error: "NotFound", message: `no route for ${method} ${input}` } } : handler(recorded)
    const status = answer.status ?? 200
    return new Response(status === 204 || status === 304 ? null : JSON.stringify(answer.json ?? {}), {
      status,
      headers: { "content-type": "application/json", ...answer.headers }
    })
  }

  client(onUnauthenticated: () => void = () => {}): PortalClient {
    const client = new PortalClient({ fetch: this.fetch, onUnauthenticated })
    client.csrfToken = "csrf-1"
    return client
  }

  /** Requests to a route (`METHOD /path`, without the query). */
  to(route: string): ReadonlyArray<Recorded> {
    return this.requests.filter((r) => `${r.method} ${r.path.split("?")[0]}` === route)
  }
}

export const me: Me = {
  user: "alice",
  email: "alice@example.com",
  kind: "company",
  operator: false,
  org: { id: "org.acme", name: "Acme", role: "admin" },
  payer: "org.acme",
  csrfToken: "csrf-1"
}

/** A job as the API encodes it: the API's own queued job, then `state` and `extra` (so a fixture cannot drift from the server). */
export const job = (id: number, state: JobView["state"], extra: Partial<JobViewJson> = {}): JobViewJson => ({
  ...Schema.encodeSync(JobView)(queuedJobView({
    id: id as JobId,
    owner: "alice" as UserId,
    submittedBy: "alice" as UserId,
    payer: "org.acme" as UserId,
    replicas: 1,
    image: "python",
    command: ["python3", "-c", "print(6*7)"],
    vcpus: 2,
    memoryMiB: 512,
    diskMiB: 64,
    timeoutS: 60,
    submittedAtMs: 1_700_000_000_000 + id,
    costCredits: 0.5
  })),
  state,
  ...extra
})

/** Creates, configures and attaches an element, then waits for it to render (as the charts' tests do). */
export { mountChart as mount } from "../charts/testing.ts"

/** Waits until `check` holds (re-rendering between tries), or fails after `timeoutMs`. */
export const until = async (el: LitElement, check: () => boolean, timeoutMs = 3000): Promise<void> => {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time")
    await new Promise((r) => setTimeout(r, 10))
    await el.updateComplete
  }
}

/** Sets a form control's value and fires the event Lit listens to. */
export const type = (element: HTMLElement | null, value: string): void => {
  if (element === null) throw new Error("no such control")
  const control = element as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement
  control.value = value
  control.dispatchEvent(new Event(control instanceof HTMLSelectElement ? "change" : "input", { bubbles: true }))
}

export const byId = <E extends HTMLElement = HTMLInputElement>(root: ParentNode, id: string): E => {
  const el = root.querySelector(`#${id}`) as E | null
  if (el === null) throw new Error(`no #${id}`)
  return el
}

/** The text of the error shown beside a control (its aria-describedby error element). */
export const errorOf = (root: ParentNode, id: string): string => root.querySelector(`#${id}-error`)?.textContent?.trim() ?? ""

/** A description list (cards, facts) as term -> description text. */
export const definitions = (root: ParentNode, selector: string): Record<string, string> => {
  const list = root.querySelector(selector)
  if (list === null) throw new Error(`no ${selector}`)
  return Object.fromEntries([...list.querySelectorAll("div")].map((d) => [d.querySelector("dt")?.textContent?.trim() ?? "", d.querySelector("dd")?.textContent?.trim().replace(/\s+/g, " ") ?? ""]))
}
