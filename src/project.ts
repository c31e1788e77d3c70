import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The directory holding gofn's package.json, found by walking up from this file, so shipped
 * files (runbooks, scenarios) resolve the same from src/ under test and from dist/ when built.
 * In a Lambda bundle the runbooks are copied next to the bundle instead (GOFN_HOME).
 */
export function projectRoot(): string {
  if (process.env.GOFN_HOME) return process.env.GOFN_HOME;
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'runbooks'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
