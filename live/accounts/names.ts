// What a user name and an email may be. User names double as ledger account ids and bucket-name
// prefixes, so they are kept to what both allow; no dot, so an organisation's `org.<slug>` never
// collides with one.
export const userNamePattern = /^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$/

export const userNameRule = "3-32 lowercase letters, digits and hyphens, starting and ending with a letter or digit"

/** Deliberately loose: one @, something on both sides, a dot in the domain. The address is never mailed. */
export const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
