// @vitest-environment happy-dom
import { describe, expect, it } from "vitest"
import "./PieChart.ts"
import type { PieChart } from "./PieChart.ts"
import type { Slice } from "./types.ts"
import { expectErrorState, mountChart, shadowOf, tableRoundTrip } from "./testing.ts"

const slices: ReadonlyArray<Slice> = [
  { name: "completed", value: 30 },
  { name: "failed", value: 10 },
  { name: "cancelled", value: 0 },
  { name: "running", value: 60 }
]

const mount = (props: Partial<PieChart>): Promise<PieChart> => mountChart<PieChart>("cc-pie-chart", props)
const root = shadowOf

describe("cc-pie-chart", () => {
  it("draws one slice per positive value and a legend with percentages", async () => {
    const el = await mount({ slices, heading: "Job outcomes" })
    const r = root(el)
    const paths = r.querySelectorAll("path.slice")
    expect(paths.length).toBe(3)
    expect([...paths].map((p) => p.getAttribute("data-slice"))).toEqual(["completed", "failed", "running"])
    const legend = [...r.querySelectorAll("ul.legend li")].map((li) => li.textContent?.trim())
    expect(legend).toEqual(["completed (30.0%)", "failed (10.0%)", "cancelled (0.0%)", "running (60.0%)"])
    expect(r.querySelector("figcaption")?.textContent).toBe("Job outcomes")
    expect(r.querySelector("svg")?.getAttribute("aria-label")).toContain("running 60.0%")
    el.remove()
  })

  it("toggles to a table with a row per slice and back", async () => {
    const el = await mount({ slices })
    const { table, marksAfter } = await tableRoundTrip(el, "path.slice")
    expect(table.rows).toHaveLength(4)
    expect(table.rows[3]).toEqual(["running", "60", "60.0%"])
    expect(marksAfter).toBe(3)
    el.remove()
  })

  it("shows a tooltip on hovering a slice", async () => {
    const el = await mount({ slices })
    const r = root(el)
    r.querySelectorAll("path.slice")[1]?.dispatchEvent(new PointerEvent("pointermove", { bubbles: true }))
    await el.updateComplete
    const tip = r.querySelector(".tooltip")
    expect(tip?.textContent).toContain("failed")
    expect(tip?.textContent).toContain("10 (10.0%)")
    r.querySelectorAll("path.slice")[1]?.dispatchEvent(new PointerEvent("pointerleave"))
    await el.updateComplete
    expect(r.querySelector(".tooltip")).toBeNull()
    el.remove()
  })

  describe("error state", () => {
    const cases: ReadonlyArray<[string, ReadonlyArray<Slice>, RegExp]> = [
      ["no slices", [], /no slices/],
      ["a negative value", [{ name: "a", value: 1 }, { name: "lost", value: -3 }], /slice "lost": value is negative/],
      ["an infinite value", [{ name: "inf", value: Number.POSITIVE_INFINITY }], /slice "inf": value is non-finite/],
      ["all zero", [{ name: "a", value: 0 }, { name: "b", value: 0 }], /all slices are zero/]
    ]
    for (const [what, data, message] of cases) {
      it(`names the problem for ${what} and draws no svg`, async () => {
        const el = await mount({ slices: data })
        expectErrorState(el, message)
        el.remove()
      })
    }
  })
})
