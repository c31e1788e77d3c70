/**
 * The simulated fleet: scenario files in, the ports of ports.ts out. Used by `gofn demo` and
 * `gofn test`, which run the real engine against it.
 */
export { createSimulatedSources } from './backend';
export type { SimulatedSourcesOptions } from './backend';
export { SimulatedFleet } from './fleet';
export type { SimulatedAlias, SimulatedDeployment, SimulatedFunction, SimulatedQueue, SimulatedVersion } from './fleet';
export { defaultScenarioDir, listScenarioFiles, loadScenarioFiles, parseScenario } from './loader';
export type { LoadOptions } from './loader';
export { scenarioSchema } from './schema';
export type { ScenarioFile } from './schema';
