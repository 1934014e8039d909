// #/jobs/new: the create-job form. Each field is checked as the API would check it; while the form is
// valid a price estimate is asked for (debounced) and a job the credits cannot cover is refused
// plainly, before and (402) after submitting. The API's 400 lands beside the fields it names.
import { Either } from "effect"
import { html, nothing } from "lit"
import { type JobRequest, run } from "../api/client.ts"
import type { PortalApiError } from "../api/PortalApiError.ts"
import type { Estimate } from "../api/schemas.ts"
import { formAlert, inputField, selectField, textAreaField } from "../fields.ts"
import { formatCredits } from "../format.ts"
import { PortalPage } from "../PortalPage.ts"
import { byControl, defaultJobForm, type FieldErrors, images, type JobForm, replicasMax, validateJobForm } from "../validation.ts"

export const estimateDebounceMs = 400

type EstimateState =
  | { readonly kind: "none" }
  | { readonly kind: "pending" }
  | { readonly kind: "ready"; readonly estimate: Estimate }
  | { readonly kind: "failed"; readonly message: string }

const shortOfCredits = (need: number, have: number) =>
  `Not enough credits: this job may cost up to ${formatCredits(need)} and the balance is ${formatCredits(have)}. Top up on the Billing page or ask for fewer resources.`

export class CreateJobPage extends PortalPage {
  static override properties = {
    ...PortalPage.properties,
    form: { state: true },
    errors: { state: true },
    alert: { state: true },
    estimate: { state: true },
    busy: { state: true }
  }

  declare form: JobForm
  /** Shown beside each control; only for controls the user has left or after a submit attempt. */
  declare errors: FieldErrors
  declare alert: string | null
  declare estimate: EstimateState
  declare busy: boolean

  #touched = new Set<string>()
  #submitted = false
  #timer: ReturnType<typeof setTimeout> | undefined
  #estimateSeq = 0

  constructor() {
    super()
    this.form = defaultJobForm
    this.errors = {}
    this.alert = null
    this.estimate = { kind: "none" }
    this.busy = false
  }

  override connectedCallback(): void {
    super.connectedCallback()
    this.#scheduleEstimate()
  }

  override disconnectedCallback(): void {
    clearTimeout(this.#timer)
    super.disconnectedCallback()
  }

  #set(field: keyof JobForm, value: string): void {
    this.form = { ...this.form, [field]: value }
    this.#touched.add(field)
    this.#recheck()
    // A refusal is about the form as it was: an edit that leaves no field in error withdraws it.
    if (Object.keys(this.errors).length === 0) this.alert = null
    this.#scheduleEstimate()
  }

  /** Client rules for the fields already touched (all of them after a submit attempt). */
  #recheck(): void {
    const checked = validateJobForm(this.form)
    const all = "errors" in checked ? checked.errors : {}
    this.errors = Object.fromEntries(Object.entries(all).filter(([f]) => this.#submitted || this.#touched.has(f)))
  }

  #scheduleEstimate(): void {
    clearTimeout(this.#timer)
    const checked = validateJobForm(this.form)
    if (!("request" in checked)) {
      this.estimate = { kind: "none" }
      return
    }
    this.estimate = { kind: "pending" }
    this.#timer = setTimeout(() => void this.#fetchEstimate(checked.request), estimateDebounceMs)
  }

  async #fetchEstimate(request: JobRequest): Promise<void> {
    if (this.client === undefined) return
    const seq = ++this.#estimateSeq
    const result = await run(this.client.estimateJob(request))
    if (seq !== this.#estimateSeq) return
    this.estimate = Either.isRight(result) ? { kind: "ready", estimate: result.right } : { kind: "failed", message: result.left.message }
  }

  async submit(e: Event): Promise<void> {
    e.preventDefault()
    this.#submitted = true
    const checked = validateJobForm(this.form)
    if ("errors" in checked) {
      this.errors = checked.errors
      this.alert = `The job cannot be submitted yet: ${Object.keys(checked.errors).length === 1 ? "one field needs" : `${Object.keys(checked.errors).length} fields need`} attention.`
      void this.updateComplete.then(() => this.querySelector<HTMLElement>("[aria-invalid='true']")?.focus())
      return
    }
    this.errors = {}
    this.alert = null
    this.busy = true
    const result = await run(this.client.submitJob(checked.request))
    this.busy = false
    if (Either.isRight(result)) {
      location.hash = `#/jobs/${result.right.id}`
      return
    }
    this.#refused(result.left)
  }

  #refused(error: PortalApiError): void {
    this.errors = byControl(error.fields)
    const facts = error.facts
    this.alert = error.error === "InsufficientCredits" && typeof facts["amountCredits"] === "number" && typeof facts["balanceCredits"] === "number"
      ? shortOfCredits(facts["amountCredits"], facts["balanceCredits"])
      : `The job was refused: ${error.message}`
    if (Object.keys(this.errors).length > 0) void this.updateComplete.then(() => this.querySelector<HTMLElement>("[aria-invalid='true']")?.focus())
  }

