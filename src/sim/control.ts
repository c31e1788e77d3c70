import type { ControlPorts } from '../ports';
import type { SimulatedSourcesOptions } from './backend';
import { SimulatedDeployControl } from './control/deploys';
import { SimulatedLambdaControl } from './control/lambda';
import { SimulatedQueueControl } from './control/queues';
import type { SimulatedFleet } from './fleet';
import { RequestSimulator } from './sources/requests';

/**
 * The action ports of src/ports/control.ts over a simulated fleet: a rollback, a concurrency change or a DLQ
 * replay changes the fleet, and the sources of the same fleet see the change.
 */
export function createSimulatedControl(fleet: SimulatedFleet, options: SimulatedSourcesOptions = {}): ControlPorts {
  const requests = new RequestSimulator(options.latencyMs);
  return {
    lambda: new SimulatedLambdaControl(fleet, requests),
    deploys: new SimulatedDeployControl(fleet, requests),
    queues: new SimulatedQueueControl(fleet, requests),
  };
}
