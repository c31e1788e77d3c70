import { queueNameOf } from '../checks/evidence';
import { qualifiersOf } from '../checks/evidence';
import { ErrorCode, GofnError } from '../errors';
import { formatCount } from '../format';
import type { EventSourceInfo, FunctionInfo } from '../ports';
import type { ActionDeps, ActionRequest, Plan } from './types';

/**
 * Plans of the fixes that go with a backlog or a starved account: lower or remove reserved
 * concurrency, set an event-source mapping's MaximumConcurrency, turn a mapping off (the kill
 * switch for a poison queue) or back on. Like the other plans, each reads the state right before
 * and refuses what the person did not see or what is already so.
 */

function conflict(message: string): GofnError {
  return new GofnError(ErrorCode.Conflict, message, { hint: 'Nothing was changed.' });
}

function refuse(message: string): GofnError {
  return new GofnError(ErrorCode.Forbidden, message, { hint: 'Nothing was changed.' });
}

/** Lambda's bounds for an SQS mapping's ScalingConfig.MaximumConcurrency. */
export const MAXIMUM_CONCURRENCY_RANGE = { min: 2, max: 1000 } as const;

export async function planLowerConcurrency(request: ActionRequest, fn: FunctionInfo, deps: ActionDeps): Promise<Plan> {
  const { control, call } = deps;
  const remove = request.expected.removeConcurrency === true;
  const to = request.expected.concurrencyTo;
  if (!remove && (to === undefined || !Number.isInteger(to) || to < 0)) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      'Say how much reserved concurrency to keep (a whole number, 0 or more), or none to remove it.',
    );
  }
  const current = await control.lambda.getReservedConcurrency(fn.name, call);
  const expected = request.expected.concurrencyFrom;
  if (expected !== undefined && current !== expected) {
    throw conflict(
      `The reserved concurrency of ${fn.name} changed since you looked: it is ${current === undefined ? 'unset' : formatCount(current)} now, not ${formatCount(expected)}.`,
    );
  }
  if (current === undefined) {
    throw refuse(
      remove
        ? `${fn.name} has no reserved concurrency to remove.`
        : `${fn.name} has no reserved concurrency to lower; it draws on the account's unreserved pool.`,
    );
  }
  if (!remove && to !== undefined && to >= current) {
    throw refuse(`${fn.name} has ${formatCount(current)} reserved; ${formatCount(to)} would not lower it.`);
  }
  return {
    kind: 'lower-concurrency',
    functionName: fn.name,
    alias: request.alias,
    from: current,
    to: remove ? null : (to ?? null),
    sentence: remove
      ? `${fn.name}: remove reserved concurrency ${formatCount(current)} (it shares the account's unreserved pool again)`
      : `${fn.name}: reserved concurrency ${formatCount(current)} → ${formatCount(to ?? 0)}` +
        (to === 0 ? ' (no invocation runs until it is raised again)' : ''),
  };
}

export async function planSourceConcurrency(request: ActionRequest, fn: FunctionInfo, deps: ActionDeps): Promise<Plan> {
  const to = request.expected.sourceConcurrencyTo;
  if (to === undefined) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      'Say which MaximumConcurrency to set (2 to 1000), or none to remove the cap.',
    );
  }
  if (
    to !== null &&
    (!Number.isInteger(to) || to < MAXIMUM_CONCURRENCY_RANGE.min || to > MAXIMUM_CONCURRENCY_RANGE.max)
  ) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `MaximumConcurrency must be a whole number from ${MAXIMUM_CONCURRENCY_RANGE.min} to ${MAXIMUM_CONCURRENCY_RANGE.max}, not ${to}.`,
    );
  }
  const mapping = await findMapping(request, fn, deps);
  if (mapping.service !== 'sqs') {
    throw refuse(`MaximumConcurrency applies to SQS sources; ${nameOf(mapping)} is a ${mapping.service} source.`);
  }
  const from = mapping.maximumConcurrency;
  const expected = request.expected.sourceConcurrencyFrom;
  if (expected !== undefined && (expected ?? undefined) !== from) {
    throw conflict(
      `The MaximumConcurrency of the mapping from ${nameOf(mapping)} changed since you looked: it is ${capText(from)} now, not ${capText(expected ?? undefined)}.`,
    );
  }
  if ((to ?? undefined) === from) {
    throw refuse(`The mapping from ${nameOf(mapping)} already has MaximumConcurrency ${capText(from)}.`);
  }
  return {
    kind: 'set-source-concurrency',
    functionName: fn.name,
    alias: request.alias,
    uuid: mapping.uuid,
    sourceName: nameOf(mapping),
    from,
    to,
    sentence: `${fn.name}: MaximumConcurrency of the mapping from ${nameOf(mapping)} ${capText(from)} → ${capText(to ?? undefined)}`,
  };
}

