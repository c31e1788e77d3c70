import { Command, CommanderError } from 'commander';
import { registerActions } from './commands/actions';
import { registerDemo } from './commands/demo';
import { registerStatus } from './commands/status';
import { registerTest } from './commands/test';
import { ExitCode, processIO, type CliIO } from './io';

export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('gofn')
    .description('Incident runbooks for Go functions on AWS Lambda.')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`gofn: ${text.replace(/^error: /, '')}`),
    })
    .exitOverride();
  registerStatus(program, io, setExit);
  registerActions(program, io, setExit);
  registerDemo(program, io, setExit);
  registerTest(program, io, setExit);
  program.commands.forEach((command) => command.exitOverride().configureOutput(program.configureOutput()));
  return program;
}

function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}

/** Runs the CLI; resolves to the exit code instead of exiting, so tests can run it in-process. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; bad usage is "could not diagnose".
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.unknown;
    }
    throw error;
  }
  return exitCode;
}
