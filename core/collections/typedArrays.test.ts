import { describe, expect, it } from "@effect/vitest"
import { doubledCapacity, resized, withRoomFor } from "./typedArrays.ts"

describe("growable typed arrays", () => {
  it("keep their values and type, zero-fill the new room, and grow by doubling", () => {
    const a = Float64Array.of(1.5, 2.5)
    const b = resized(a, 5)
    expect(b).toBeInstanceOf(Float64Array)
    expect([...b]).toEqual([1.5, 2.5, 0, 0, 0])
    expect(doubledCapacity(16, 17)).toBe(32)
    expect(doubledCapacity(0, 3)).toBe(4)
    const c = Int32Array.of(7)
    expect(withRoomFor(c, 1)).toBe(c)
    const d = withRoomFor(c, 3)
    expect(d).toBeInstanceOf(Int32Array)
    expect([...d]).toEqual([7, 0, 0, 0])
  })
})
