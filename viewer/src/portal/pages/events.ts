// Events pages send up to the shell.
import type { Me } from "../api/schemas.ts"

/** A user signed in or signed up: the shell keeps `me` and shows the dashboard. */
export const signedIn = (me: Me): CustomEvent<Me> => new CustomEvent("cc-signed-in", { detail: me, bubbles: true, composed: true })
