import type { Sources } from '../ports';
import type { SimulatedFleet } from './fleet';
import { SimulatedDeploys } from './sources/deploys';
import { SimulatedFunctions } from './sources/functions';
import { SimulatedLogs } from './sources/logs';
import { SimulatedMetrics } from './sources/metrics';
import { SimulatedQueues } from './sources/queues';
import { SimulatedTraces } from './sources/traces';
import { RequestSimulator } from './sources/requests';
import type { LatencyOptions } from './sources/requests';

export type SimulatedSourcesOptions = LatencyOptions;

/**
 * The ports of ports.ts over a simulated fleet, for the demo and `gofn test`: the same answers,
 * errors and request counts the AWS adapters would give for the fleet the scenarios describe.
 */
export function createSimulatedSources(fleet: SimulatedFleet, options: SimulatedSourcesOptions = {}): Sources {
  const requests = new RequestSimulator(options.latencyMs);
  return {
    kind: 'simulated',
    region: fleet.region,
    functions: new SimulatedFunctions(fleet, requests),
    metrics: new SimulatedMetrics(fleet, requests),
    logs: new SimulatedLogs(fleet, requests),
    traces: new SimulatedTraces(fleet, requests),
    deploys: new SimulatedDeploys(fleet, requests),
    queues: new SimulatedQueues(fleet, requests),
  };
}
