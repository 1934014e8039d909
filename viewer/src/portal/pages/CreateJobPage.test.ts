// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest"
import { byId, errorOf, FakeApi, job, mount, type, until } from "../testing.ts"
import { CreateJobPage, estimateDebounceMs } from "./CreateJobPage.ts"

const estimate = (maxCredits: number, balanceCredits: number) => ({ json: { maxCredits, balanceCredits, affordable: balanceCredits >= maxCredits } })

const mountPage = (api: FakeApi) => mount<CreateJobPage>("cc-create-job-page", { client: api.client() })

afterEach(() => {
  document.body.innerHTML = ""
  location.hash = ""
})

describe("cc-create-job-page", () => {
  it("labels every control and ties each to its error", async () => {
    const page = await mountPage(new FakeApi().on("POST /api/jobs/estimate", estimate(1, 100)))
    for (const control of page.querySelectorAll("input, select, textarea")) {
      const label = page.querySelector(`label[for="${control.id}"]`)
      expect(label?.textContent?.trim(), control.id).not.toBe("")
      expect(control.getAttribute("aria-describedby"), control.id).toContain(`${control.id}-error`)
      expect(page.querySelector(`#${control.id}-error`)?.getAttribute("aria-live")).toBe("polite")
    }
    expect(page.querySelector("h1")?.textContent).toBe("Create job")
  })

  it("shows each bad field's message beside it on submit, announces the refusal, and sends nothing", async () => {
    const api = new FakeApi().on("POST /api/jobs/estimate", estimate(1, 100))
    const page = await mountPage(api)
    type(byId(page, "vcpus"), "0")
    type(byId(page, "command"), "")
    type(byId<HTMLTextAreaElement>(page, "inputs"), "no-slash-here")
    page.querySelector("form")?.dispatchEvent(new Event("submit", { cancelable: true }))
    await page.updateComplete
    expect(errorOf(page, "vcpus")).toBe("The number of vCPUs must be at least 1.")
    expect(errorOf(page, "command")).toMatch(/Enter the command/)
    expect(errorOf(page, "inputs")).toBe("Line 1: write each input object as bucket/key.")
    expect(byId(page, "vcpus").getAttribute("aria-invalid")).toBe("true")
    expect(byId(page, "memoryMiB").getAttribute("aria-invalid")).toBe("false")
    const alert = page.querySelector("#create-job-alert")
    expect(alert?.getAttribute("role")).toBe("alert")
    expect(alert?.textContent).toMatch(/3 fields need attention/)
    expect(api.to("POST /api/jobs")).toHaveLength(0)
    // Once every field is right again, the refusal no longer stands.
    type(byId(page, "vcpus"), "1")
    type(byId(page, "command"), "true")
    type(byId<HTMLTextAreaElement>(page, "inputs"), "")
    await page.updateComplete
    expect(page.querySelector("#create-job-alert")?.textContent?.trim() ?? "").toBe("")
  })

  it("shows a field's message as soon as a bad value is typed, and clears it when fixed", async () => {
    const page = await mountPage(new FakeApi().on("POST /api/jobs/estimate", estimate(1, 100)))
    type(byId(page, "timeoutS"), "abc")
    await page.updateComplete
    expect(errorOf(page, "timeoutS")).toBe("The timeout in seconds must be a whole number.")
    expect(errorOf(page, "vcpus")).toBe("")
    type(byId(page, "timeoutS"), "30")
    await page.updateComplete
    expect(errorOf(page, "timeoutS")).toBe("")
  })

  it("puts the API's 400 fields beside the controls they name", async () => {
    const api = new FakeApi()
      .on("POST /api/jobs/estimate", estimate(1, 100))
      .on("POST /api/jobs", {
        status: 400,
        json: { error: "InvalidRequest", message: "invalid request body", fields: ["memoryMiB", "inputs[0].bucket"], issues: [{ field: "memoryMiB", message: "Expected at most 65536, actual 999999" }, { field: "inputs[0].bucket", message: "no such bucket" }] }
      })
    const page = await mountPage(api)
    type(byId(page, "memoryMiB"), "999999")
    type(byId<HTMLTextAreaElement>(page, "inputs"), "nope/a.txt")
    await page.submit(new Event("submit", { cancelable: true }))
    await page.updateComplete
    expect(errorOf(page, "memoryMiB")).toBe("Expected at most 65536, actual 999999")
    expect(errorOf(page, "inputs")).toBe("inputs[0].bucket: no such bucket")
    expect(page.querySelector("#create-job-alert")?.textContent).toMatch(/refused: invalid request body/)
    expect(api.to("POST /api/jobs")[0]?.body).toMatchObject({ memoryMiB: 999999, inputs: [{ bucket: "nope", key: "a.txt" }], replicas: 1 })
  })

  it("asks for a price estimate once typing pauses, and refuses plainly when credits are short", async () => {
    const api = new FakeApi().on("POST /api/jobs/estimate", (r) => estimate((r.body as { vcpus: number }).vcpus * 10, 25))
    const page = await mountPage(api)
    type(byId(page, "vcpus"), "2")
    type(byId(page, "vcpus"), "4")
    await until(page, () => page.querySelector("#job-estimate")?.textContent?.includes("40.00 cr") ?? false, estimateDebounceMs + 2000)
    expect(api.to("POST /api/jobs/estimate").map((r) => (r.body as { vcpus: number }).vcpus)).toEqual([4])
    const refusal = page.querySelector("[data-testid=estimate-refusal]")
    expect(refusal?.getAttribute("role")).toBe("alert")
    expect(refusal?.textContent).toMatch(/Not enough credits: this job may cost up to 40\.00 cr and the balance is 25\.00 cr/)
    type(byId(page, "vcpus"), "1")
    await until(page, () => page.querySelector("#job-estimate")?.textContent?.includes("10.00 cr") ?? false, estimateDebounceMs + 2000)
    expect(page.querySelector("[data-testid=estimate-refusal]")).toBeNull()
  })

  it("says why a 402 refused the job, and goes to the new job when accepted", async () => {
    let credits = 1
    const api = new FakeApi()
      .on("POST /api/jobs/estimate", estimate(1, 100))
      .on("POST /api/jobs", () => credits < 5
        ? { status: 402, json: { error: "InsufficientCredits", message: "insufficient credits", account: "user:org.acme", balanceCredits: credits, amountCredits: 5 } }
        : { status: 201, json: job(42, "queued") })
    const page = await mountPage(api)
    await page.submit(new Event("submit", { cancelable: true }))
    await page.updateComplete
    expect(page.querySelector("#create-job-alert")?.textContent).toMatch(/Not enough credits: this job may cost up to 5\.00 cr and the balance is 1\.00 cr/)
    credits = 10
    await page.submit(new Event("submit", { cancelable: true }))
    expect(location.hash).toBe("#/jobs/42")
  })
})
