/**
 * The simulated fleet: scenario files in, the ports of src/ports/ out. Used by `gofn demo` and
 * `gofn test`, which run the real engine against it.
 */
export { createSimulatedSources, TYPICAL_LATENCY_MS } from './backend';
export type { SimulatedSourcesOptions } from './backend';
export { createSimulatedControl } from './control';
export { SimulatedFleet } from './fleet';
export type { SimulatedAlias, SimulatedDeployment, SimulatedFunction, SimulatedQueue, SimulatedVersion } from './fleet';
export {
  defaultScenarioDir,
  listScenarioFiles,
  loadScenarioFiles,
  loadScenarioTexts,
  packageRootAbove,
  parseScenario,
} from './loader';
export type { LoadOptions, ScenarioText } from './loader';
export { scenarioSchema } from './schema';
export type { ScenarioFile } from './schema';
