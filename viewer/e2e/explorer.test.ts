// End to end in a real headless Chromium (Debian's, driven by playwright-core): two real runs and
// a broken one, the built explorer on a real server. Fails if a chart is empty, a view is missing,
// or the page logs an error. Screenshots go to viewer/e2e/output/ (not committed).
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type Browser, chromium, type Page } from "playwright-core"
import { ensureViewerBuilt } from "../server/build.ts"
import { type ExplorerServer, startExplorer } from "../server/serve.ts"

const root = path.resolve(import.meta.dirname, "../..")
const output = path.join(import.meta.dirname, "output")
const chromiumPath = "/usr/bin/chromium"

let results = ""
let server: ExplorerServer
let browser: Browser

const simulate = (out: string, seed: number) =>
  execFileSync(path.join(root, "node_modules/.bin/tsx"), ["sim/cli/main.ts", "run", "region-outage", "--scale", "0.05", "--seed", String(seed), "--policy", "fcfs", "easy", "best-fit", "--out", out], { cwd: root, stdio: "pipe" })

beforeAll(async () => {
  if (!fs.existsSync(chromiumPath)) throw new Error(`no ${chromiumPath}: run viewer/e2e/ensure-chromium.sh (npm test runs it first)`)
  results = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-e2e-"))
  simulate(path.join(results, "seed-1"), 1)
  simulate(path.join(results, "seed-2"), 2)
  // A run that also simulated storage (the shape the storage issue's summary.json carries).
  fs.cpSync(path.join(results, "seed-1"), path.join(results, "with-storage"), { recursive: true })
  const withStorage = JSON.parse(fs.readFileSync(path.join(results, "with-storage", "summary.json"), "utf8"))
  withStorage.storage = {
    rep3: { objectsLost: 4, readAvailability: 0.9991, repairBytes: 3 * 2 ** 40 },
    "rs4+2": { objectsLost: 1, readAvailability: 0.9995, repairBytes: 2 ** 40 },
    "rs10+4": { objectsLost: 0, readAvailability: 0.9999, repairBytes: 2 ** 39 }
  }
  fs.writeFileSync(path.join(results, "with-storage", "summary.json"), JSON.stringify(withStorage))
  fs.mkdirSync(path.join(results, "zz-broken"))
  fs.writeFileSync(path.join(results, "zz-broken", "summary.json"), '{"scenario": "x", "seed": 1, "version": "v", "policies": {"fcfs": {"jobs": "lots"}}}')
  fs.mkdirSync(output, { recursive: true })
  await ensureViewerBuilt()
  server = await startExplorer({ results })
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
  })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** A page that records every console error and uncaught exception. */
const open = async (hash: string, viewport = { width: 1366, height: 900 }): Promise<{ page: Page; errors: Array<string> }> => {
  const page = await browser.newPage({ viewport })
  const errors: Array<string> = []
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()))
  page.on("pageerror", (e) => errors.push(e.message))
  await page.goto(new URL(hash, server.url).href)
  return { page, errors }
}

const charts = [
  ["completion-cdf", "path.series"],
  ["slowdown", "rect.bar"],
  ["utilisation", "path.series"],
  ["queue", "path.series"],
  ["nodes", "path.series"],
  ["wait-cdf", "path.series"]
] as const

