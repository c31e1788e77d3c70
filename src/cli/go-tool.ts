import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, GofnError } from '../errors';
import { projectRoot } from '../project';

/** What a finished `go` command left: its exit code and output. */
export interface GoResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `go` with arguments in a directory; tests replace it. Rejects only when go cannot start. */
export type GoRunner = (args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) => Promise<GoResult>;

/** A build or a vet of a large module takes minutes on a cold cache; past this it is stuck. */
const GO_TIMEOUT_MS = 10 * 60_000;

export const runGo: GoRunner = (args, { cwd, env }) =>
  new Promise((resolve, reject) => {
    execFile(
      'go',
      args,
      { cwd, env, timeout: GO_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = (error as NodeJS.ErrnoException | null)?.code;
        if (code === 'ENOENT') {
          reject(
            new GofnError(ErrorCode.Unsupported, 'Go is not installed: there is no `go` command on the PATH.', {
              hint: 'Install Go from https://go.dev/dl/ and run it again.',
              cause: error,
            }),
          );
          return;
        }
        if (error && (error as { killed?: boolean }).killed) {
          reject(
            new GofnError(ErrorCode.Timeout, `go ${args[0]} did not finish within ${GO_TIMEOUT_MS / 60_000} minutes.`, {
              cause: error,
            }),
          );
          return;
        }
        resolve({ code: typeof code === 'number' ? code : error ? 1 : 0, stdout, stderr });
      },
    );
  });

/** gofn's Go module, which holds the analyzers and the profiling package. */
export function workloadsDir(): string {
  return path.join(projectRoot(), 'workloads');
}

/**
 * The Go toolchain the workloads module pins (its `toolchain` line): the go command fetches it
 * from the module proxy when the local Go is another version, so gofn's tools build the same way
 * everywhere.
 */
export function pinnedToolchain(moduleDir: string = workloadsDir()): string {
  let goMod: string;
  try {
    goMod = readFileSync(path.join(moduleDir, 'go.mod'), 'utf8');
  } catch (error) {
    throw new GofnError(ErrorCode.Internal, `gofn's Go module is missing: no go.mod in ${moduleDir}.`, {
      cause: error,
    });
  }
  return /^toolchain (go\S+)$/m.exec(goMod)?.[1] ?? 'auto';
}

/** The last lines go printed, as a sentence's tail: what went wrong in its own words. */
export function goSaid(result: GoResult, lines = 8): string {
  const text = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line && !line.startsWith('#'));
  return text.slice(-lines).join('\n');
}
