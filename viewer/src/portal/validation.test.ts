import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { byControl, defaultJobForm, splitCommand, validateJobForm, validateSignup } from "./validation.ts"

describe("splitCommand", () => {
  it("splits at whitespace and keeps quoted and escaped spaces", () => {
    expect(splitCommand("python3 -c 'print(6*7)'")).toEqual(["python3", "-c", "print(6*7)"])
    expect(splitCommand(`sh -c "echo \\"hi there\\"" ''`)).toEqual(["sh", "-c", 'echo "hi there"', ""])
    expect(splitCommand("a\\ b  c")).toEqual(["a b", "c"])
    expect(splitCommand(`python3 -c "print('a\\nb')"`)).toEqual(["python3", "-c", "print('a\\nb')"])
    expect(splitCommand("   ")).toEqual([])
    expect(splitCommand("echo 'open")).toBeNull()
  })

  it("reads back any list of words written with single quotes", () => {
    const word = fc.string({ unit: fc.constantFrom("a", "b", " ", '"', "\\", "(", "*", "x") })
    fc.assert(fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
      const line = words.map((w) => `'${w}'`).join(" ")
      expect(splitCommand(line)).toEqual(words)
    }))
  })
})

describe("validateJobForm", () => {
  it("turns the default form into a request", () => {
    expect(validateJobForm(defaultJobForm)).toEqual({
      request: { image: "python", command: ["python3", "-c", "print(6*7)"], vcpus: 1, memoryMiB: 256, diskMiB: 64, timeoutS: 60, inputs: [], replicas: 1 }
    })
  })

  it("names every bad field at once, with the API's bounds", () => {
    const result = validateJobForm({ image: "ubuntu", command: " ", vcpus: "0", memoryMiB: "1.5", diskMiB: "-1", timeoutS: "", inputs: "in/a.txt\nnoslash", replicas: "4" })
    expect("errors" in result && Object.keys(result.errors).sort()).toEqual(["command", "diskMiB", "image", "inputs", "memoryMiB", "replicas", "timeoutS", "vcpus"])
    if (!("errors" in result)) return
    expect(result.errors["vcpus"]).toBe("The number of vCPUs must be at least 1.")
    expect(result.errors["memoryMiB"]).toBe("The memory in MiB must be a whole number.")
    expect(result.errors["timeoutS"]).toBe("Enter the timeout in seconds.")
    expect(result.errors["replicas"]).toBe("The number of verification replicas must be at most 3.")
    expect(result.errors["inputs"]).toBe("Line 2: write each input object as bucket/key.")
  })

  it("reads input objects as bucket/key lines, keys keeping their slashes", () => {
    const result = validateJobForm({ ...defaultJobForm, inputs: "data/a/b.csv\n\n  other/x  " })
    expect("request" in result && result.request.inputs).toEqual([{ bucket: "data", key: "a/b.csv" }, { bucket: "other", key: "x" }])
  })
})

describe("byControl", () => {
  it("puts the API's nested field names on the control they come from", () => {
    expect(byControl({ vcpus: "too many", "inputs[0].key": "unknown object", "command[1]": "empty" })).toEqual({
      vcpus: "too many",
      inputs: "inputs[0].key: unknown object",
      command: "command[1]: empty"
    })
  })
})

describe("validateSignup", () => {
  const base = { kind: "personal", name: "alice-1", email: "alice@example.com", password: "long enough", orgMode: "create", orgName: "", invitation: "" }

  it("accepts a personal user and sends no organisation fields", () => {
    expect(validateSignup(base)).toEqual({ request: { kind: "personal", name: "alice-1", email: "alice@example.com", password: "long enough" } })
  })

  it("sends a company user's organisation name or invitation, whichever they chose", () => {
    expect(validateSignup({ ...base, kind: "company", orgName: " Acme " })).toMatchObject({ request: { kind: "company", orgName: "Acme" } })
    const joining = validateSignup({ ...base, kind: "company", orgMode: "join", orgName: "ignored", invitation: "abc" })
    expect(joining).toEqual({ request: { kind: "company", name: "alice-1", email: "alice@example.com", password: "long enough", invitation: "abc" } })
  })

  it("names each bad field", () => {
    const result = validateSignup({ ...base, kind: "company", name: "Al", email: "nope", password: "short", orgMode: "join" })
    expect("errors" in result && Object.keys(result.errors).sort()).toEqual(["email", "invitation", "name", "password"])
  })
})
