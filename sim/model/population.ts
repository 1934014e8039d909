// Builds the scenario's heterogeneous lender machines from its node classes.
import type { NodeId, RegionId } from "../../core/domain/ids.ts"
import type { NodeSpec } from "../../core/domain/node.ts"
import type { Prng } from "../../core/random/prng.ts"
import type { Population } from "../../scenarios/schema.ts"

export const makeNodes = (population: Population, rng: Prng): ReadonlyArray<NodeSpec> => {
  const weights = population.classes.map((c) => c.weight)
  const nodes: Array<NodeSpec> = []
  for (let i = 0; i < population.count; i++) {
    const c = population.classes[rng.weighted(weights)]!
    nodes.push({
      id: i as NodeId,
      resources: { vcpus: c.vcpus, memoryMiB: c.memoryMiB, diskMiB: c.diskMiB },
      speed: c.speedMin === c.speedMax ? c.speedMin : rng.uniform(c.speedMin, c.speedMax),
      region: population.regions[i % population.regions.length]! as RegionId,
      askingPrice: c.askingPrice
    })
  }
  return nodes
}
