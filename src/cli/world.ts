import { createAwsClients, createAwsSources, createControlPorts, DynamoRecordStore } from '../aws/index';
import { ErrorCode, GofnError } from '../errors';
import type { ControlPorts, RecordStore, Sources } from '../ports';
import { createSimulatedControl, createSimulatedSources, TYPICAL_LATENCY_MS } from '../sim/index';
import { loadScenarioFiles } from '../sim/loader';
import { MemoryRecordStore } from '../sim/record-store';
import { parseRegion } from './common';
import { expandScenarioPaths } from './sources';

/** Everything an action needs: what to read, what to change, and where to record it. */
export interface World {
  sources: Sources;
  control: ControlPorts;
  store: RecordStore;
  simulated: boolean;
}

export interface WorldChoice {
  region?: string | undefined;
  scenario?: string[] | undefined;
  /** gofn's DynamoDB table (audit, idempotency, alias history); default GOFN_TABLE or TABLE_NAME. */
  table?: string | undefined;
  /** Whether the command writes audit records and so needs the table. */
  needsTable: boolean;
  env: NodeJS.ProcessEnv;
  /** Simulated latency, for a demo that feels like a real account. */
  realisticLatency?: boolean;
}

/**
 * AWS through the standard SDK environment, with gofn's table for audit records; or a
 * simulated fleet in memory when scenarios are given.
 */
export async function openWorld(choice: WorldChoice): Promise<World> {
  if (choice.scenario && choice.scenario.length > 0) {
    const fleet = await loadScenarioFiles(await expandScenarioPaths(choice.scenario));
    const latency = choice.realisticLatency ? { latencyMs: TYPICAL_LATENCY_MS } : {};
    return {
      sources: createSimulatedSources(fleet, latency),
      control: createSimulatedControl(fleet, latency),
      store: new MemoryRecordStore(),
      simulated: true,
    };
  }
  const table = choice.table ?? choice.env.GOFN_TABLE ?? choice.env.TABLE_NAME;
  if (choice.needsTable && !table) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      'gofn records every action in its DynamoDB table, and none is configured.',
      {
        hint: 'Pass --table (the TableName output of the bot stack) or set GOFN_TABLE.',
      },
    );
  }
  const clients = createAwsClients({ region: parseRegion(choice.region) });
  return {
    sources: createAwsSources({ clients }),
    control: createControlPorts(clients),
    store: table ? new DynamoRecordStore(clients, table) : new MemoryRecordStore(),
    simulated: false,
  };
}
