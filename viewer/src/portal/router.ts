// The portal's hash routes (#/jobs, #/jobs/12, ...), so every page has an address that survives a reload.
export type Route =
  | { readonly page: "dashboard" | "analytics" | "jobs" | "new-job" | "storage" | "billing" | "lender" | "settings" | "login" | "signup" }
  | { readonly page: "job"; readonly id: number }
  | { readonly page: "not-found"; readonly hash: string }

/** Pages a signed-out visitor may see; every other one sends them to #/login. */
export const publicPages: ReadonlyArray<Route["page"]> = ["login", "signup"]

const simple = new Set(["dashboard", "analytics", "jobs", "storage", "billing", "lender", "settings", "login", "signup"])

export const parseRoute = (hash: string): Route => {
  const parts = hash.replace(/^#\/?/, "").split("/").filter((p) => p !== "")
  const [first, second] = parts
  if (first === undefined) return { page: "dashboard" }
  if (first === "jobs" && second === "new" && parts.length === 2) return { page: "new-job" }
  if (first === "jobs" && second !== undefined && /^\d+$/.test(second) && parts.length === 2) return { page: "job", id: Number(second) }
  if (parts.length === 1 && simple.has(first)) return { page: first as "dashboard" }
  return { page: "not-found", hash }
}

export const hrefOf = (route: Route): string =>
  route.page === "job" ? `#/jobs/${route.id}` : route.page === "new-job" ? "#/jobs/new" : route.page === "not-found" ? route.hash : `#/${route.page}`
