import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the gofn CLI in-process with captured output; `stdin` lines answer prompts (not a TTY unless `tty`). */
export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; tty?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = options.tty ?? false;
  stdin.end(options.stdin ?? '');
  const io: CliIO = {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    stdin,
    env: { ...options.env },
  };
  const code = await main(['node', 'gofn', ...args], io);
  return { code, stdout, stderr };
}