describe("results explorer in Chromium", () => {
  it("shows a run: its table and every chart, with marks", async () => {
    const { page, errors } = await open("#/run/seed-1")
    await page.locator("table.summary tbody tr").first().waitFor()
    expect(await page.locator("table.summary tbody tr").count()).toBe(3)
    expect(await page.locator("dl.meta").innerText()).toMatch(/seed\s*1/)
    for (const [id, mark] of charts) {
      const chart = page.locator(`#${id}`)
      await chart.locator(mark).first().waitFor()
      expect(await chart.locator(".error").count(), `${id} shows an error`).toBe(0)
      const expected = mark === "rect.bar" ? 3 * 7 : 3
      expect(await chart.locator(mark).count(), `${id} marks`).toBe(expected)
      expect(await chart.locator("text.axis-label").count(), `${id} axis titles`).toBe(2)
    }
    // The completion-time CDF is on a log axis: its x ticks grow by powers of ten.
    expect(await page.locator("#completion-cdf text.axis-label").allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/log scale/)])
    )
    const ticks = await page.locator("#completion-cdf g.axis.x g.tick text").allTextContents()
    expect(ticks.filter((t) => t.trim() !== "").map((t) => Number(t.replace(/[,\s]/g, "").replace(/k$/, "e3")))).toEqual(
      expect.arrayContaining([100, 1000])
    )
    // Unticking a policy removes it from the table and the charts.
    await page.locator('input[name="policy"][value="best-fit"]').uncheck()
    expect(await page.locator("table.summary tbody tr").count()).toBe(2)
    expect(await page.locator("#completion-cdf path.series").count()).toBe(2)
    await page.screenshot({ path: path.join(output, "run.png"), fullPage: true })
    expect(errors).toEqual([])
  })

  it("compares two runs and switches the comparison", async () => {
    const { page, errors } = await open("#/compare/seed-1/seed-2")
    await page.locator("table.compare tbody tr").first().waitFor()
    expect(await page.locator("table.compare tbody tr").count()).toBe(12)
    expect(await page.locator("#compare-cdf path.series").count()).toBe(2)
    expect(await page.locator("#compare-cdf ul.legend").innerText()).toMatch(/A seed-1.*\n?.*B seed-2/s)
    expect(await page.locator("table.compare td.better, table.compare td.worse").count()).toBeGreaterThan(0)
    await page.locator("select#policy").selectOption("easy")
    await page.locator("#compare-cdf figcaption", { hasText: "easy" }).waitFor()
    expect(await page.locator("#compare-cdf path.series").count()).toBe(2)
    await page.locator("select#run-b").selectOption("seed-1")
    await page.waitForURL(/#\/compare\/seed-1\/seed-1$/)
    await page.locator("table.compare td.same").first().waitFor()
    expect(await page.locator("table.compare td.better, table.compare td.worse").count()).toBe(0)
    await page.screenshot({ path: path.join(output, "compare.png"), fullPage: true })
    expect(errors).toEqual([])
  })

  it("offers each chart's numbers as a table", async () => {
    const { page, errors } = await open("#/run/seed-1")
    const chart = page.locator("#utilisation")
    await chart.locator("path.series").first().waitFor()
    await chart.locator("button.toggle-table").click()
    expect(await chart.locator("table tbody tr").count()).toBeGreaterThan(3)
    expect(await chart.locator("path.series").count()).toBe(0)
    expect(errors).toEqual([])
  })

  it("redraws the charts when the window is resized", async () => {
    const { page, errors } = await open("#/run/seed-1")
    const svg = page.locator("#utilisation svg")
    await page.locator("#utilisation path.series").first().waitFor()
    const wide = Number(await svg.getAttribute("width"))
    await page.setViewportSize({ width: 500, height: 900 })
    await page.waitForFunction(
      (w) => Number(document.querySelector("cc-explorer")?.shadowRoot?.querySelector("cc-run-page")?.shadowRoot?.querySelector("#utilisation")?.shadowRoot?.querySelector("svg")?.getAttribute("width")) < w,
      wide
    )
    const narrow = Number(await svg.getAttribute("width"))
    expect(narrow).toBeLessThan(wide)
    expect(narrow).toBeLessThanOrEqual(500)
    expect(errors).toEqual([])
  })

  it("is usable at phone width", async () => {
    const { page, errors } = await open("#/run/seed-1", { width: 390, height: 844 })
    await page.locator("#completion-cdf path.series").first().waitFor()
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(1)
    await page.screenshot({ path: path.join(output, "run-phone.png"), fullPage: true })
    expect(errors).toEqual([])
  })

  it("shows storage durability when a run has it, and not otherwise", async () => {
    const { page, errors } = await open("#/run/with-storage")
    await page.locator("#storage-lost rect.bar").first().waitFor()
    for (const id of ["storage-lost", "storage-availability", "storage-repair"]) {
      expect(await page.locator(`#${id} rect.bar`).count(), id).toBe(3)
    }
    await page.goto(new URL("#/run/seed-2", server.url).href)
    await page.locator("#completion-cdf path.series").first().waitFor()
    expect(await page.locator("#storage-lost").count()).toBe(0)
    expect(errors).toEqual([])
  })

  it("names the file and the problem of a malformed run", async () => {
    const { page } = await open("#/run/zz-broken")
    const alert = page.locator("cc-run-page .error")
    await alert.waitFor()
    expect(await alert.innerText()).toMatch(/summary\.json: at policies\.fcfs\.jobs/)
  })
})
