import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createAwsSources } from '../aws/index';
import { ErrorCode, GofnError } from '../errors';
import type { Sources } from '../ports';
import { projectRoot } from '../project';
import { createSimulatedSources, TYPICAL_LATENCY_MS } from '../sim/backend';
import { loadScenarioFiles } from '../sim/loader';

export interface SourceChoice {
  region?: string | undefined;
  /** Scenario files or directories: run against a simulated fleet instead of AWS. */
  scenario?: string[] | undefined;
  now?: Date;
  /** Simulate AWS round trips, so a demo takes about as long as a real diagnosis. */
  realisticLatency?: boolean;
}

export function defaultScenarioDir(): string {
  return path.join(projectRoot(), 'runbooks', 'scenarios');
}

/** Expands directories into the .yaml/.yml files they hold, sorted, so a fleet loads the same way every time. */
export async function expandScenarioPaths(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch (error) {
      throw new GofnError(ErrorCode.InvalidInput, `Scenario ${p} does not exist.`, { cause: error });
    }
    if (info.isDirectory()) {
      const entries = (await readdir(p)).filter((f) => /\.ya?ml$/.test(f)).sort();
      if (entries.length === 0)
        throw new GofnError(ErrorCode.InvalidInput, `Scenario directory ${p} holds no .yaml files.`);
      files.push(...entries.map((f) => path.join(p, f)));
    } else {
      files.push(p);
    }
  }
  return files;
}

/** AWS through the standard SDK environment, or a simulated fleet when scenarios are given. */
export async function openSources(choice: SourceChoice): Promise<Sources> {
  if (choice.scenario && choice.scenario.length > 0) {
    const files = await expandScenarioPaths(choice.scenario);
    const fleet = await loadScenarioFiles(files, choice.now ? { now: choice.now } : undefined);
    return createSimulatedSources(fleet, choice.realisticLatency ? { latencyMs: TYPICAL_LATENCY_MS } : {});
  }
  return createAwsSources({ region: choice.region });
}
