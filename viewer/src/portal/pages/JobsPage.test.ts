// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest"
import type { PieChart } from "../../charts/PieChart.ts"
import { definitions, FakeApi, job, me, mount, until } from "../testing.ts"
import { JobsPage, jobsPollMs } from "./JobsPage.ts"
import { JobDetailPage } from "./JobDetailPage.ts"

afterEach(() => {
  document.body.innerHTML = ""
})

const stateIn = (page: HTMLElement, id: number) => page.querySelector(`[data-testid=job-state-${id}]`)?.textContent

describe("cc-jobs-page", () => {
  it("re-renders the list as the API's answer changes, without reloading", async () => {
    let answer = [job(1, "queued")]
    const api = new FakeApi().on("GET /api/jobs", () => ({ json: { jobs: answer } }))
    const page = await mount<JobsPage>("cc-jobs-page", { client: api.client(), me })
    await until(page, () => stateIn(page, 1) === "queued")
    expect(page.querySelector("[data-testid=active-jobs-table] [data-testid=job-row-1]")).not.toBeNull()
    expect(page.querySelector("[data-testid=job-row-1]")?.textContent).toMatch(/2\s+512 MiB/)
    answer = [job(2, "running"), { ...job(1, "succeeded"), costCredits: 1.25 }]
    await until(page, () => stateIn(page, 1) === "succeeded", jobsPollMs * 3)
    expect(stateIn(page, 2)).toBe("running")
    expect(page.querySelector("[data-testid=completed-jobs-table] [data-testid=job-row-1]")).not.toBeNull()
    expect(page.querySelector("[data-testid=active-jobs-table] [data-testid=job-row-1]")).toBeNull()
    expect(definitions(page, "[data-testid=jobs-overview]")).toEqual({
      Jobs: "2", Active: "1", Succeeded: "1", "Failure rate": "0.0%", "vCPUs in use": "2", "RAM in use": "512 MiB", Cost: "1.75 cr"
    })
    const pie = page.querySelector<PieChart>("cc-pie-chart#jobs-by-state")
    expect(pie?.slices).toEqual([{ name: "running", value: 1 }, { name: "succeeded", value: 1 }])
    expect(api.to("GET /api/jobs").length).toBeGreaterThanOrEqual(2)
  })

  it("stops polling when it leaves the page", async () => {
    const api = new FakeApi().on("GET /api/jobs", { json: { jobs: [] } })
    const page = await mount<JobsPage>("cc-jobs-page", { client: api.client(), me })
    await until(page, () => api.requests.length === 1)
    page.remove()
    await new Promise((r) => setTimeout(r, jobsPollMs * 1.5))
    expect(api.requests).toHaveLength(1)
  })

  it("lets an org admin see the whole organisation's jobs, and a member only their own", async () => {
    const api = new FakeApi().on("GET /api/jobs", (r) => ({ json: { jobs: r.path.endsWith("scope=all") ? [job(1, "running"), { ...job(2, "queued"), submittedBy: "bob" }] : [job(1, "running")] } }))
    const admin = await mount<JobsPage>("cc-jobs-page", { client: api.client(), me })
    await until(admin, () => stateIn(admin, 1) === "running")
    const scope = admin.querySelector<HTMLSelectElement>("#jobs-scope")
    expect(admin.querySelector("label[for=jobs-scope]")).not.toBeNull()
    scope!.value = "all"
    scope!.dispatchEvent(new Event("change"))
    await until(admin, () => stateIn(admin, 2) === "queued")
    expect(admin.querySelector("[data-testid=job-row-2]")?.textContent).toContain("bob")
    admin.remove()
    const member = await mount<JobsPage>("cc-jobs-page", { client: api.client(), me: { ...me, org: { id: "org.acme", name: "Acme", role: "member" } } })
    await until(member, () => stateIn(member, 1) === "running")
    expect(member.querySelector("#jobs-scope")).toBeNull()
  })
})

describe("cc-job-detail-page", () => {
  it("follows a job to its end, streaming its logs, then links its outputs and stops polling", async () => {
    let state = "running"
    let stdout = "start\n"
    const api = new FakeApi()
      .on("GET /api/jobs/7", () => ({ json: state === "running" ? job(7, "running", { node: 3, attempts: 1 }) : job(7, "succeeded", { node: 3, attempts: 2, exitCode: 0, outputs: ["alice-outputs/job-7/result.txt"], usage: { cpuMs: 1500, wallMs: 2000, memoryPeakMiB: 40, bytesIn: 0, bytesOut: 2048 } }) }))
      .on("GET /api/jobs/7/logs", () => ({ json: { stdout, stderr: "" } }))
    const page = await mount<JobDetailPage>("cc-job-detail-page", { client: api.client(), me, jobId: 7 })
    await until(page, () => page.querySelector("[data-testid=job-stdout]")?.textContent === "start\n")
    expect(page.querySelector("[data-testid=job-state]")?.textContent).toBe("running")
    expect(page.querySelector("button.danger")?.textContent).toBe("Cancel job")
    stdout = "start\n42\n"
    await until(page, () => page.querySelector("[data-testid=job-stdout]")?.textContent === "start\n42\n", jobsPollMs * 3)
    state = "succeeded"
    await until(page, () => page.querySelector("[data-testid=job-state]")?.textContent === "succeeded", jobsPollMs * 3)
    const link = page.querySelector<HTMLAnchorElement>("[data-testid=job-outputs] a")
    expect(link?.getAttribute("href")).toBe("/api/jobs/7/outputs/alice-outputs/job-7/result.txt")
    expect(link?.textContent).toBe("Download alice-outputs/job-7/result.txt")
    expect(page.querySelector("[data-testid=job-facts]")?.textContent).toMatch(/2 \(1 retries\)/)
    expect(page.querySelector("button.danger")).toBeNull()
    const calls = api.requests.length
    await new Promise((r) => setTimeout(r, jobsPollMs * 1.5))
    expect(api.requests.length).toBe(calls)
  })

  it("says a job that is not the user's does not exist", async () => {
    const api = new FakeApi().on("GET /api/jobs/9", { status: 404, json: { error: "UnknownJob", message: "no job 9" } })
    const page = await mount<JobDetailPage>("cc-job-detail-page", { client: api.client(), me, jobId: 9 })
    await until(page, () => page.querySelector("[role=alert]") !== null)
    expect(page.querySelector("[role=alert]")?.textContent).toBe("There is no job 9 that you can see.")
  })
})
