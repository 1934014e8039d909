// The borrower portal end to end: a real `crowdcloud live up` cluster (a coordinator and one agent
// running jobs in QEMU), driven in Debian's headless Chromium through playwright-core. A company user
// signs up, creates a job, watches it succeed without a reload, finds it on the dashboard and in
// analytics and downloads its output; a second user sees none of it. Screenshots of every page go to
// viewer/e2e/output/portal-*.png (not committed).
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core"

const root = path.resolve(import.meta.dirname, "../..")
const output = path.join(import.meta.dirname, "output")
const chromiumPath = "/usr/bin/chromium"

let home = ""
let cluster: ChildProcess | undefined
let clusterLog = ""
let portal = ""
let browser: Browser

/** Starts `crowdcloud live up --agents 1` as a user would, and waits for the portal address it prints. */
const liveUp = (): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["live/cli/main.ts", "live", "up", "--agents", "1", "--warm-pool", "1", "--data-dir", path.join(home, "cluster")], {
      cwd: root,
      // Its own CLI config, so the user's ~/.crowdcloud/cli.json is left alone.
      env: { ...process.env, CROWDCLOUD_HOME: path.join(home, "crowdcloud-home") },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true
    })
    cluster = child
    const timer = setTimeout(() => reject(new Error(`live up printed no portal address in 240 s:\n${clusterLog}`)), 240_000)
    const read = (chunk: Buffer) => {
      clusterLog += chunk.toString()
      const m = /portal: (http:\/\/\S+)/.exec(clusterLog)
      if (m !== null) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    }
    child.stdout!.on("data", read)
    child.stderr!.on("data", read)
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`live up exited (${code}) before it was up:\n${clusterLog}`))
    })
  })

/** Ctrl-C, as a user stops it; the whole process group is killed if it has not stopped in 30 s. */
const liveDown = async () => {
  const child = cluster
  if (child === undefined || child.exitCode !== null) return
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
  child.kill("SIGINT")
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 30_000)
  await exited
  clearTimeout(timer)
}

beforeAll(async () => {
  if (!fs.existsSync(chromiumPath)) throw new Error(`no ${chromiumPath}: run viewer/e2e/ensure-chromium.sh (npm test runs it first)`)
  fs.mkdirSync(output, { recursive: true })
  home = fs.mkdtempSync(path.join(os.tmpdir(), "crowdcloud-portal-e2e-"))
  portal = await liveUp()
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
  })
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await liveDown()
  if (home !== "") fs.rmSync(home, { recursive: true, force: true })
}, 60_000)

/** A page in its own browser context (its own cookies), recording uncaught exceptions. */
const openAs = async (viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page; errors: Array<string> }> => {
  const context = await browser.newContext({ viewport, acceptDownloads: true })
  const page = await context.newPage()
  const errors: Array<string> = []
  page.on("pageerror", (e) => errors.push(e.message))
  return { context, page, errors }
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(output, `portal-${name}.png`), fullPage: true })

const signUp = async (page: Page, user: { kind: "personal" | "company"; name: string; orgName?: string }) => {
  await page.goto(`${portal}#/signup`)
  await page.getByRole("heading", { name: "Sign up" }).waitFor()
  await page.getByLabel(user.kind === "company" ? "Company user" : "Personal user").check()
  await page.getByLabel("User name").fill(user.name)
  await page.getByLabel("Email").fill(`${user.name}@example.org`)
  await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple")
  if (user.orgName !== undefined) await page.getByLabel("Organisation name").fill(user.orgName)
  await shot(page, `signup-${user.kind}`)
  await page.getByRole("button", { name: "Create account" }).click()
  await page.getByRole("heading", { name: "Dashboard" }).waitFor()
}

const nav = async (page: Page, label: string, heading = label) => {
  await page.getByRole("navigation").getByRole("link", { name: label, exact: true }).click()
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor()
}