  #renderEstimate() {
    const s = this.estimate
    return html`<div class="estimate" data-testid="estimate">
      <p role="status" id="job-estimate">${s.kind === "pending" ? "Estimating the price…"
        : s.kind === "ready" ? html`Estimated price: at most <strong>${formatCredits(s.estimate.maxCredits)}</strong> (balance ${formatCredits(s.estimate.balanceCredits)}).`
        : s.kind === "failed" ? `No estimate: ${s.message}`
        : "The price estimate appears when the form is complete."}</p>
      ${s.kind === "ready" && !s.estimate.affordable
        ? html`<p class="refusal" role="alert" data-testid="estimate-refusal">${shortOfCredits(s.estimate.maxCredits, s.estimate.balanceCredits)}</p>`
        : nothing}
    </div>`
  }

  override render() {
    const f = this.form
    const err = this.errors
    const blur = (field: string) => () => {
      this.#touched.add(field)
      this.#recheck()
    }
    return html`<section class="narrow" aria-labelledby="new-job-title">
      <p><a href="#/jobs">← Jobs</a></p>
      <h1 id="new-job-title" tabindex="-1">Create job</h1>
      <form novalidate @submit=${this.submit} @focusout=${(e: FocusEvent) => { const id = (e.target as HTMLElement).getAttribute("name"); if (id) blur(id)() }} data-testid="create-job-form">
        ${selectField({ id: "image", label: "Image", value: f.image, error: err["image"], options: images.map((i) => ({ value: i, label: i })), onChange: (v) => this.#set("image", v) })}
        ${inputField({ id: "command", label: "Command", value: f.command, error: err["command"], hint: "Words are split at spaces; quote an argument that has spaces.", onInput: (v) => this.#set("command", v) })}
        <div class="field-row">
          ${inputField({ id: "vcpus", inputmode: "numeric", label: "vCPUs", value: f.vcpus, error: err["vcpus"], onInput: (v) => this.#set("vcpus", v) })}
          ${inputField({ id: "memoryMiB", inputmode: "numeric", label: "RAM (MiB)", value: f.memoryMiB, error: err["memoryMiB"], onInput: (v) => this.#set("memoryMiB", v) })}
          ${inputField({ id: "diskMiB", inputmode: "numeric", label: "Disk (MiB)", value: f.diskMiB, error: err["diskMiB"], onInput: (v) => this.#set("diskMiB", v) })}
          ${inputField({ id: "timeoutS", inputmode: "numeric", label: "Timeout (s)", value: f.timeoutS, error: err["timeoutS"], onInput: (v) => this.#set("timeoutS", v) })}
        </div>
        ${textAreaField({ id: "inputs", label: "Input objects", value: f.inputs, error: err["inputs"], hint: "One per line as bucket/key; each is copied to /in/<key> in the job.", onInput: (v) => this.#set("inputs", v) })}
        ${selectField({ id: "replicas", label: "Verification replicas", value: f.replicas, error: err["replicas"], hint: "Run the job on this many nodes and compare their outputs.", options: Array.from({ length: replicasMax }, (_, i) => ({ value: String(i + 1), label: String(i + 1) })), onChange: (v) => this.#set("replicas", v) })}
        ${this.#renderEstimate()}
        ${formAlert("create-job-alert", this.alert)}
        <button type="submit" class="primary" ?disabled=${this.busy}>Submit job</button>
      </form>
    </section>`
  }
}

if (!customElements.get("cc-create-job-page")) customElements.define("cc-create-job-page", CreateJobPage)
