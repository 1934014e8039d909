// @vitest-environment happy-dom
import { describe, expect, it } from "vitest"
import "./BarChart.ts"
import type { BarChart } from "./BarChart.ts"
import type { BarGroup } from "./types.ts"
import { expectErrorState, mountChart, shadowOf, tableRoundTrip } from "./testing.ts"

const categories = ["small", "medium", "large"]
const groups: ReadonlyArray<BarGroup> = [
  { name: "fcfs", values: [3, 10, 42] },
  { name: "fair-share", values: [2, 12, 30] }
]

const mount = (props: Partial<BarChart>): Promise<BarChart> => mountChart<BarChart>("cc-bar-chart", props)
const root = shadowOf

describe("cc-bar-chart", () => {
  it("draws one bar per category × group, category labels, a legend and the axis labels", async () => {
    const el = await mount({ categories, groups, heading: "Mean wait", xLabel: "job size", yLabel: "mean wait (s)" })
    const r = root(el)
    const bars = r.querySelectorAll("rect.bar")
    expect(bars.length).toBe(6)
    expect(bars[0]?.getAttribute("data-group")).toBe("fcfs")
    expect(bars[0]?.getAttribute("data-category")).toBe("small")
    // taller value, taller bar
    expect(Number(bars[2]?.getAttribute("height"))).toBeGreaterThan(Number(bars[0]?.getAttribute("height")))
    expect([...r.querySelectorAll("text.category")].map((t) => t.textContent?.trim())).toEqual(categories)
    expect(r.querySelectorAll("ul.legend li").length).toBe(2)
    const labels = [...r.querySelectorAll("text.axis-label")].map((t) => t.textContent?.trim())
    expect(labels).toContain("mean wait (s)")
    expect(labels).toContain("job size")
    expect(r.querySelectorAll("g.axis.y g.tick").length).toBeGreaterThan(1)
    expect(r.querySelector("svg")?.getAttribute("aria-label")).toContain("Mean wait")
    el.remove()
  })

  it("draws bars on a log axis", async () => {
    const el = await mount({ categories, groups, yScale: "log" })
    const r = root(el)
    expect(r.querySelectorAll("rect.bar").length).toBe(6)
    for (const bar of r.querySelectorAll("rect.bar")) expect(Number(bar.getAttribute("height"))).toBeGreaterThan(0)
    el.remove()
  })

  it("toggles to a table (rows = categories, columns = groups) and back", async () => {
    const el = await mount({ categories, groups, xLabel: "job size" })
    const { table, marksAfter } = await tableRoundTrip(el, "rect.bar")
    expect(table.header).toEqual(["job size", "fcfs", "fair-share"])
    expect(table.rows).toHaveLength(3)
    expect(table.rows[2]).toEqual(["large", "42", "30"])
    expect(marksAfter).toBe(6)
    el.remove()
  })

  it("shows a tooltip with group, category and value on hovering a bar", async () => {
    const el = await mount({ categories, groups, xLabel: "job size", yLabel: "mean wait (s)" })
    const r = root(el)
    const bar = r.querySelectorAll("rect.bar")[4] // fair-share × medium
    bar?.dispatchEvent(new PointerEvent("pointermove", { bubbles: true }))
    await el.updateComplete
    const tip = r.querySelector(".tooltip")
    expect(tip?.textContent).toContain("fair-share")
    expect(tip?.textContent).toMatch(/job size:\s*medium/)
    expect(tip?.textContent).toMatch(/mean wait \(s\):\s*12/)
    bar?.dispatchEvent(new PointerEvent("pointerleave"))
    await el.updateComplete
    expect(r.querySelector(".tooltip")).toBeNull()
    el.remove()
  })

  it("turns long category labels and keeps the full name in a title", async () => {
    const many = Array.from({ length: 12 }, (_, i) => `a rather long category name ${i}`)
    const el = await mount({ categories: many, groups: [{ name: "g", values: many.map((_, i) => i) }] })
    const r = root(el)
    expect(r.querySelectorAll("rect.bar").length).toBe(12)
    const label = r.querySelector("text.category")
    expect(label?.getAttribute("transform")).toMatch(/rotate/)
    expect(label?.textContent?.trim()).toMatch(/…$/)
    expect(label?.parentElement?.querySelector("title")?.textContent).toBe(many[0])
    el.remove()
  })

  describe("error state", () => {
    const cases: ReadonlyArray<[string, Partial<BarChart>, RegExp]> = [
      ["no categories", { categories: [], groups }, /no categories/],
      ["no groups", { categories, groups: [] }, /no groups/],
      ["a short group", { categories, groups: [{ name: "sjf", values: [1, 2] }] }, /group "sjf" has 2 values but there are 3 categories/],
      ["a negative value", { categories, groups: [{ name: "sjf", values: [1, -2, 3] }] }, /group "sjf", category "medium": value is negative/],
      ["a NaN value", { categories, groups: [{ name: "sjf", values: [1, 2, Number.NaN] }] }, /group "sjf", category "large": value is non-finite/],
      ["zero on a log axis", { categories, groups: [{ name: "sjf", values: [0, 2, 3] }], yScale: "log" }, /group "sjf", category "small": value is 0.*logarithmic/],
      ["a repeated category", { categories: ["a", "a"], groups: [{ name: "sjf", values: [1, 2] }] }, /category "a" appears more than once/]
    ]
    for (const [what, props, message] of cases) {
      it(`names the problem for ${what} and draws no svg`, async () => {
        const el = await mount(props)
        expectErrorState(el, message)
        el.remove()
      })
    }
  })
})
