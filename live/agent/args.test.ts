// The agent's command line: what is accepted and the message for what is not.
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parseAgentArgs, parseHostPort } from "./args.ts"

const problem = (argv: ReadonlyArray<string>) => Either.getLeft(parseAgentArgs(argv)).pipe((o) => (o._tag === "Some" ? o.value : "accepted"))

describe("agent command line", () => {
  it("reads every flag", () => {
    const args = Either.getOrThrow(parseAgentArgs([
      "--join", "coord.example:7001", "--token", "abc.def", "--data-dir", "/d", "--cpus", "3", "--memory", "4096",
      "--disk", "20000", "--warm-pool", "0", "--storage", "300", "--region", "eu-1", "--asking-price", "2.5", "--allow-network"
    ]))
    expect(args).toEqual({
      dataDir: "/d", join: { host: "coord.example", joinPort: 7001, token: "abc.def" }, vcpus: 3, memoryMiB: 4096, diskMiB: 20000,
      warmPoolSize: 0, storageMiB: 300, region: "eu-1", askingPrice: 2.5, allowNetwork: true, help: false
    })
  })

  it("needs only the data directory once the agent has joined; the warm pool defaults to 1, shard storage to 1 GiB", () => {
    expect(Either.getOrThrow(parseAgentArgs(["--data-dir=/d"]))).toEqual({ dataDir: "/d", warmPoolSize: 1, storageMiB: 1024, allowNetwork: false, help: false })
  })

  it("refuses bad flags with a message that names them", () => {
    expect(problem(["--join", "h:1", "--token", "t"])).toBe("--data-dir is required")
    expect(problem(["--data-dir", "/d", "--token", "t"])).toBe("--token needs --join HOST:JOINPORT")
    expect(problem(["--data-dir", "/d", "--cpus", "0"])).toBe(`--cpus must be an integer of at least 1, got "0"`)
    expect(problem(["--data-dir", "/d", "--memory", "1.5"])).toContain("--memory must be an integer")
    expect(problem(["--data-dir", "/d", "--warm-pool", "-1"])).toContain("--warm-pool")
    expect(problem(["--data-dir", "/d", "--asking-price", "cheap"])).toContain("--asking-price")
    expect(problem(["--data-dir", "/d", "--region", " "])).toBe("--region may not be empty")
    expect(problem(["--data-dir", "/d", "--frobnicate"])).toContain("--frobnicate")
    expect(problem(["--data-dir", "/d", "extra"])).toContain("extra")
    expect(problem(["--data-dir", "/d", "--join", "nohost", "--token", "t"])).toContain("--join must be HOST:PORT")
  })

  it("parses host:port, including bracketed IPv6", () => {
    expect(Either.getOrThrow(parseHostPort("10.0.0.5:443"))).toEqual({ host: "10.0.0.5", port: 443 })
    expect(Either.getOrThrow(parseHostPort("[::1]:7001"))).toEqual({ host: "::1", port: 7001 })
    expect(Either.isLeft(parseHostPort(":7001"))).toBe(true)
    expect(Either.isLeft(parseHostPort("h:70000"))).toBe(true)
    expect(Either.isLeft(parseHostPort("h:"))).toBe(true)
  })
})
