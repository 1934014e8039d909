// Fairness of an allocation across users (or jobs): Jain's index, the measure the scheduling and
// networking literature reports, so our figures compare directly with published ones.

/**
 * Jain's fairness index (Jain, Chiu, Hawe 1984): (sum x)^2 / (n * sum x^2) over non-negative values.
 * 1 when all are equal, 1/n when one value holds everything. An empty input or all zeros gives 1:
 * nobody receives more than anybody else, so the allocation is perfectly even (and the formula's
 * 0/0 would otherwise poison means over many runs). Throws RangeError for a negative or non-finite
 * value (a programming error: slowdowns, waits and shares are never negative).
 */
export const jainIndex = (values: ArrayLike<number>): number => {
  const n = values.length
  let sum = 0
  let sumSquares = 0
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    if (!(v >= 0 && v < Infinity)) throw new RangeError(`jainIndex: value ${i} is ${v}; the index needs finite, non-negative values`)
    sum += v
    sumSquares += v * v
  }
  return sumSquares === 0 ? 1 : (sum * sum) / (n * sumSquares)
}
