import type { Sources } from '../ports';
import type { SimulatedFleet } from './fleet';
import { SimulatedCost } from './sources/cost';
import { SimulatedDeploys } from './sources/deploys';
import { SimulatedFunctions } from './sources/functions';
import { SimulatedLogs } from './sources/logs';
import { SimulatedMetrics } from './sources/metrics';
import { SimulatedQueues } from './sources/queues';
import { RequestSimulator } from './sources/requests';
import type { LatencyOptions } from './sources/requests';
import { SimulatedTraces } from './sources/traces';

export type SimulatedSourcesOptions = LatencyOptions;

/**
 * Round trips of the AWS APIs gofn calls, in milliseconds, roughly as seen from inside the region,
 * for a demo that should take about as long as a real diagnosis. Tests use the default: none.
 */
export const TYPICAL_LATENCY_MS: Readonly<Record<string, number>> = {
  Lambda: 60,
  'CloudWatch:GetMetricData': 250,
  'CloudWatchLogs:StartQuery': 150,
  'CloudWatchLogs:GetQueryResults': 450,
  'XRay:GetServiceGraph': 300,
  'XRay:GetTraceSummaries': 350,
  'XRay:BatchGetTraces': 200,
  CodeDeploy: 120,
  SQS: 40,
  ResourceGroupsTaggingAPI: 150,
  '*': 100,
};

/**
 * The ports of src/ports/ over a simulated fleet, for the demo and `gofn test`: the answers, errors
 * and request counts the AWS adapters would give for the fleet the scenarios describe.
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
    cost: new SimulatedCost(fleet, requests),
  };
}
