import { parseCostSelection } from '../cost/selection';
import { describeError } from '../errors';
import { parseDuration } from '../runbook/window';
import { parseFunctionRef, serviceOf } from '../targets';

export type ParsedCommand =
  | { kind: 'help'; problem?: string }
  | {
      kind: 'status';
      /** `fn`, `fn@region`, `account/region/fn` or a function ARN; undefined for the fleet. */
      functionName: string | undefined;
      window: string;
      alias: string;
      /** `service=orders`: one service, a row per account and region. */
      service?: string | undefined;
    }
  /** `target`: a function, `service=<value>`, or undefined for every managed function. */
  | { kind: 'cost'; target: string | undefined };

const ALIAS = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * `/gofn status <function> [window] [alias=NAME]`, `/gofn status service=NAME [window]`,
 * `/gofn status`, `/gofn help`. A function is `fn`, `fn@region`, `account/region/fn` or a
 * function ARN. Anything else is help with a sentence saying what was wrong.
 */
export function parseCommandText(text: string, defaultWindow: string): ParsedCommand {
  const words = text.trim().split(/\s+/).filter(Boolean).slice(0, 10);
  const [sub, ...args] = words;
  if (!sub || sub === 'help' || sub === '-h' || sub === '--help') return { kind: 'help' };
  if (sub === 'cost') return parseCost(args);
  if (sub !== 'status') return { kind: 'help', problem: `"${clipWord(sub)}" is not a gofn command.` };

  let functionName: string | undefined;
  let window = defaultWindow;
  let alias = 'live';
  let service: string | undefined;
  for (const arg of args) {
    if (arg.startsWith('alias=')) {
      alias = arg.slice(6);
      if (!ALIAS.test(alias)) return { kind: 'help', problem: `"${clipWord(alias)}" is not an alias name.` };
    } else if (/^\d+[a-z]+$/.test(arg)) {
      // Read as a window even before a function name, so `/gofn status 3h` is the fleet over
      // three hours; a function whose whole name looks like a window cannot be named here.
      try {
        parseDuration(arg, 'window');
      } catch (error) {
        return { kind: 'help', problem: describeError(error) };
      }
      window = arg;
    } else if (arg.startsWith('service=') && functionName === undefined && service === undefined) {
      try {
        service = serviceOf(arg);
      } catch (error) {
        return { kind: 'help', problem: describeError(error) };
      }
    } else if (functionName === undefined && service === undefined) {
      try {
        parseFunctionRef(arg);
      } catch {
        return { kind: 'help', problem: `"${clipWord(arg)}" is not a Lambda function name.` };
      }
      functionName = arg;
    } else {
      return { kind: 'help', problem: `I did not understand "${clipWord(arg)}".` };
    }
  }
  return { kind: 'status', functionName, window, alias, ...(service ? { service } : {}) };
}

/** `/gofn cost [function|service=<value>]`. */
function parseCost(args: string[]): ParsedCommand {
  const [target, extra] = args;
  if (extra !== undefined) return { kind: 'help', problem: `I did not understand "${clipWord(extra)}".` };
  try {
    parseCostSelection(target);
  } catch (error) {
    return { kind: 'help', problem: describeError(error) };
  }
  return { kind: 'cost', target };
}

function clipWord(word: string): string {
  return word.length > 40 ? `${word.slice(0, 40)}…` : word;
}

/** mrkdwn: `<` and `>` are Slack's control characters, so the placeholders are written escaped. */
export const USAGE = [
  '*gofn* walks the degraded-function runbook against a Go function on AWS Lambda.',
  '• `/gofn status &lt;function&gt; [window] [alias=NAME]` — diagnose one function (window: 15m, 1h, 3h, 1d; default 1h; alias: default `live`)',
  '• `/gofn status &lt;function&gt; 3h alias=staging` — another alias than `live`',
  '• `/gofn status prod/eu-west-1/orders-api` or `orders-api@eu-west-1` — a function in one account and region',
  '• `/gofn status service=orders` — one service, a row per account and region',
  '• `/gofn status [window]` — the fleet: every function tagged `gofn:managed=true`',
  '• `/gofn cost [&lt;function&gt; | service=&lt;name&gt;]` — what the functions cost, the top spenders, what bites',
  '• `/gofn help` — this message',
].join('\n');