export async function planSourceSwitch(request: ActionRequest, fn: FunctionInfo, deps: ActionDeps): Promise<Plan> {
  const kind = request.kind === 'enable-source' ? 'enable-source' : 'disable-source';
  const mapping = await findMapping(request, fn, deps);
  const on = mapping.state === 'Enabled' || mapping.state === 'Enabling';
  const off = mapping.state === 'Disabled' || mapping.state === 'Disabling';
  if (kind === 'disable-source' && off)
    throw refuse(`The mapping from ${nameOf(mapping)} is already ${mapping.state.toLowerCase()}.`);
  if (kind === 'enable-source' && on)
    throw refuse(`The mapping from ${nameOf(mapping)} is already ${mapping.state.toLowerCase()}.`);
  if (!on && !off) {
    throw conflict(
      `The mapping from ${nameOf(mapping)} is ${mapping.state}; try again once Lambda has finished with it.`,
    );
  }
  return {
    kind,
    functionName: fn.name,
    alias: request.alias,
    uuid: mapping.uuid,
    sourceName: nameOf(mapping),
    stateBefore: mapping.state,
    sentence:
      kind === 'disable-source'
        ? `${fn.name}: turn off the mapping from ${nameOf(mapping)} (messages stay in the source until it is turned on again)`
        : `${fn.name}: turn on the mapping from ${nameOf(mapping)}`,
  };
}

/**
 * The mapping the request names (UUID or the queue's or stream's name), among the function's own:
 * whoever may act on the function may act on what feeds it, and on nothing else.
 */
async function findMapping(request: ActionRequest, fn: FunctionInfo, deps: ActionDeps): Promise<EventSourceInfo> {
  const wanted = request.expected.mapping;
  const mappings = await deps.sources.functions.listEventSources(
    { functionName: fn.name, functionArn: fn.arn, qualifiers: qualifiersOf(fn) },
    deps.call,
  );
  const known = mappings.filter((m) => m.service === 'sqs' || m.service === 'kinesis' || m.service === 'dynamodb');
  if (!wanted) {
    if (known.length === 1) return known[0]!;
    throw new GofnError(
      ErrorCode.InvalidInput,
      known.length === 0
        ? `${fn.name} has no SQS, Kinesis or DynamoDB event-source mapping.`
        : `${fn.name} has ${known.length} mappings (${known.map(nameOf).join(', ')}); say which.`,
    );
  }
  const found = known.find((m) => m.uuid === wanted || nameOf(m) === wanted);
  if (found) return found;
  throw refuse(
    `${fn.name} has no event-source mapping ${wanted}` +
      (known.length > 0 ? `; its mappings read from ${known.map(nameOf).join(', ')}.` : '.'),
  );
}

function nameOf(mapping: EventSourceInfo): string {
  if (mapping.service === 'sqs') return queueNameOf(mapping.sourceArn);
  const [kind, name] = mapping.sourceArn.split(':').slice(5).join(':').split('/');
  return (kind === 'stream' || kind === 'table') && name ? name : mapping.sourceArn;
}

function capText(value: number | undefined): string {
  return value === undefined ? 'unset' : formatCount(value);
}
