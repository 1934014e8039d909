// Mounting a chart element for the component tests: set its properties, attach it, wait for Lit.
import type { LitElement } from "lit"
import { expect } from "vitest"

export const mountChart = async <E extends LitElement>(tag: string, props: Partial<E>): Promise<E> => {
  const el = document.createElement(tag) as E
  Object.assign(el, props)
  document.body.append(el)
  await el.updateComplete
  return el
}

export const shadowOf = (el: Element): ShadowRoot => {
  if (el.shadowRoot === null) throw new Error("no shadow root")
  return el.shadowRoot
}

/** What a chart's table view shows: header cells and each body row's cells, as text. */
export interface TableView {
  readonly header: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
}

/**
 * Switches a chart to its table (checking the chart is gone and the table has a caption), reads
 * the table, switches back, and returns the table and how many `mark`s are drawn again.
 */
export const tableRoundTrip = async (el: LitElement, mark: string): Promise<{ readonly table: TableView; readonly marksAfter: number }> => {
  const r = shadowOf(el)
  const button = r.querySelector<HTMLButtonElement>("button.toggle-table")
  if (button === null) throw new Error("no table toggle")
  expect(button.textContent?.trim()).toBe("Show table")
  button.click()
  await el.updateComplete
  expect(r.querySelector("svg")).toBeNull()
  expect(r.querySelector("table caption")).not.toBeNull()
  const text = (cells: Iterable<Element>) => [...cells].map((c) => c.textContent ?? "")
  const table = {
    header: text(r.querySelectorAll("thead th")),
    rows: [...r.querySelectorAll("tbody tr")].map((row) => text(row.children))
  }
  expect(button.textContent?.trim()).toBe("Show chart")
  button.click()
  await el.updateComplete
  expect(r.querySelector("table")).toBeNull()
  return { table, marksAfter: r.querySelectorAll(mark).length }
}

/** The chart shows its error state: an alert naming the problem, and neither a chart nor a table toggle. */
export const expectErrorState = (el: Element, message: RegExp): void => {
  const r = shadowOf(el)
  const error = r.querySelector(".error")
  expect(error?.getAttribute("role")).toBe("alert")
  expect(error?.textContent).toMatch(message)
  expect(r.querySelector("svg")).toBeNull()
  expect(r.querySelector("button.toggle-table")).toBeNull()
}
