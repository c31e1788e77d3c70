import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The directory holding gofn's shipped files (runbooks/), found by walking up from this file, so
 * they resolve the same from src/ under test, from dist/ when built, and from a Lambda bundle,
 * which carries runbooks/ next to its index.js. GOFN_HOME overrides it.
 */
export function projectRoot(): string {
  if (process.env.GOFN_HOME) return process.env.GOFN_HOME;
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'runbooks', 'degraded-function.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
