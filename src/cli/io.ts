/** Where the CLI reads and writes, so tests can run it in-process. */
export interface CliIO {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function processIO(): CliIO {
  return {
    stdout: closable(process.stdout),
    stderr: closable(process.stderr),
    stdin: process.stdin,
    env: process.env,
  };
}

const guarded = new WeakMap<NodeJS.WriteStream, CliIO['stdout']>();

/**
 * A reader that has seen enough (`gofn demo | head -1`) closes the pipe, and Node reports the
 * next write as an EPIPE 'error' event, which unhandled ends the process with a stack trace.
 * What nobody reads any more is dropped instead: the command still finishes, so its exit code
 * says what it found, as it would have with the whole output read.
 */
function closable(stream: NodeJS.WriteStream): CliIO['stdout'] {
  const known = guarded.get(stream);
  if (known) return known;
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  const writer: CliIO['stdout'] = {
    get isTTY() {
      return stream.isTTY;
    },
    write: (text: string) => (closed ? false : stream.write(text)),
  };
  guarded.set(stream, writer);
  return writer;
}

/**
 * Exit codes, after the monitoring-plugin convention. No traffic is a warning: nothing says the
 * function is healthy, and a script watching it should look.
 */
export const ExitCode = { ok: 0, warn: 1, critical: 2, unknown: 3, 'no-traffic': 1 } as const;
