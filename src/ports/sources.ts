/** The bundle of read ports the engine takes. */
import type { CostPort } from './cost';
import type { DeploysPort } from './deploys';
import type { FunctionsPort } from './functions';
import type { LogsPort } from './logs';
import type { MetricsPort } from './metrics';
import type { QueuesPort } from './queues';
import type { TracesPort } from './traces';

export interface Sources {
  /** `aws` for a real account or the emulator, `simulated` for a scenario. */
  kind: 'aws' | 'simulated';
  region: string;
  functions: FunctionsPort;
  metrics: MetricsPort;
  logs: LogsPort;
  traces: TracesPort;
  deploys: DeploysPort;
  queues: QueuesPort;
  /** What the functions cost (`gofn cost`, the fleet's cost column); absent where nothing serves it. */
  cost?: CostPort;
}
