// #/signup: a personal account, or a company account that creates an organisation or joins one with
// an invitation code. Client rules first; the API's 400/409 come back beside the fields they name.
import { Either } from "effect"
import { html, nothing } from "lit"
import { run } from "../api/client.ts"
import { formAlert, inputField, radioGroup } from "../fields.ts"
import { PortalPage } from "../PortalPage.ts"
import { passwordLengthMin, type SignupForm, validateSignup } from "../validation.ts"
import { signedIn } from "./events.ts"

export class SignupPage extends PortalPage {
  static override properties = {
    ...PortalPage.properties,
    form: { state: true },
    errors: { state: true },
    alert: { state: true },
    busy: { state: true }
  }

  declare form: SignupForm
  declare errors: Readonly<Record<string, string>>
  declare alert: string | null
  declare busy: boolean

  constructor() {
    super()
    this.form = { kind: "personal", name: "", email: "", password: "", orgMode: "create", orgName: "", invitation: "" }
    this.errors = {}
    this.alert = null
    this.busy = false
  }

  #set(field: keyof SignupForm, value: string): void {
    this.form = { ...this.form, [field]: value }
    if (this.errors[field] !== undefined) {
      const { [field]: _gone, ...rest } = this.errors
      this.errors = rest
    }
  }

  async submit(e: Event): Promise<void> {
    e.preventDefault()
    const checked = validateSignup(this.form)
    if ("errors" in checked) {
      this.errors = checked.errors
      this.alert = "Check the highlighted fields."
      this.#focusFirstInvalid()
      return
    }
    this.errors = {}
    this.alert = null
    this.busy = true
    const result = await run(this.client.signup(checked.request))
    this.busy = false
    if (Either.isRight(result)) {
      this.dispatchEvent(signedIn(result.right))
      return
    }
    this.errors = result.left.fields
    this.alert = result.left.message
  }

  #focusFirstInvalid(): void {
    void this.updateComplete.then(() => this.querySelector<HTMLElement>("[aria-invalid='true']")?.focus())
  }

  override render() {
    const f = this.form
    const company = f.kind === "company"
    return html`<section class="narrow" aria-labelledby="signup-title">
      <h1 id="signup-title" tabindex="-1">Sign up</h1>
      <form novalidate @submit=${this.submit} data-testid="signup-form">
        ${radioGroup({ id: "signup-kind", name: "kind", label: "Account type", value: f.kind, error: this.errors["kind"], onChange: (v) => this.#set("kind", v), options: [{ value: "personal", label: "Personal user" }, { value: "company", label: "Company user" }] })}
        ${inputField({ id: "signup-name", name: "name", label: "User name", value: f.name, autocomplete: "username", required: true, hint: "3 to 32 lowercase letters, digits and hyphens.", error: this.errors["name"], onInput: (v) => this.#set("name", v) })}
        ${inputField({ id: "signup-email", name: "email", label: "Email", type: "email", value: f.email, autocomplete: "email", required: true, error: this.errors["email"], onInput: (v) => this.#set("email", v) })}
        ${inputField({ id: "signup-password", name: "password", label: "Password", type: "password", value: f.password, autocomplete: "new-password", required: true, hint: `At least ${passwordLengthMin} characters.`, error: this.errors["password"], onInput: (v) => this.#set("password", v) })}
        ${company ? html`
          ${radioGroup({ id: "signup-org-mode", name: "orgMode", label: "Organisation", value: f.orgMode, onChange: (v) => this.#set("orgMode", v), options: [{ value: "create", label: "Create an organisation" }, { value: "join", label: "Join with an invitation" }] })}
          ${f.orgMode === "create"
            ? inputField({ id: "signup-org-name", name: "orgName", label: "Organisation name", value: f.orgName, autocomplete: "organization", error: this.errors["orgName"], hint: "You become its admin: you top up its credits and see your members' jobs.", onInput: (v) => this.#set("orgName", v) })
            : inputField({ id: "signup-invitation", name: "invitation", label: "Invitation code", value: f.invitation, error: this.errors["invitation"], onInput: (v) => this.#set("invitation", v) })}
        ` : nothing}
        ${formAlert("signup-alert", this.alert)}
        <button type="submit" class="primary" ?disabled=${this.busy}>Create account</button>
      </form>
      <p>Have an account? <a href="#/login">Log in</a></p>
    </section>`
  }
}

if (!customElements.get("cc-signup-page")) customElements.define("cc-signup-page", SignupPage)
