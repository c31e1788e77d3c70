import { recordCall } from '../calls';
import type { AwsServiceName } from './services';

/**
 * The part of a client's middleware stack this module uses (the deserialize-step `add` every SDK v3
 * client has), generic so that each client's own handler types are inferred.
 */
export interface MiddlewareStackLike<Args, Result> {
  add(
    middleware: (
      next: (args: Args) => Promise<Result>,
      context: { commandName?: string },
    ) => (args: Args) => Promise<Result>,
    options: { step: 'deserialize'; priority: 'low'; name: string; override: boolean },
  ): void;
}

/**
 * Records every request attempt a client sends with `recordCall(service, operation)`.
 *
 * Attempts, not calls: the middleware sits in the deserialize step, inside the retry loop (which
 * lives in finalizeRequest) and right before the HTTP handler, so a call that was retried twice
 * counts three times. That is what AWS bills, rate-limits and logs in CloudTrail, and what a
 * "requests per diagnosis" budget has to be measured in. A call that never reaches the wire (no
 * credentials, aborted before sending) records nothing.
 */
export function countAttempts<Args, Result>(stack: MiddlewareStackLike<Args, Result>, service: AwsServiceName): void {
  stack.add(
    (next, context) => async (args) => {
      recordCall(service, operationName(context.commandName));
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'gofnAttemptCounter', override: true },
  );
}

function operationName(commandName: string | undefined): string {
  if (!commandName) return 'Unknown';
  return commandName.endsWith('Command') ? commandName.slice(0, -'Command'.length) : commandName;
}
