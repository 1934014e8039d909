// Mounting a chart element for the component tests: set its properties, attach it, wait for Lit.
import type { LitElement } from "lit"

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
