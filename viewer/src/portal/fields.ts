// Labelled form controls with their hint and error, wired for assistive technology: the error sits in
// a polite live region that exists before it has text (so a new message is announced), and the
// control points at hint and error with aria-describedby and says aria-invalid.
import { html, nothing, type TemplateResult } from "lit"
import { live } from "lit/directives/live.js"

interface Common {
  readonly id: string
  readonly label: string
  readonly error?: string | undefined
  readonly hint?: string | TemplateResult | undefined
}

const describedBy = (o: Common) => (o.hint ? `${o.id}-hint ${o.id}-error` : `${o.id}-error`)

const after = (o: Common) => html`${o.hint ? html`<p class="hint" id="${o.id}-hint">${o.hint}</p>` : nothing}
  <p class="field-error" id="${o.id}-error" aria-live="polite" data-testid="${o.id}-error">${o.error ?? ""}</p>`

export interface InputOptions extends Common {
  readonly name?: string
  readonly value: string
  readonly type?: "text" | "number" | "email" | "password" | "search"
  readonly autocomplete?: string
  readonly inputmode?: "numeric" | "text" | "email"
  readonly required?: boolean
  readonly min?: number
  readonly max?: number
  readonly onInput: (value: string) => void
}

export const inputField = (o: InputOptions): TemplateResult => html`<div class="field${o.error ? " invalid" : ""}">
  <label for=${o.id}>${o.label}</label>
  <input id=${o.id} name=${o.name ?? o.id} type=${o.type ?? "text"} .value=${live(o.value)}
    autocomplete=${o.autocomplete ?? "off"} inputmode=${o.inputmode ?? nothing} ?required=${o.required ?? false}
    min=${o.min ?? nothing} max=${o.max ?? nothing}
    aria-invalid=${o.error ? "true" : "false"} aria-describedby=${describedBy(o)}
    @input=${(e: Event) => o.onInput((e.target as HTMLInputElement).value)} />
  ${after(o)}
</div>`

export interface TextAreaOptions extends Common {
  readonly value: string
  readonly rows?: number
  readonly onInput: (value: string) => void
}

export const textAreaField = (o: TextAreaOptions): TemplateResult => html`<div class="field${o.error ? " invalid" : ""}">
  <label for=${o.id}>${o.label}</label>
  <textarea id=${o.id} name=${o.id} rows=${o.rows ?? 3} .value=${live(o.value)} spellcheck="false"
    aria-invalid=${o.error ? "true" : "false"} aria-describedby=${describedBy(o)}
    @input=${(e: Event) => o.onInput((e.target as HTMLTextAreaElement).value)}></textarea>
  ${after(o)}
</div>`

export interface SelectOptions extends Common {
  readonly value: string
  readonly options: ReadonlyArray<{ readonly value: string; readonly label: string }>
  readonly onChange: (value: string) => void
}

export const selectField = (o: SelectOptions): TemplateResult => html`<div class="field${o.error ? " invalid" : ""}">
  <label for=${o.id}>${o.label}</label>
  <select id=${o.id} name=${o.id} aria-invalid=${o.error ? "true" : "false"} aria-describedby=${describedBy(o)}
    @change=${(e: Event) => o.onChange((e.target as HTMLSelectElement).value)}>
    ${o.options.map((opt) => html`<option value=${opt.value} ?selected=${opt.value === o.value}>${opt.label}</option>`)}
  </select>
  ${after(o)}
</div>`

export interface RadioOptions extends Common {
  readonly name: string
  readonly value: string
  readonly options: ReadonlyArray<{ readonly value: string; readonly label: string }>
  readonly onChange: (value: string) => void
}

/** A radio group: a fieldset whose legend is the label. */
export const radioGroup = (o: RadioOptions): TemplateResult => html`<fieldset class="field radios${o.error ? " invalid" : ""}"
  id=${o.id} aria-describedby=${describedBy(o)}>
  <legend>${o.label}</legend>
  ${o.options.map((opt) => html`<label class="radio"><input type="radio" name=${o.name} value=${opt.value}
    .checked=${live(opt.value === o.value)} @change=${() => o.onChange(opt.value)} /> ${opt.label}</label>`)}
  ${after(o)}
</fieldset>`

/** The form's own outcome (refusals that belong to no one field): announced at once. */
export const formAlert = (id: string, message: string | null): TemplateResult =>
  html`<div class="form-alert${message ? " shown" : ""}" id=${id} role="alert" data-testid=${id}>${message ?? ""}</div>`
