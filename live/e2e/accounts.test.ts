// Accounts end to end on a real cluster (a coordinator and one agent as processes, the job in a
// QEMU microVM): a company admin sees a member's job and its organisation pays for it; a personal
// user sees neither the job nor the organisation's credits. Sessions, the sign-up grants and the
// organisation's ledger survive a coordinator restart (the Fund inputs are replayed).
import { describe, expect, it } from "vitest"
import { clusterSuite } from "../testing/clusterSuite.ts"


interface Session {
  readonly cookie: string
  readonly csrfToken: string
}

interface Reply {
  readonly status: number
  readonly body: any
}

const call = async (method: string, route: string, session: Session | null, body?: unknown): Promise<Reply & { cookie?: string }> => {
  const headers: Record<string, string> = {}
  if (session !== null) Object.assign(headers, { cookie: session.cookie, "x-csrf-token": session.csrfToken })
  if (body !== undefined) headers["content-type"] = "application/json"
  const response = await fetch(`${suite.cluster.api}${route}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
  const text = await response.text()
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("cc_session="))?.split(";")[0]
  return { status: response.status, body: text === "" ? null : JSON.parse(text), ...(cookie !== undefined ? { cookie } : {}) }
}

const signup = async (body: Record<string, unknown>): Promise<Session> => {
  const reply = await call("POST", "/api/auth/signup", null, body)
  expect(reply.status, JSON.stringify(reply.body)).toBe(201)
  return { cookie: reply.cookie!, csrfToken: reply.body.csrfToken }
}

const suite = clusterSuite({ agents: 1, warmPool: 1, seed: 8 })

describe("accounts on a live cluster", () => {
  it("a company admin sees a member's job and pays for it; a personal user sees neither", suite.track(async () => {
      const boss = await signup({ kind: "company", name: "boss", email: "boss@acme.test", password: "boss-password", orgName: "Acme" })
      const grant = (await call("GET", "/api/credits", boss)).body
      // The sign-up grant is there before any job: sign-up stepped Fund for the organisation.
      expect(grant.user).toBe("org.acme")
      expect(grant.balanceCredits).toBeGreaterThan(0)
      const invitation = await call("POST", "/api/org/invitations", boss, { email: "worker@acme.test" })
      expect(invitation.status).toBe(201)
      const worker = await signup({ kind: "company", name: "worker", email: "worker@acme.test", password: "worker-password", invitation: invitation.body.code })
      const alice = await signup({ kind: "personal", name: "alice", email: "alice@example.com", password: "alice-password" })
      const alicesGrant = (await call("GET", "/api/credits", alice)).body.balanceCredits
      expect(alicesGrant).toBe(grant.balanceCredits)

      const estimate = await call("POST", "/api/jobs/estimate", worker, { image: "python", command: ["python3", "-c", "print(6*7)"], vcpus: 1, memoryMiB: 256, timeoutS: 60 })
      expect(estimate.body).toMatchObject({ affordable: true, balanceCredits: grant.balanceCredits })
      const submitted = await call("POST", "/api/jobs", worker, { image: "python", command: ["python3", "-c", "print(6*7); open('/out/answer.txt', 'w').write('forty-two')"], vcpus: 1, memoryMiB: 256, timeoutS: 60 })
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(201)
      expect(submitted.body).toMatchObject({ owner: "worker", submittedBy: "worker", payer: "org.acme" })
      const id = submitted.body.id as number

      let job: any
      await suite.cluster.waitFor(async () => ["succeeded", "failed", "cancelled", "lost"].includes((job = (await call("GET", `/api/jobs/${id}`, boss)).body).state), 180_000, `job ${id} to end`)
      expect(job.state).toBe("succeeded")
      expect((await call("GET", `/api/jobs/${id}/logs`, boss)).body.stdout).toBe("42\n")
      expect((await call("GET", "/api/jobs?scope=all", boss)).body.jobs.map((j: any) => j.id)).toContain(id)
      expect((await call("GET", "/api/jobs", boss)).body.jobs.map((j: any) => j.id)).not.toContain(id)
      // Its output is in the member's bucket; the admin reads it through the job, an outsider cannot.
      expect(job.outputs).toEqual([`worker-outputs/job-${id}/answer.txt`])
      const output = `/api/jobs/${id}/outputs/worker-outputs/job-${id}/answer.txt`
      const read = async (route: string, session: Session) => {
        const response = await fetch(`${suite.cluster.api}${route}`, { headers: { cookie: session.cookie } })
        return [response.status, response.status === 200 ? await response.text() : null]
      }
      expect(await read(output, boss)).toEqual([200, "forty-two"])
      expect(await read(output, alice)).toEqual([404, null])
      expect(await read(`/api/objects/worker-outputs/job-${id}/answer.txt`, boss)).toEqual([404, null])

      // The organisation paid: its balance fell by the job's cost, and its admin reads the entries.
      const paid = (await call("GET", "/api/credits", boss)).body
      expect(job.costCredits).toBeGreaterThan(0)
      expect(paid.balanceCredits).toBeCloseTo(grant.balanceCredits - job.costCredits, 6)
      expect(paid.entries.map((e: any) => e.kind)).toEqual(["grant", "hold", "release"])
      // A member's jobs draw on the same balance, but the ledger is the admins'.
      const membersView = (await call("GET", "/api/credits", worker)).body
      expect([membersView.user, membersView.balanceCredits, membersView.entries]).toEqual(["org.acme", paid.balanceCredits, []])

      for (const [method, route] of [["GET", `/api/jobs/${id}`], ["GET", `/api/jobs/${id}/logs`], ["POST", `/api/jobs/${id}/cancel`]] as const) {
        const reply = await call(method, route, alice)
        expect([reply.status, reply.body.error], `${method} ${route}`).toEqual([404, "UnknownJob"])
      }
      expect((await call("GET", "/api/jobs?scope=all", alice)).body.jobs).toEqual([])
      const alices = (await call("GET", "/api/credits", alice)).body
      expect([alices.user, alices.balanceCredits]).toEqual(["alice", alicesGrant])
      expect((await call("GET", "/api/org", alice)).status).toBe(404)

      // A restart replays the log (the Fund inputs with it) and keeps the sessions.
      await suite.cluster.restartCoordinator()
      expect((await call("GET", "/api/auth/me", boss)).body).toMatchObject({ user: "boss", org: { id: "org.acme", role: "admin" } })
      expect((await call("GET", "/api/credits", boss)).body.balanceCredits).toBeCloseTo(paid.balanceCredits, 6)
      expect((await call("GET", `/api/jobs/${id}`, alice)).status).toBe(404)
      expect((await call("GET", `/api/jobs/${id}`, boss)).body.state).toBe("succeeded")
  }), 420_000)
})
