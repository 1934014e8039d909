// What every portal page shares: it renders into the light DOM (one stylesheet, labels and
// aria-describedby ids in one document, simple selectors for tests) and takes the API client and the
// signed-in user as properties from the shell.
import { LitElement, type PropertyDeclarations } from "lit"
import type { PortalClient } from "./api/client.ts"
import type { Me } from "./api/schemas.ts"

export abstract class PortalPage extends LitElement {
  static override properties: PropertyDeclarations = {
    client: { attribute: false },
    me: { attribute: false }
  }

  declare client: PortalClient
  declare me: Me | null

  constructor() {
    super()
    this.me = null
  }

  protected override createRenderRoot(): HTMLElement {
    return this
  }
}
