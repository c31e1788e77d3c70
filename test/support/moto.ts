import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * The AWS emulator (moto server from the project's .venv) on a free loopback port, one per test
 * file. `scripts/setup.sh all` installs it; a test that needs it starts it here.
 */
export interface Emulator {
  endpoint: string;
  /** POST /moto-api/reset: forget every resource. */
  reset(): Promise<void>;
  stop(): Promise<void>;
  /** Environment for a child process (the CLI) to reach the emulator with the standard SDK variables. */
  env: Record<string, string>;
}

const repoRoot = path.resolve(__dirname, '..', '..');
const venvPython = path.join(repoRoot, '.venv', 'bin', 'python');
/** moto's server, with DynamoDB's conditional writes made atomic as in AWS (see the script). */
const emulatorScript = path.join(repoRoot, 'tools', 'emulator.py');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`the AWS emulator could not start: ${spawnError.message}.`);
    if (child.exitCode !== null)
      throw new Error(`the AWS emulator exited with code ${child.exitCode} before answering.`);
    try {
      // A port that accepts but never answers must not hold the wait past its deadline.
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the AWS emulator did not answer on ${endpoint} within ${timeoutMs / 1000} s.`);
}

export const emulatorCredentials = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
};

export interface EmulatorOptions {
  /** The Python that has moto; default the project's .venv. */
  python?: string;
  /** How long to wait for it to answer. Default 20 s. */
  startTimeoutMs?: number;
}

/** Starts the emulator and points this process's AWS SDK at it (AWS_ENDPOINT_URL and credentials). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const python = options.python ?? venvPython;
  if (!existsSync(python)) {
    throw new Error(`the AWS emulator is not installed (${python} is missing); run \`sh scripts/setup.sh all\`.`);
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(python, [emulatorScript, '127.0.0.1', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'false', MOTO_PORT: String(port) },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilUp(endpoint, child, options.startTimeoutMs ?? 20000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  const env = { ...emulatorCredentials, AWS_ENDPOINT_URL: endpoint };
  Object.assign(process.env, env);
  return {
    endpoint,
    env,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    },
  };
}
