import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** `npm run demo` runs scripts/setup.sh demo first: a second run must not compile again. */
describe('scripts/setup.sh demo', () => {
  it('compiles only when the sources changed since the last build', () => {
    // Prepare: whatever state dist/ is in, one run brings it up to date.
    const root = path.resolve(__dirname, '..', '..');
    const setup = () => execFileSync('sh', ['-c', 'sh scripts/setup.sh demo 2>&1'], { cwd: root, encoding: 'utf8' });
    setup();

    // Act
    const second = setup();

    // Assess
    expect(second).not.toMatch(/compiling TypeScript/);
  });
});
