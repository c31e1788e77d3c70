import { createAwsTargets } from '../aws/accounts';
import { createAwsClients } from '../aws/index';
import type { TargetSet } from '../ports';
import { singleTarget } from '../runbook/targets';
import { createSimulatedControl, createSimulatedSources, TYPICAL_LATENCY_MS } from '../sim/index';
import { loadScenarioFiles } from '../sim/loader';
import { loadTargets } from '../targets';
import { expandScenarioPaths } from './sources';

export interface TargetChoice {
  region?: string | undefined;
  /** Scenario files or directories: one simulated place instead of AWS. */
  scenario?: string[] | undefined;
  /** --targets: a JSON file of accounts and regions; default GOFN_TARGETS, then GOFN_TARGETS_FILE. */
  targets?: string | undefined;
  env: NodeJS.ProcessEnv;
  now?: Date;
  realisticLatency?: boolean;
}

/**
 * The accounts and regions a command looks at: those configured (--targets, GOFN_TARGETS or
 * GOFN_TARGETS_FILE), `--region` keeping one of them; without a configuration the caller's own
 * account and region, as before; a simulated fleet when scenarios are given.
 */
export async function openTargets(choice: TargetChoice): Promise<TargetSet> {
  if (choice.scenario && choice.scenario.length > 0) {
    const fleet = await loadScenarioFiles(
      await expandScenarioPaths(choice.scenario),
      choice.now ? { now: choice.now } : undefined,
    );
    const latency = choice.realisticLatency ? { latencyMs: TYPICAL_LATENCY_MS } : {};
    return singleTarget({
      sources: createSimulatedSources(fleet, latency),
      control: createSimulatedControl(fleet, latency),
    });
  }
  const config = loadTargets(choice.env, choice.targets);
  return createAwsTargets({ config, home: createAwsClients({ region: choice.region }), region: choice.region });
}
