import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * `npm run demo` runs scripts/setup.sh demo first: a second run must not compile again, and a
 * changed source must. It runs in a copy of the project with a one-file source tree, so it
 * never rebuilds (and for a moment removes) the dist/ that other tests run the CLI from.
 */
const root = path.resolve(__dirname, '..', '..');

function projectCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gofn-setup-'));
  mkdirSync(path.join(dir, 'scripts'));
  mkdirSync(path.join(dir, 'src'));
  cpSync(path.join(root, 'scripts', 'setup.sh'), path.join(dir, 'scripts', 'setup.sh'));
  cpSync(path.join(root, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  cpSync(path.join(root, 'package-lock.json'), path.join(dir, 'package-lock.json'));
  // The installed packages, already stamped with this lockfile: set-up does not reinstall them.
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  writeFileSync(path.join(dir, 'src', 'main.ts'), 'export const answer = 42;\n');
  return dir;
}

describe('scripts/setup.sh demo', () => {
  it('compiles only when the sources changed since the last build', () => {
    // Prepare
    const dir = projectCopy();
    const setup = () => execFileSync('sh', ['-c', 'sh scripts/setup.sh demo 2>&1'], { cwd: dir, encoding: 'utf8' });

    // Act
    const first = setup();
    const second = setup();
    writeFileSync(path.join(dir, 'src', 'main.ts'), 'export const answer = 43;\n');
    const afterEdit = setup();

    // Assess
    expect(first).toMatch(/compiling TypeScript/);
    expect(second).not.toMatch(/compiling TypeScript/);
    expect(afterEdit).toMatch(/compiling TypeScript/);
  });
});
