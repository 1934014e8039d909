// #/storage: the user's buckets (with their redundancy) and each bucket's objects with size, checksum
// and health (healthy shards of n, readable while at least k); upload, download and delete.
import { Either } from "effect"
import { html, nothing } from "lit"
import { objectPath, run } from "../api/client.ts"
import type { Bucket, StoredObject } from "../api/schemas.ts"
import { formAlert, inputField } from "../fields.ts"
import { formatBytes, formatTime } from "../format.ts"
import { PortalPage } from "../PortalPage.ts"

/** How an object's shards stand: every one healthy, some lost but readable, or unreadable. */
export const objectHealth = (o: StoredObject): "healthy" | "degraded" | "unreadable" =>
  o.healthyShards >= o.n ? "healthy" : o.healthyShards >= o.k ? "degraded" : "unreadable"

const bucketNamePattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

export class StoragePage extends PortalPage {
  static override properties = {
    ...PortalPage.properties,
    buckets: { attribute: false },
    selected: { state: true },
    objects: { attribute: false },
    error: { state: true },
    notice: { state: true },
    uploadBucket: { state: true },
    uploadKey: { state: true },
    uploadErrors: { state: true },
    uploadAlert: { state: true },
    busy: { state: true }
  }

  declare buckets: ReadonlyArray<Bucket>
  declare selected: string | null
  declare objects: ReadonlyArray<StoredObject>
  declare error: string | null
  declare notice: string
  declare uploadBucket: string
  declare uploadKey: string
  declare uploadErrors: Readonly<Record<string, string>>
  declare uploadAlert: string | null
  declare busy: boolean

  #file: File | null = null

  constructor() {
    super()
    this.buckets = []
    this.selected = null
    this.objects = []
    this.error = null
    this.notice = ""
    this.uploadBucket = ""
    this.uploadKey = ""
    this.uploadErrors = {}
    this.uploadAlert = null
    this.busy = false
  }

  override connectedCallback(): void {
    super.connectedCallback()
    void this.refresh()
  }

  async refresh(): Promise<void> {
    if (this.client === undefined) return
    const buckets = await run(this.client.buckets())
    if (Either.isLeft(buckets)) {
      this.error = buckets.left.message
      return
    }
    this.buckets = buckets.right
    this.error = null
    const selected = this.selected ?? buckets.right[0]?.name ?? null
    if (this.uploadBucket === "" && selected !== null) this.uploadBucket = selected
    await this.select(selected)
  }

  async select(bucket: string | null): Promise<void> {
    this.selected = bucket
    if (bucket === null) {
      this.objects = []
      return
    }
    const objects = await run(this.client.objects(bucket))
    if (bucket !== this.selected) return
    if (Either.isRight(objects)) this.objects = objects.right
    else this.error = objects.left.message
  }

