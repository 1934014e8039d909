// #/login: name or email and password. A wrong pair and too many attempts are said in the form's alert.
import { Either } from "effect"
import { html } from "lit"
import { run } from "../api/client.ts"
import { formAlert, inputField } from "../fields.ts"
import { PortalPage } from "../PortalPage.ts"
import { signedIn } from "./events.ts"

export class LoginPage extends PortalPage {
  static override properties = {
    ...PortalPage.properties,
    login: { state: true },
    password: { state: true },
    errors: { state: true },
    alert: { state: true },
    busy: { state: true }
  }

  declare login: string
  declare password: string
  declare errors: Readonly<Record<string, string>>
  declare alert: string | null
  declare busy: boolean

  constructor() {
    super()
    this.login = ""
    this.password = ""
    this.errors = {}
    this.alert = null
    this.busy = false
  }

  async submit(e: Event): Promise<void> {
    e.preventDefault()
    const errors: Record<string, string> = {}
    if (this.login.trim() === "") errors["login"] = "Enter your user name or email."
    if (this.password === "") errors["password"] = "Enter your password."
    this.errors = errors
    this.alert = Object.keys(errors).length > 0 ? "Check the highlighted fields." : null
    if (Object.keys(errors).length > 0) return
    this.busy = true
    const result = await run(this.client.login(this.login.trim(), this.password))
    this.busy = false
    if (Either.isRight(result)) {
      this.password = ""
      this.dispatchEvent(signedIn(result.right))
      return
    }
    const error = result.left
    this.alert = error.status === 429
      ? `Too many failed attempts. Try again${error.retryAfterS !== null ? ` in ${error.retryAfterS} seconds` : " later"}.`
      : error.status === 401 ? "That user name or email and password do not match." : error.message
    this.errors = error.fields
  }

  override render() {
    return html`<section class="narrow" aria-labelledby="login-title">
      <h1 id="login-title" tabindex="-1">Log in</h1>
      <form novalidate @submit=${this.submit} data-testid="login-form">
        ${inputField({ id: "login-name", name: "login", label: "User name or email", value: this.login, autocomplete: "username", required: true, error: this.errors["login"], onInput: (v) => (this.login = v) })}
        ${inputField({ id: "login-password", name: "password", label: "Password", type: "password", value: this.password, autocomplete: "current-password", required: true, error: this.errors["password"], onInput: (v) => (this.password = v) })}
        ${formAlert("login-alert", this.alert)}
        <button type="submit" class="primary" ?disabled=${this.busy}>Log in</button>
      </form>
      <p>New here? <a href="#/signup">Sign up</a></p>
    </section>`
  }
}

if (!customElements.get("cc-login-page")) customElements.define("cc-login-page", LoginPage)
