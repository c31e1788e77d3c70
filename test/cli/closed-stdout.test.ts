import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * `gofn demo | head -1`: the reader closes the pipe while gofn still has output to write. The
 * built CLI runs in a child process whose stdout pipe is closed on our side before it writes
 * anything, so its first write fails with EPIPE every time.
 */
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'gofn.js');
const SCENARIOS = path.join(root, 'runbooks', 'scenarios');

interface ClosedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runWithStdoutClosed(...args: string[]): Promise<ClosedRun> {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

beforeAll(() => {
  if (!existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('the CLI is not built; run `npm run build` (npm test does it)');
  }
});

describe('a reader that closes stdout early', () => {
  it('ends the demo quietly with its usual exit code', async () => {
    // Act
    const run = await runWithStdoutClosed('demo');

    // Assess
    expect(run.stderr).toBe('');
    expect(run).toMatchObject({ code: 0, signal: null });
  });

  it('keeps the exit code of what gofn status found (2, critical)', async () => {
    // Act
    const run = await runWithStdoutClosed('status', 'orders-api', '--scenario', SCENARIOS);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
  });

  it('ends gofn test quietly, all passed', async () => {
    // Act
    const run = await runWithStdoutClosed('test');

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('still says on stderr why it could not diagnose, exit 3', async () => {
    // Act
    const run = await runWithStdoutClosed('status', 'nope', '--scenario', SCENARIOS, '--json');

    // Assess
    expect(run.stderr).toBe('gofn: no function "nope" in us-east-1.\n');
    expect(run.code).toBe(3);
  });
});
