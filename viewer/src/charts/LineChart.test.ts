// @vitest-environment happy-dom
import { describe, expect, it } from "vitest"
import fc from "fast-check"
import "./LineChart.ts"
import type { LineChart } from "./LineChart.ts"
import { nearestPoint, sortByX } from "./nearest.ts"
import type { Series } from "./types.ts"
import { expectErrorState, mountChart, shadowOf, tableRoundTrip } from "./testing.ts"

const twoSeries: ReadonlyArray<Series> = [
  { name: "fcfs", points: [[1, 2], [2, 4], [3, 3], [4, 8]] },
  { name: "fair-share", points: [[1, 1], [2.5, 2], [4, 5]] }
]

const mount = (props: Partial<LineChart>): Promise<LineChart> => mountChart<LineChart>("cc-line-chart", props)
const root = shadowOf

describe("cc-line-chart", () => {
  it("draws one path per series, a legend entry each, and the axis labels", async () => {
    const el = await mount({ series: twoSeries, heading: "Completion", xLabel: "time (s)", yLabel: "jobs done (count)" })
    const r = root(el)
    const paths = r.querySelectorAll("path.series")
    expect(paths.length).toBe(2)
    expect([...paths].map((p) => p.getAttribute("data-series"))).toEqual(["fcfs", "fair-share"])
    expect(paths[0]?.getAttribute("d")).toMatch(/^M/)
    expect(r.querySelectorAll("ul.legend li").length).toBe(2)
    expect(r.querySelector("ul.legend")?.textContent).toContain("fair-share")
    const labels = [...r.querySelectorAll("text.axis-label")].map((t) => t.textContent?.trim())
    expect(labels).toEqual(["jobs done (count)", "time (s)"])
    expect(r.querySelector("g.axis.x text:not(.axis-label)")).not.toBeNull()
    expect(r.querySelectorAll("g.axis.y g.tick").length).toBeGreaterThan(1)
    expect(r.querySelector("figcaption")?.textContent).toBe("Completion")
    expect(r.querySelector("svg")?.getAttribute("role")).toBe("img")
    expect(r.querySelector("svg")?.getAttribute("aria-label")).toContain("Completion")
    expect(r.querySelector(".error")).toBeNull()
    el.remove()
  })

  it("uses the 640 px fallback width and the given height", async () => {
    const el = await mount({ series: twoSeries, height: 300 })
    expect(root(el).querySelector("svg")?.getAttribute("viewBox")).toBe("0 0 640 300")
    el.remove()
  })

  it("draws step curves and log axes with few labels", async () => {
    const cdf: Series = { name: "cdf", points: [[0.01, 0.1], [0.1, 0.5], [10, 0.9], [1000, 1]] }
    const el = await mount({ series: [cdf], xScale: "log", step: true })
    const r = root(el)
    const d = r.querySelector("path.series")?.getAttribute("d") ?? ""
    // step-after: a horizontal then a vertical segment between consecutive points
    expect(d.match(/L/g)?.length).toBe(2 * (cdf.points.length - 1))
    const labels = [...r.querySelectorAll("g.axis.x g.tick text")].map((t) => t.textContent)
    expect(labels.length).toBeGreaterThanOrEqual(2)
    expect(labels.length).toBeLessThanOrEqual(8)
    expect(labels).toContain("1")
    el.remove()
  })

  it("toggles to a table with every point and back", async () => {
    const el = await mount({ series: twoSeries, xLabel: "time (s)", yLabel: "jobs" })
    const { table, marksAfter } = await tableRoundTrip(el, "path.series")
    expect(table.header).toEqual(["series", "time (s)", "jobs"])
    expect(table.rows).toHaveLength(7)
    expect(table.rows[0]?.join(" ")).toContain("fcfs")
    expect(marksAfter).toBe(2)
    el.remove()
  })

  it("shows every k-th point in the table when a series has more than 500", async () => {
    const points = Array.from({ length: 1234 }, (_, i) => [i, i * i] as const)
    const el = await mount({ series: [{ name: "big", points }, { name: "small", points: [[0, 1]] }] })
    el.showTable = true
    await el.updateComplete
    const rows = root(el).querySelectorAll("tbody tr")
    expect(rows.length).toBe(Math.ceil(1234 / 3) + 1)
    expect(root(el).querySelector("caption")?.textContent).toContain("1 point in 3")
    el.remove()
  })

  it("shows a tooltip and focus circles on pointermove, hidden on pointerleave", async () => {
    const el = await mount({ series: twoSeries, xLabel: "time (s)", yLabel: "jobs" })
    const r = root(el)
    const overlay = r.querySelector("rect.overlay")
    expect(overlay).not.toBeNull()
    expect(r.querySelector(".tooltip")).toBeNull()
    // happy-dom has no layout: the svg's box is at 0 with width 0, so clientX maps 1:1 to svg units.
    const left = Number(/translate\(([\d.]+)/.exec(r.querySelector("svg > g")?.getAttribute("transform") ?? "")?.[1])
    const innerWidth = Number(overlay?.getAttribute("width"))
    // x domain [1, 4]: aim at x = 2.1, nearest to fcfs (2, 4) and fair-share (2.5, 2).
    overlay?.dispatchEvent(new PointerEvent("pointermove", { clientX: left + (innerWidth * 1.1) / 3, bubbles: true }))
    await el.updateComplete
    const tip = r.querySelector(".tooltip")
    expect(tip).not.toBeNull()
    expect(tip?.textContent).toContain("fcfs")
    expect(tip?.textContent).toMatch(/time \(s\) 2,\s+jobs\s+4/)
    expect(tip?.textContent).toMatch(/fair-share.*time \(s\) 2\.5,\s+jobs\s+2/s)
    expect(r.querySelectorAll("circle.focus").length).toBe(2)
    overlay?.dispatchEvent(new PointerEvent("pointerleave"))
    await el.updateComplete
    expect(r.querySelector(".tooltip")).toBeNull()
    expect(r.querySelectorAll("circle.focus").length).toBe(0)
    el.remove()
  })

  it("finds the nearest point by x, or the step value at x", () => {
    const pts = sortByX([[3, 30], [1, 10], [2, 20]])
    expect(nearestPoint(pts, 1.4)).toEqual([1, 10])
    expect(nearestPoint(pts, 1.6)).toEqual([2, 20])
    expect(nearestPoint(pts, 99)).toEqual([3, 30])
    expect(nearestPoint(pts, 1.9, true)).toEqual([1, 10])
    expect(nearestPoint(pts, 0, true)).toEqual([1, 10])
    expect(nearestPoint([], 1)).toBeUndefined()
  })

  describe("error state", () => {
    const cases: ReadonlyArray<[string, Partial<LineChart>, RegExp]> = [
      ["no series", { series: [] }, /no series/],
      ["an empty series", { series: [{ name: "sjf", points: [] }] }, /series "sjf" has no points/],
      ["a NaN y", { series: [twoSeries[0] as Series, { name: "fcfs2", points: [[0, 1], [1, 2], [2, 3], [3, Number.NaN]] }] }, /series "fcfs2": point 3 has a non-finite y/],
      ["an infinite x", { series: [{ name: "a", points: [[Number.POSITIVE_INFINITY, 1]] }] }, /series "a": point 0 has a non-finite x/],
      ["zero on a log y axis", { series: [{ name: "b", points: [[1, 1], [2, 0]] }], yScale: "log" }, /series "b": point 1 has y = 0.*logarithmic/],
      ["a negative x on a log x axis", { series: [{ name: "c", points: [[-1, 1]] }], xScale: "log" }, /series "c": point 0 has x = -1.*logarithmic/]
    ]
    for (const [what, props, message] of cases) {
      it(`names the problem for ${what} and draws no svg`, async () => {
        const el = await mount(props)
        expectErrorState(el, message)
        el.remove()
      })
    }

    it("recovers when valid data arrives", async () => {
      const el = await mount({ series: [] })
      expect(root(el).querySelector(".error")).not.toBeNull()
      el.series = twoSeries
      await el.updateComplete
      expect(root(el).querySelector(".error")).toBeNull()
      expect(root(el).querySelectorAll("path.series").length).toBe(2)
      el.remove()
    })
  })

  it("draws one path per series and no error for any valid data (property)", async () => {
    const coordinate = fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true })
    const series = fc.array(
      fc.record({
        name: fc.string({ minLength: 1, maxLength: 12 }),
        points: fc.array(fc.tuple(coordinate, coordinate), { minLength: 1, maxLength: 50 })
      }),
      { minLength: 1, maxLength: 5 }
    )
    await fc.assert(
      fc.asyncProperty(series, fc.boolean(), async (s, step) => {
        const el = await mount({ series: s, step })
        try {
          const r = root(el)
          expect(r.querySelector(".error")).toBeNull()
          expect(r.querySelectorAll("path.series").length).toBe(s.length)
          expect(r.querySelectorAll("ul.legend li").length).toBe(s.length)
        } finally {
          el.remove()
        }
      }),
      { numRuns: 60 }
    )
  })
})
