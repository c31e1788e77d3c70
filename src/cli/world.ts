import { createAwsTargets } from '../aws/accounts';
import { createAwsClients, DynamoRecordStore, stackOutput, type AwsClients } from '../aws/index';
import { describeError, ErrorCode, GofnError } from '../errors';
import type { ControlPorts, RecordStore, Sources, TargetSet } from '../ports';
import { singleTarget } from '../runbook/targets';
import { createSimulatedControl, createSimulatedSources, TYPICAL_LATENCY_MS } from '../sim/index';
import { loadScenarioFiles } from '../sim/loader';
import { MemoryRecordStore } from '../sim/record-store';
import { loadTargets } from '../targets';
import { parseRegion } from './common';
import { expandScenarioPaths } from './sources';

/** Everything an action needs: what to read, what to change, and where to record it. */
export interface World {
  /** The ports of the first (or only) account and region. */
  sources: Sources;
  control: ControlPorts;
  store: RecordStore;
  simulated: boolean;
  /** Every account and region configured; absent: only `sources` and `control`. */
  targets?: TargetSet;
}

export interface WorldChoice {
  region?: string | undefined;
  scenario?: string[] | undefined;
  /**
   * gofn's DynamoDB table (audit, idempotency, alias history); default GOFN_TABLE or TABLE_NAME,
   * else the TableName output of the deployed bot stack.
   */
  table?: string | undefined;
  /** The bot stack whose TableName output names the table; default GOFN_STACK, else GofnBot. */
  stack?: string | undefined;
  /** --targets: accounts and regions (JSON file); default GOFN_TARGETS, then GOFN_TARGETS_FILE. */
  targets?: string | undefined;
  /** Whether the command writes audit records and so needs the table. */
  needsTable: boolean;
  env: NodeJS.ProcessEnv;
  /** Simulated latency, for a demo that feels like a real account. */
  realisticLatency?: boolean;
}

/** The bot stack `npm run deploy` creates; its TableName output is gofn's table. */
export const DEFAULT_STACK = 'GofnBot';

/**
 * The table the deployed bot stack made, so that after `npm run deploy` the actions need no
 * setting. Whatever stops the lookup (no such stack, no permission, no credentials) ends in one
 * sentence saying the ways to name a table.
 */
async function tableOfStack(clients: AwsClients, stack = DEFAULT_STACK): Promise<string> {
  let found: string | undefined;
  let why: string;
  try {
    found = await stackOutput(clients, stack, 'TableName');
    why = `stack ${stack} has no TableName output`;
  } catch (error) {
    why = `its TableName output could not be read from stack ${stack}: ${describeError(error).replace(/\.$/, '')}`;
  }
  if (found) return found;
  throw new GofnError(ErrorCode.InvalidInput, `gofn records every action in its DynamoDB table, and ${why}.`, {
    hint:
      'Deploy the bot (npm run deploy), pass its stack with --stack or GOFN_STACK if it is not GofnBot, ' +
      'or name a table with --table or GOFN_TABLE (a table with string keys pk and sk).',
  });
}

/**
 * AWS through the standard SDK environment, with gofn's table for audit records; or a
 * simulated fleet in memory when scenarios are given.
 */
export async function openWorld(choice: WorldChoice): Promise<World> {
  if (choice.scenario && choice.scenario.length > 0) {
    const fleet = await loadScenarioFiles(await expandScenarioPaths(choice.scenario));
    const latency = choice.realisticLatency ? { latencyMs: TYPICAL_LATENCY_MS } : {};
    const ports = {
      sources: createSimulatedSources(fleet, latency),
      control: createSimulatedControl(fleet, latency),
    };
    return { ...ports, store: new MemoryRecordStore(), simulated: true, targets: singleTarget(ports) };
  }
  const region = parseRegion(choice.region);
  const clients = createAwsClients({ region });
  const config = loadTargets(choice.env, choice.targets);
  let table = choice.table ?? choice.env.GOFN_TABLE ?? choice.env.TABLE_NAME;
  if (choice.needsTable && !table) table = await tableOfStack(clients, choice.stack ?? choice.env.GOFN_STACK);
  // gofn's table stays where the caller's credentials and region are; the functions may be in
  // any configured account and region.
  const targets = await createAwsTargets({ config, home: clients, region });
  const first = targets.open(targets.targets[0]!);
  return {
    sources: first.sources,
    control: first.control,
    store: table ? new DynamoRecordStore(clients, table) : new MemoryRecordStore(),
    simulated: false,
    targets,
  };
}
