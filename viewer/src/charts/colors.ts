// One palette for every chart, so a series, group or slice keeps its colour across charts and legends.
import { schemeTableau10 } from "d3"

/** The colour of the i-th series / group / slice (Tableau 10, repeating past ten). */
export function colorAt(index: number): string {
  const n = schemeTableau10.length
  return schemeTableau10[((index % n) + n) % n] ?? "#4e79a7"
}
