import { Command, CommanderError } from 'commander';
import { ErrorCode, GofnError } from '../errors';
import { registerActions } from './commands/actions';
import { registerDemo } from './commands/demo';
import { registerLint } from './commands/lint';
import { registerProfile } from './commands/profile';
import { registerStatus } from './commands/status';
import { registerTest } from './commands/test';
import { reportFailure } from './common';
import { ExitCode, processIO, type CliIO } from './io';

export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('gofn')
    .description('Incident runbooks for Go functions on AWS Lambda.')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // main reports usage errors, so that they get the JSON error object too when --json asks.
      outputError: () => undefined,
    })
    .exitOverride();
  registerStatus(program, io, setExit);
  registerActions(program, io, setExit);
  registerProfile(program, io, setExit);
  registerDemo(program, io, setExit);
  registerTest(program, io, setExit);
  registerLint(program, io, setExit);
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
    if (!(error instanceof CommanderError)) throw error;
    // help and version exit 0; bad usage is "could not diagnose".
    if (error.exitCode === 0) return ExitCode.ok;
    // Help asked for without a command has already been printed: it is not a sentence to repeat.
    if (error.code !== 'commander.help') {
      const json = askedForJson(program, argv.slice(2));
      reportFailure(io, { json }, new GofnError(ErrorCode.InvalidInput, usageSentence(error.message)));
    }
    return ExitCode.unknown;
  }
  return exitCode;
}

/** Commander's "error: unknown option '--windw'\n(Did you mean --window?)" as one sentence. */
export function usageSentence(message: string): string {
  const [first = 'the command line is not valid', ...rest] = message
    .replace(/^error: /, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const lead = /[.!?]$/.test(first) ? first : `${first}.`;
  return [lead, ...rest.map((line) => line.replace(/^\((.*)\)$/, '$1'))].join(' ');
}

/**
 * Whether the command line asks for --json. Commander stops reading options at the first bad one,
 * so its parsed options cannot tell; the words are read here as it reads them, so that the value
 * of an option (`--alias --json`) is not taken for the flag.
 */
function askedForJson(program: Command, args: string[]): boolean {
  const command = program.commands.find((c) => c.name() === args[0]);
  if (!command?.options.some((o) => o.long === '--json')) return false;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return false;
    if (arg === '--json') return true;
    const option = command.options.find((o) => o.long === arg || o.short === arg);
    if (option?.required) i += 1;
    else if (option?.optional && args[i + 1]?.startsWith('-') === false) i += 1;
  }
  return false;
}
