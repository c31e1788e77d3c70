import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest directory above this (bundled) file with a package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root');
    dir = parent;
  }
  return dir;
}