describe("the borrower portal on a live cluster", () => {
  let jobId = -1
  let outputKey = ""

  it("a company user signs up, creates a job, watches it succeed without a reload, sees it on the dashboard and in analytics, and downloads its output", async () => {
    const { context, page, errors } = await openAs()
    try {
      await signUp(page, { kind: "company", name: "ada", orgName: "Analytical Engines" })
      await expect(page.getByTestId("signed-in-as").textContent()).resolves.toContain("Analytical Engines (admin)")
      await shot(page, "dashboard-empty")

      await nav(page, "Jobs")
      await page.getByTestId("new-job-link").click()
      await page.getByRole("heading", { name: "Create job" }).waitFor()
      // A field the API would refuse is refused beside the field before anything is sent.
      await page.getByLabel("vCPUs").fill("0")
      await page.getByRole("button", { name: "Submit job" }).click()
      await expect(page.locator("#vcpus").getAttribute("aria-invalid")).resolves.toBe("true")
      await page.getByLabel("Image").selectOption("busybox")
      await page.getByLabel("Command").fill(`sh -c "echo portal-e2e > /out/result.txt; echo hello from the portal; yes > /dev/null & sleep 3; kill $!"`)
      await page.getByLabel("vCPUs").fill("1")
      await page.getByLabel("RAM (MiB)").fill("128")
      await page.getByLabel("Disk (MiB)").fill("64")
      // Three days on a vCPU costs more than the sign-up grant: refused before it is sent, with the figures.
      await page.getByLabel("Timeout (s)").fill("259200")
      await page.getByTestId("estimate-refusal").waitFor({ timeout: 15_000 })
      await expect(page.getByTestId("estimate-refusal").textContent()).resolves.toMatch(/credit/i)
      await shot(page, "create-job-refused")
      await page.getByLabel("Timeout (s)").fill("60")
      // The live price estimate, from the coordinator's market, against the organisation's sign-up grant.
      await page.getByTestId("estimate").getByText(/Estimated price: at most \d/).waitFor({ timeout: 15_000 })
      expect(await page.getByTestId("estimate-refusal").count()).toBe(0)
      await shot(page, "create-job")

      // A marker on the window: it is gone if anything reloads the page from here on.
      await page.evaluate(() => Object.assign(window, { __noReload: true }))
      await page.getByRole("button", { name: "Submit job" }).click()
      await page.waitForURL(/#\/jobs\/\d+$/)
      jobId = Number(/#\/jobs\/(\d+)$/.exec(page.url())![1])
      await page.getByTestId("job-state").filter({ hasText: "succeeded" }).waitFor({ timeout: 180_000 })
      expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true)
      await page.getByTestId("job-stdout").filter({ hasText: "hello from the portal" }).waitFor({ timeout: 10_000 })
      await page.getByTestId("job-outputs").waitFor({ timeout: 10_000 })
      outputKey = `job-${jobId}/result.txt`
      await expect(page.getByTestId("job-outputs").textContent()).resolves.toContain(outputKey)
      const [fromJob] = await Promise.all([page.waitForEvent("download"), page.getByTestId("job-outputs").getByRole("link").first().click()])
      expect(fs.readFileSync((await fromJob.path())!, "utf8")).toBe("portal-e2e\n")
      await shot(page, "job-detail")

      await nav(page, "Jobs")
      await page.locator(`[data-testid="job-row-${jobId}"][data-state="succeeded"]`).waitFor()
      await shot(page, "jobs")

      await nav(page, "Dashboard")
      await page.getByTestId("dashboard-jobs-total").filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 })
      // A job is charged for the CPU it used: three busy seconds show as an expense.
      await expect(page.getByTestId("dashboard-expenses").textContent()).resolves.toMatch(/^\s*\d[\d,]*\.\d*[1-9]\d* cr\s*$/)
      await shot(page, "dashboard")

      await nav(page, "Analytics")
      // The explorer's charts, drawn with data: a pie's slices, a line's path, a bar chart's bars.
      await page.locator("main svg path, main svg rect").first().waitFor({ timeout: 10_000 })
      expect(await page.locator("main svg").count()).toBeGreaterThanOrEqual(3)
      await shot(page, "analytics")

      await nav(page, "Storage")
      await page.getByTestId("bucket-ada-outputs").click()
      await page.getByTestId(`object-row-${outputKey}`).waitFor({ timeout: 10_000 })
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: `Download ${outputKey}` }).click()])
      expect(fs.readFileSync((await download.path())!, "utf8")).toBe("portal-e2e\n")
      await shot(page, "storage")

      await nav(page, "Billing")
      await shot(page, "billing")
      await nav(page, "Lender")
      await shot(page, "lender")
      await nav(page, "Settings")
      await shot(page, "settings")
      expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true)
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  }, 300_000)

  it("a second user cannot see the first one's job, logs or output, in the portal or through its API", async () => {
    expect(jobId).toBeGreaterThanOrEqual(0)
    const { context, page, errors } = await openAs()
    try {
      await signUp(page, { kind: "personal", name: "bob" })
      await nav(page, "Jobs")
      expect(await page.getByTestId(`job-row-${jobId}`).count()).toBe(0)
      await page.goto(`${portal}#/jobs/${jobId}`)
      await page.getByText(`There is no job ${jobId} that you can see.`).waitFor({ timeout: 10_000 })
      await shot(page, "other-user-job")
      const statuses = await page.evaluate(async ([id, key]) => {
        const get = async (p: string) => (await fetch(p, { credentials: "same-origin" })).status
        return [await get(`/api/jobs/${id}`), await get(`/api/jobs/${id}/logs`), await get(`/api/objects/ada-outputs/${key}`), await get(`/api/jobs/${id}/outputs/ada-outputs/${key}`)]
      }, [jobId, outputKey] as const)
      expect(statuses).toEqual([404, 404, 404, 404])
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  }, 120_000)

  it("a user who lends a machine joins it with a token from the Lender page and sees it there, online", async () => {
    const { context, page, errors } = await openAs()
    let agent: ChildProcess | undefined
    try {
      await page.goto(`${portal}#/login`)
      await page.getByLabel("User name or email").fill("ada@example.org")
      await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple")
      await page.getByRole("button", { name: "Log in" }).click()
      await page.getByRole("heading", { name: "Dashboard" }).waitFor()
      await nav(page, "Lender")
      await page.getByRole("button", { name: "Create a join token" }).click()
      const command = (await page.getByTestId("join-token").locator("code").last().textContent()) ?? ""
      const m = /^crowdcloud agent --join (\S+) --token (\S+)$/.exec(command.trim())
      expect(m, `the join command shown: ${command}`).not.toBeNull()
      // The command as the page gives it, on "the lender's machine" (this one, with its own data directory).
      agent = spawn(path.join(root, "node_modules/.bin/tsx"), ["live/cli/main.ts", "agent", "--join", m![1]!, "--token", m![2]!, "--data-dir", path.join(home, "lender-agent"), "--warm-pool", "0"], { cwd: root, stdio: "ignore", detached: true })
      const row = page.locator("[data-testid^=node-row-]")
      await row.filter({ hasText: "online" }).waitFor({ timeout: 90_000 })
      expect(await row.count()).toBe(1)
      await shot(page, "lender-node")
      expect(errors).toEqual([])
    } finally {
      if (agent?.pid !== undefined && agent.exitCode === null) process.kill(-agent.pid, "SIGTERM")
      await context.close()
    }
  }, 150_000)

  it("logging out and in again works from the keyboard alone, and the pages fit a phone's width", async () => {
    const { context, page, errors } = await openAs({ width: 375, height: 740 })
    try {
      await page.goto(`${portal}#/login`)
      await page.getByRole("heading", { name: "Log in" }).waitFor()
      await page.getByLabel("User name or email").focus()
      await page.keyboard.type("ada")
      await page.keyboard.press("Tab")
      await page.keyboard.type("correct horse battery staple")
      await page.keyboard.press("Enter")
      await page.getByRole("heading", { name: "Dashboard" }).waitFor()
      const pages = [
        ["#/dashboard", "Dashboard"], ["#/analytics", "Analytics"], ["#/jobs", "Jobs"], [`#/jobs/${jobId}`, `Job ${jobId}`], ["#/jobs/new", "Create job"],
        ["#/storage", "Storage"], ["#/billing", "Billing"], ["#/lender", "Lender"], ["#/settings", "Settings"]
      ] as const
      for (const [hash, heading] of pages) {
        const name = `phone-${hash.slice(2).replace(/\//g, "-")}`
        await page.goto(`${portal}${hash}`)
        await page.getByRole("heading", { name: heading, level: 1 }).waitFor()
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${hash} scrolls sideways at 375 px`).toBeLessThanOrEqual(375)
        await shot(page, name)
      }
      await page.getByRole("button", { name: "Log out" }).focus()
      await page.keyboard.press("Enter")
      await page.getByRole("heading", { name: "Log in" }).waitFor()
      expect(await page.evaluate(async () => (await fetch("/api/jobs", { credentials: "same-origin" })).status)).toBe(401)
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  }, 120_000)
})
