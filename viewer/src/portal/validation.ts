// The portal's client-side checks, the same rules the API applies (live/api/ClusterApi.ts SubmitJob,
// live/coordinator/users.ts userNamePattern), so a user learns of a mistake beside the field before
// sending. The API still decides: its 400 `fields` are shown the same way.
import type { JobRequest, SignupRequest } from "./api/client.ts"

/** A message per form field; empty when the form is valid. */
export type FieldErrors = Readonly<Record<string, string>>

export const userNamePattern = /^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$/
export const passwordLengthMin = 8
export const images = ["busybox", "python"] as const
export const replicasMax = 3
const int32Max = 2_147_483_647

/**
 * Splits a command line into words as sh would (without expansions): whitespace separates, single or
 * double quotes keep spaces, a backslash escapes the next character (inside double quotes only
 * " \\ $ and `). Returns null for an unclosed quote.
 */
export const splitCommand = (line: string): ReadonlyArray<string> | null => {
  const words: Array<string> = []
  let word = ""
  let inWord = false
  let quote: "'" | '"' | null = null
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote !== null) {
      if (c === quote) quote = null
      // As in sh: inside double quotes a backslash escapes only " \ $ and `; elsewhere it stays.
      else if (c === "\\" && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i]
      else word += c
    } else if (c === "'" || c === '"') {
      quote = c
      inWord = true
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i]
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word)
      word = ""
      inWord = false
    } else {
      word += c
      inWord = true
    }
  }
  if (quote !== null) return null
  if (inWord) words.push(word)
  return words
}

/** Reads `bucket/key` lines (blank lines ignored); null with the 1-based line number of a bad one. */
export const parseInputs = (text: string): { readonly inputs: JobRequest["inputs"] } | { readonly badLine: number } => {
  const inputs: Array<{ bucket: string; key: string }> = []
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === "") continue
    const slash = line.indexOf("/")
    if (slash <= 0 || slash === line.length - 1) return { badLine: i + 1 }
    inputs.push({ bucket: line.slice(0, slash), key: line.slice(slash + 1) })
  }
  return { inputs }
}

/** The create-job form as typed: every control's value as a string. */
export interface JobForm {
  readonly image: string
  readonly command: string
  readonly vcpus: string
  readonly memoryMiB: string
  readonly diskMiB: string
  readonly timeoutS: string
  readonly inputs: string
  readonly replicas: string
}

export const defaultJobForm: JobForm = {
  image: "python",
  command: "python3 -c 'print(6*7)'",
  vcpus: "1",
  memoryMiB: "256",
  diskMiB: "64",
  timeoutS: "60",
  inputs: "",
  replicas: "1"
}

const integer = (text: string, min: number, max: number, what: string): number | string => {
  const t = text.trim()
  if (t === "") return `Enter ${what}.`
  if (!/^-?\d+$/.test(t)) return `${what[0]!.toUpperCase()}${what.slice(1)} must be a whole number.`
  const n = Number(t)
  if (n < min) return `${what[0]!.toUpperCase()}${what.slice(1)} must be at least ${min}.`
  if (n > max) return `${what[0]!.toUpperCase()}${what.slice(1)} must be at most ${max}.`
  return n
}

/** The request the form describes, or a message per bad field. */
export const validateJobForm = (form: JobForm): { readonly request: JobRequest } | { readonly errors: FieldErrors } => {
  const errors: Record<string, string> = {}
  if (!(images as ReadonlyArray<string>).includes(form.image)) errors["image"] = `Choose an image: ${images.join(" or ")}.`
  const command = splitCommand(form.command)
  if (command === null) errors["command"] = "The command has an unclosed quote."
  else if (command.length === 0) errors["command"] = "Enter the command to run, e.g. python3 -c 'print(1)'."
  const numbers = {
    // The API bounds these only below; whether a node can hold the job is its 422 (JobUnsatisfiable).
    vcpus: integer(form.vcpus, 1, int32Max, "the number of vCPUs"),
    memoryMiB: integer(form.memoryMiB, 1, int32Max, "the memory in MiB"),
    diskMiB: integer(form.diskMiB, 0, int32Max, "the disk in MiB"),
    timeoutS: integer(form.timeoutS, 1, int32Max, "the timeout in seconds"),
    replicas: integer(form.replicas, 1, replicasMax, "the number of verification replicas")
  }
  for (const [field, value] of Object.entries(numbers)) if (typeof value === "string") errors[field] = value
  const inputs = parseInputs(form.inputs)
  if ("badLine" in inputs) errors["inputs"] = `Line ${inputs.badLine}: write each input object as bucket/key.`
  if (Object.keys(errors).length > 0 || command === null || "badLine" in inputs) return { errors }
  const n = numbers as Record<keyof typeof numbers, number>
  return {
    request: { image: form.image, command, vcpus: n.vcpus, memoryMiB: n.memoryMiB, diskMiB: n.diskMiB, timeoutS: n.timeoutS, inputs: inputs.inputs, replicas: n.replicas }
  }
}

/** The form control an API field name belongs to: `inputs[0].key` -> `inputs`, `command[2]` -> `command`. */
export const controlOf = (apiField: string): string => apiField.split(/[[.]/)[0] ?? apiField

/** API field messages keyed by form control (the first message per control wins). */
export const byControl = (fields: Readonly<Record<string, string>>): FieldErrors => {
  const out: Record<string, string> = {}
  for (const [field, message] of Object.entries(fields)) out[controlOf(field)] ??= field === controlOf(field) ? message : `${field}: ${message}`
  return out
}

export interface SignupForm {
  readonly kind: string
  readonly name: string
  readonly email: string
  readonly password: string
  /** For a company user: create an organisation or join one. */
  readonly orgMode: string
  readonly orgName: string
  readonly invitation: string
}

export const validateSignup = (form: SignupForm): { readonly request: SignupRequest } | { readonly errors: FieldErrors } => {
  const errors: Record<string, string> = {}
  if (form.kind !== "personal" && form.kind !== "company") errors["kind"] = "Choose a personal or a company account."
  if (!userNamePattern.test(form.name)) errors["name"] = "Use 3 to 32 lowercase letters, digits and hyphens; start and end with a letter or digit."
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) errors["email"] = "Enter an email address like name@example.com."
  if (form.password.length < passwordLengthMin) errors["password"] = `The password needs at least ${passwordLengthMin} characters.`
  const company = form.kind === "company"
  if (company && form.orgMode === "create" && form.orgName.trim() === "") errors["orgName"] = "Name the organisation to create."
  else if (company && form.orgMode === "create" && (form.orgName.trim().length < 2 || form.orgName.trim().length > 64 || !/[A-Za-z0-9]/.test(form.orgName))) {
    errors["orgName"] = "2 to 64 characters, with at least one letter or digit."
  }
  if (company && form.orgMode === "join" && form.invitation.trim() === "") errors["invitation"] = "Paste the invitation code an organisation admin gave you."
  if (Object.keys(errors).length > 0) return { errors }
  const base = { kind: form.kind as "personal" | "company", name: form.name, email: form.email.trim(), password: form.password }
  if (!company) return { request: base }
  return { request: form.orgMode === "join" ? { ...base, invitation: form.invitation.trim() } : { ...base, orgName: form.orgName.trim() } }
}