  async upload(e: Event): Promise<void> {
    e.preventDefault()
    const errors: Record<string, string> = {}
    const bucket = this.uploadBucket.trim()
    const key = this.uploadKey.trim() || this.#file?.name || ""
    if (!bucketNamePattern.test(bucket)) errors["bucket"] = "3 to 63 lowercase letters, digits, dots and hyphens."
    if (this.#file === null) errors["file"] = "Choose a file to upload."
    if (key === "") errors["key"] = "Name the object."
    this.uploadErrors = errors
    this.uploadAlert = Object.keys(errors).length > 0 ? "Check the highlighted fields." : null
    if (this.#file === null || Object.keys(errors).length > 0) return
    this.busy = true
    const result = await run(this.client.putObject(bucket, key, this.#file))
    this.busy = false
    if (Either.isLeft(result)) {
      const field = result.left.facts["field"]
      const reason = result.left.facts["reason"]
      this.uploadErrors = typeof field === "string" && typeof reason === "string" && (field === "bucket" || field === "key")
        ? { [field]: reason }
        : result.left.fields
      this.uploadAlert = `Upload refused: ${result.left.message}`
      return
    }
    this.notice = `Uploaded ${bucket}/${key} (${formatBytes(result.right.sizeBytes)}).`
    this.uploadKey = ""
    this.#file = null
    const input = this.querySelector<HTMLInputElement>("#upload-file")
    if (input !== null) input.value = ""
    this.selected = bucket
    await this.refresh()
  }

  async deleteObject(o: StoredObject): Promise<void> {
    if (!confirm(`Delete ${o.bucket}/${o.key}? This cannot be undone.`)) return
    const result = await run(this.client.deleteObject(o.bucket, o.key))
    this.notice = Either.isRight(result) ? `Deleted ${o.bucket}/${o.key}.` : `Could not delete ${o.bucket}/${o.key}: ${result.left.message}`
    await this.select(o.bucket)
  }

  override render() {
    const current = this.buckets.find((b) => b.name === this.selected)
    return html`<section aria-labelledby="storage-title">
      <h1 id="storage-title" tabindex="-1">Storage</h1>
      ${this.error !== null ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      <p role="status" data-testid="storage-notice">${this.notice}</p>
      <h2>Upload</h2>
      <form novalidate @submit=${this.upload} data-testid="upload-form" class="inline-form">
        ${inputField({ id: "upload-bucket", name: "bucket", label: "Bucket", value: this.uploadBucket, error: this.uploadErrors["bucket"], hint: "Made on first upload.", onInput: (v) => (this.uploadBucket = v) })}
        ${inputField({ id: "upload-key", name: "key", label: "Object key", value: this.uploadKey, error: this.uploadErrors["key"], hint: "Default: the file's name.", onInput: (v) => (this.uploadKey = v) })}
        <div class="field${this.uploadErrors["file"] ? " invalid" : ""}">
          <label for="upload-file">File</label>
          <input id="upload-file" type="file" aria-describedby="upload-file-error" aria-invalid=${this.uploadErrors["file"] ? "true" : "false"}
            @change=${(e: Event) => { this.#file = (e.target as HTMLInputElement).files?.[0] ?? null }} />
          <p class="field-error" id="upload-file-error" aria-live="polite">${this.uploadErrors["file"] ?? ""}</p>
        </div>
        ${formAlert("upload-alert", this.uploadAlert)}
        <button type="submit" class="primary" ?disabled=${this.busy}>Upload</button>
      </form>
      <h2 id="buckets-title">Buckets</h2>
      ${this.buckets.length === 0 ? html`<p class="empty">No buckets yet: upload an object, or run a job (its outputs go to a bucket of yours).</p>` : html`
        <ul class="bucket-list" aria-labelledby="buckets-title">
          ${this.buckets.map((b) => html`<li><button type="button" class="link" aria-pressed=${b.name === this.selected ? "true" : "false"}
            data-testid="bucket-${b.name}" @click=${() => this.select(b.name)}>${b.name}</button> <span class="muted">${b.redundancy}</span></li>`)}
        </ul>`}
      ${current === undefined ? nothing : html`
        <h2 id="objects-title">Objects in ${current.name}</h2>
        <p class="muted">Redundancy: ${current.redundancy}; created ${formatTime(current.createdAtMs)}.</p>
        ${this.objects.length === 0 ? html`<p class="empty">This bucket is empty.</p>` : html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="objects-title"><table aria-labelledby="objects-title" data-testid="objects-table">
          <thead><tr><th scope="col">Key</th><th scope="col">Size</th><th scope="col">Health</th><th scope="col">Shards</th><th scope="col">Created</th><th scope="col">SHA-256</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${this.objects.map((o) => {
            const health = objectHealth(o)
            return html`<tr data-testid="object-row-${o.key}">
              <th scope="row">${o.key}</th>
              <td class="num">${formatBytes(o.sizeBytes)}</td>
              <td><span class="health health-${health}">${health}</span></td>
              <td>${o.healthyShards}/${o.n} healthy, ${o.k} needed</td>
              <td>${formatTime(o.createdAtMs)}</td>
              <td><code title=${o.contentSha256}>${o.contentSha256.slice(0, 12)}…</code></td>
              <td class="actions">
                <a href=${objectPath(o.bucket, o.key)} download=${o.key.split("/").pop() ?? o.key} aria-label="Download ${o.key}">Download</a>
                <button type="button" class="danger" aria-label="Delete ${o.key}" @click=${() => this.deleteObject(o)}>Delete</button>
              </td>
            </tr>`
          })}</tbody>
        </table></div>`}`}
    </section>`
  }
}

if (!customElements.get("cc-storage-page")) customElements.define("cc-storage-page", StoragePage)
