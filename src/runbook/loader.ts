import path from 'node:path';
import { readYamlFile } from '../yaml-file';
import { projectRoot } from '../project';
import { runbookSchema, type Runbook } from './schema';

export function defaultRunbookPath(): string {
  return path.join(projectRoot(), 'runbooks', 'degraded-function.yaml');
}

/** Loads and validates a runbook; a bad file is one GofnError(InvalidFile) naming file, path and expectation. */
export async function loadRunbook(file: string = defaultRunbookPath()): Promise<Runbook> {
  return readYamlFile(file, runbookSchema, 'runbook');
}
