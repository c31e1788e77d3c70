import type { ActionHints } from '../checks/types';
import { formatCount, formatVersion, shellWord } from '../format';
import type { OfferedAction } from './report';
import type { ActionKindName } from './schema';

export interface OfferContext {
  functionName: string;
  alias: string;
  stepId: string;
  hints: ActionHints | undefined;
}

/** `gofn rollback orders-api` plus `--alias` when it is not the default, quoted to paste into a shell. */
function cliCommand(verb: string, ctx: OfferContext, ...args: (string | number)[]): string {
  const alias = ctx.alias === 'live' ? [] : ['--alias', ctx.alias];
  return ['gofn', verb, ...[ctx.functionName, ...args.map(String), ...alias].map(shellWord)].join(' ');
}

/** The action a step offers, if its check found what the action needs (a version to go back to, messages to replay...). */
export function offerAction(kind: ActionKindName, ctx: OfferContext): OfferedAction | undefined {
  const base = { kind, stepId: ctx.stepId };
  switch (kind) {
    case 'raise-concurrency': {
      const hint = ctx.hints?.raiseConcurrency;
      if (!hint || hint.current === undefined) return undefined;
      return {
        ...base,
        label: `Raise concurrency ${formatCount(hint.current)} → ${formatCount(hint.suggested)}`,
        command: cliCommand('concurrency', ctx, hint.suggested),
        params: { function: ctx.functionName, from: hint.current, to: hint.suggested },
      };
    }
    case 'rollback': {
      const hint = ctx.hints?.rollback;
      // $LATEST is not an alias that can be moved back: there is nothing to roll back.
      if (!hint || ctx.alias === '$LATEST') return undefined;
      const to = hint.toVersion ? ` → ${formatVersion(hint.toVersion)}` : '';
      return {
        ...base,
        // During a canary the stable version stays; only the canary's share goes.
        label:
          hint.canary && hint.toVersion
            ? `Stop the canary, keep ${formatVersion(hint.toVersion)}`
            : `Roll back ${formatVersion(hint.fromVersion)}${to}`,
        command: cliCommand('rollback', ctx),
        params: {
          function: ctx.functionName,
          alias: ctx.alias,
          fromVersion: hint.fromVersion,
          ...(hint.toVersion ? { toVersion: hint.toVersion } : {}),
          // The confirmation says "take the 10% on v43 off", not "move the alias from v43".
          ...(hint.canary ? { canaryWeight: hint.canary.weight } : {}),
        },
      };
    }
    case 'replay-dlq': {
      const hint = ctx.hints?.replayDlq;
      if (!hint || hint.messages === 0) return undefined;
      return {
        ...base,
        label:
          `Replay ${formatCount(hint.messages)} message${hint.messages === 1 ? '' : 's'} from ${hint.queueName}`.slice(
            0,
            75,
          ),
        command: cliCommand('replay-dlq', ctx),
        params: { function: ctx.functionName, queue: hint.queueName, messages: hint.messages },
      };
    }
    case 'profile': {
      const hint = ctx.hints?.profile;
      if (!hint) return undefined;
      return {
        ...base,
        label: `Profile ${formatVersion(hint.version)} for ${hint.seconds} s`,
        command: cliCommand('profile', ctx, ...(hint.seconds === 30 ? [] : ['--seconds', hint.seconds])),
        params: { function: ctx.functionName, version: hint.version, seconds: hint.seconds },
      };
    }
  }
}
