import { describeError, ErrorCode, GofnError, isGofnError } from '../errors';
import type { StepStatus } from '../checks/types';
import { ExitCode, type CliIO } from './io';
import { colourWanted, createStyle, type Style } from './style';

export interface OutputOptions {
  json?: boolean;
  color?: boolean;
}

export function styleFor(io: CliIO, options: OutputOptions): Style {
  return createStyle(colourWanted(io.stdout, io.env, options.color !== false));
}

export function exitCodeFor(status: StepStatus): number {
  return ExitCode[status];
}

/** Deadlines: "20s", "90s", "2m". */
export function parseDeadline(text: string): number {
  const match = /^(\d{1,4})(s|m)$/.exec(text.trim());
  const ms = match ? Number(match[1]) * (match[2] === 'm' ? 60_000 : 1000) : NaN;
  if (!match || ms < 1000 || ms > 15 * 60_000) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `--deadline "${text}" is not a deadline; use seconds or minutes between 1s and 15m, like 20s.`,
    );
  }
  return ms;
}

/**
 * An AWS region name as the SDK needs it (us-east-1, eu-central-2, us-gov-west-1, cn-north-1):
 * anything else would reach the SDK and come back as an unreadable endpoint error.
 */
export function parseRegion(region: string | undefined): string | undefined {
  if (region === undefined) return undefined;
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `--region "${region}" is not an AWS region; use a name like us-east-1.`,
    );
  }
  return region;
}

/**
 * Runs a command body and turns any failure into one sentence on stderr (and a JSON error object
 * on stdout with --json) and exit code 3: a person never sees a stack trace.
 */
export async function runCommand(io: CliIO, options: OutputOptions, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    reportFailure(io, options, error);
    return ExitCode.unknown;
  }
}

export function reportFailure(io: CliIO, options: OutputOptions, error: unknown): void {
  const sentence = afterPrefix(describeError(error));
  io.stderr.write(`gofn: ${sentence}\n`);
  if (options.json) {
    const code = isGofnError(error) ? error.code : ErrorCode.Internal;
    io.stdout.write(`${JSON.stringify({ error: { code, message: sentence } })}\n`);
  }
  if (!isGofnError(error) && io.env.GOFN_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
}

/** First words that are names, which keep their capital after "gofn: ". */
const NAMES = new Set(['Amazon', 'Go', 'Lambda', 'Slack']);

/**
 * After "gofn: " a message goes on in lower case, as commander's own do ("gofn: unknown option").
 * Errors are written as sentences, because Slack and the action outcomes show them on their own,
 * so an ordinary capitalised first word is lowered here; AWS, CloudWatch, X-Ray and the names
 * above are left alone.
 */
export function afterPrefix(sentence: string): string {
  const first = /^[A-Z][a-z]+\b/.exec(sentence)?.[0];
  return first && !NAMES.has(first) ? `${first.toLowerCase()}${sentence.slice(first.length)}` : sentence;
}
