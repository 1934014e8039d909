// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest"
import type { BarChart } from "../../charts/BarChart.ts"
import type { LineChart } from "../../charts/LineChart.ts"
import type { PieChart } from "../../charts/PieChart.ts"
import { definitions, FakeApi, me, mount, until } from "../testing.ts"
import { AnalyticsPage } from "./AnalyticsPage.ts"
import { DashboardPage } from "./DashboardPage.ts"
import { Analytics } from "../api/schemas.ts"

afterEach(() => {
  document.body.innerHTML = ""
})

const hour = 3_600_000

const analytics = {
  fromMs: 0,
  toMs: 24 * hour,
  bucketMs: hour,
  requestsByRoute: [{ label: "GET /api/jobs", value: 120 }, { label: "POST /api/jobs", value: 4 }],
  jobsByState: [{ label: "succeeded", value: 3 }, { label: "failed", value: 1 }],
  jobsByImage: [{ label: "python", value: 4 }],
  utilisation: [],
  monthlyCost: [{ month: "2026-11", credits: 3.5 }, { month: "2026-10", credits: 1 }],
  keyMetrics: { jobs: 4, succeeded: 3, failed: 1, meanRunS: 2.5, meanWaitS: null, costCredits: 4.5 }
} satisfies typeof Analytics.Encoded

describe("cc-analytics-page", () => {
  it("hands each chart its data as properties, computed from the API's figures", async () => {
    let fromMs = 0
    const api = new FakeApi().on("GET /api/analytics", (r) => {
      const q = new URL(r.path, "http://x").searchParams
      fromMs = Number(q.get("from"))
      return { json: { ...analytics, utilisation: [{ tMs: fromMs + 2 * hour, vcpus: 2, memoryMiB: 512, runningJobs: 1 }, { tMs: fromMs + hour, vcpus: 1, memoryMiB: 256, runningJobs: 1 }] } }
    })
    const page = await mount<AnalyticsPage>("cc-analytics-page", { client: api.client(), me })
    await until(page, () => page.querySelector("cc-pie-chart") !== null)
    const q = new URL(api.requests[0]!.path, "http://x").searchParams
    expect(Number(q.get("to")) - Number(q.get("from"))).toBe(24 * hour)
    expect(Number(q.get("bucketMs"))).toBe(30 * 60_000)
    expect(page.querySelector<PieChart>("#analytics-states")?.slices).toEqual([{ name: "succeeded", value: 3 }, { name: "failed", value: 1 }])
    expect(page.querySelector<PieChart>("#analytics-images")?.slices).toEqual([{ name: "python", value: 4 }])
    const requests = page.querySelector<BarChart>("#analytics-requests")
    expect(requests?.categories).toEqual(["GET /api/jobs", "POST /api/jobs"])
    expect(requests?.groups).toEqual([{ name: "requests", values: [120, 4] }])
    const cost = page.querySelector<BarChart>("#analytics-monthly-cost")
    expect(cost?.categories).toEqual(["2026-10", "2026-11"])
    expect(cost?.groups).toEqual([{ name: "cost (credits)", values: [1, 3.5] }])
    const cpu = page.querySelector<LineChart>("#analytics-cpu")
    expect(cpu?.series).toEqual([
      { name: "vCPUs allocated", points: [[1, 1], [2, 2]] },
      { name: "running jobs", points: [[1, 1], [2, 1]] }
    ])
    expect(page.querySelector<LineChart>("#analytics-memory")?.series[0]?.points).toEqual([[1, 256], [2, 512]])
    // The chart draws what it was given (its own shadow DOM).
    expect(page.querySelector("#analytics-states")?.shadowRoot?.querySelectorAll("path.slice")).toHaveLength(2)
    expect(definitions(page, "[data-testid=analytics-key-metrics]")).toEqual({ Jobs: "4", Succeeded: "3", Failed: "1", "Mean run time": "2.5 s", "Mean wait": "—", Cost: "4.50 cr" })
  })

  it("says there is no data instead of drawing an empty chart, and asks again for another period", async () => {
    const empty = { ...analytics, requestsByRoute: [], jobsByState: [{ label: "succeeded", value: 0 }], jobsByImage: [], monthlyCost: [], keyMetrics: { ...analytics.keyMetrics, jobs: 0 } }
    const api = new FakeApi().on("GET /api/analytics", { json: empty })
    const page = await mount<AnalyticsPage>("cc-analytics-page", { client: api.client(), me })
    await until(page, () => page.querySelector(".no-data") !== null)
    expect(page.querySelectorAll("cc-pie-chart, cc-bar-chart, cc-line-chart")).toHaveLength(0)
    expect([...page.querySelectorAll(".no-data h3")].map((h) => h.textContent)).toEqual(["Job status distribution", "Jobs by image", "Requests by route", "Resources in use over time", "Monthly cost"])
    const select = page.querySelector<HTMLSelectElement>("#analytics-period")!
    select.value = "7d"
    select.dispatchEvent(new Event("change"))
    await until(page, () => api.requests.length === 2)
    const q = new URL(api.requests[1]!.path, "http://x").searchParams
    expect(Number(q.get("to")) - Number(q.get("from"))).toBe(7 * 24 * hour)
  })
})

describe("cc-dashboard-page", () => {
  it("shows the period's jobs, failure rate, traffic, expenses and balance", async () => {
    const api = new FakeApi().on("GET /api/dashboard", {
      json: { fromMs: 0, toMs: hour, jobs: { total: 5, byState: { succeeded: 4, failed: 1 }, failureRate: 0.2 }, traffic: { requests: 1234, bytesIn: 2048, bytesOut: 3 * 1024 * 1024 }, expensesCredits: 12.5, balanceCredits: 987.5, escrowCredits: 0.25 }
    })
    const page = await mount<DashboardPage>("cc-dashboard-page", { client: api.client(), me })
    await until(page, () => page.querySelector("[data-testid=dashboard-jobs-total]") !== null)
    const text = (id: string) => page.querySelector(`[data-testid=${id}]`)?.textContent?.trim()
    expect(text("dashboard-jobs-total")).toBe("5")
    expect(text("dashboard-jobs-succeeded")).toBe("4")
    expect(text("dashboard-failure-rate")).toBe("20.0%")
    expect(text("dashboard-expenses")).toBe("12.50 cr")
    expect(text("dashboard-balance")).toBe("987.50 cr")
    expect(definitions(page, "[data-testid=dashboard-traffic]")).toEqual({ Requests: "1,234", "Bytes in": "2.0 KiB", "Bytes out": "3.0 MiB" })
    expect(page.querySelector<PieChart>("#dashboard-states")?.slices).toEqual([{ name: "succeeded", value: 4 }, { name: "failed", value: 1 }])
  })
})
