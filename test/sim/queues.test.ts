import path from 'node:path';
import { runAction } from '../../src/actions/run';
import type { ActionDeps, ActionRequest } from '../../src/actions/types';
import { silentLog } from '../../src/log';
import { createSimulatedSources } from '../../src/sim/backend';
import { createSimulatedControl } from '../../src/sim/control';
import { loadScenarioFiles } from '../../src/sim/loader';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { functionText, loadTexts, NOW, scenarioText } from './helpers';

/**
 * The shipped queue scenarios as Lambda and SQS would answer them: a mapping bound to the alias
 * is listed under the alias only, and an OnFailure destination holds invocation records whose
 * requestPayload is what a replay hands the function.
 */

const scenarios = path.resolve(__dirname, '..', '..', 'runbooks', 'scenarios');
const arnOf = (service: string, resource: string) => `arn:aws:${service}:us-east-1:123456789012:${resource}`;

async function shipped(file: string) {
  const fleet = await loadScenarioFiles([path.join(scenarios, file)], { now: NOW });
  const deps: ActionDeps = {
    sources: createSimulatedSources(fleet),
    control: createSimulatedControl(fleet),
    store: new MemoryRecordStore(),
    settings: { maxConcurrency: 1000, replayRatePerSecond: 10_000, admins: [] },
    log: silentLog,
  };
  return { fleet, deps };
}

const replay = (functionName: string): ActionRequest => ({
  kind: 'replay-dlq',
  functionName,
  alias: 'live',
  expected: {},
  actor: { via: 'cli', id: 'tester@host' },
  requestId: `replay-${functionName}`,
});

describe('an SQS source bound to the alias (alias-bound-sqs.yaml)', () => {
  it('is found by asking about the alias, not by the function name alone', async () => {
    // Prepare
    const { deps } = await shipped('alias-bound-sqs.yaml');
    const query = { functionName: 'payouts-worker', functionArn: arnOf('lambda', 'function:payouts-worker') };

    // Act
    const byName = await deps.sources.functions.listEventSources({ ...query, qualifiers: [] });
    const byAlias = await deps.sources.functions.listEventSources({ ...query, qualifiers: ['live', '23'] });

    // Assess
    expect(byName).toEqual([]);
    expect(byAlias).toEqual([expect.objectContaining({ sourceArn: arnOf('sqs', 'payouts'), qualifier: 'live' })]);
  });

  it('has its DLQ replayed to the source queue', async () => {
    // Prepare
    const { deps } = await shipped('alias-bound-sqs.yaml');

    // Act
    const outcome = await runAction(replay('payouts-worker'), deps);

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(outcome.plan?.sentence).toBe('move 37 messages from payouts-dlq to payouts');
    expect(await deps.sources.queues.getDepth(arnOf('sqs', 'payouts-dlq'))).toMatchObject({ visible: 0 });
    expect(await deps.sources.queues.getDepth(arnOf('sqs', 'payouts'))).toMatchObject({ visible: 40 });
  });
});

describe('an OnFailure destination queue (onfailure-destination.yaml)', () => {
  it('is replayed by invoking the function with the requestPayload of each record', async () => {
    // Prepare
    const { fleet, deps } = await shipped('onfailure-destination.yaml');

    // Act
    const outcome = await runAction(replay('billing-events'), deps);

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(outcome.after).toMatchObject({ moved: 212, method: 'receive-invoke-delete', kept: {} });
    const payloads = new Set(fleet.asyncInvocationsOf('billing-events').map((i) => i.payload));
    expect(payloads).toEqual(
      new Set([
        '{"detail-type":"InvoiceIssued","source":"billing.invoices","detail":{"invoiceId":"inv-2291","amountCents":129900}}',
        '{"detail-type":"InvoiceIssued","source":"billing.invoices","detail":{"invoiceId":"inv-2304","amountCents":4500}}',
      ]),
    );
    expect(fleet.asyncInvocationsOf('billing-events').every((i) => i.qualifier === 'live')).toBe(true);
  });
});

describe('scenario checks of event sources', () => {
  it('rejects a mapping bound to an alias or version the function does not have', async () => {
    // Prepare
    const text = scenarioText({
      functions: functionText({ extra: ['    eventSource:', '      queue: jobs', '      boundTo: blue'].join('\n') }),
    });

    // Act
    const error = await loadTexts([text]).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toContain(
      "functions[0].eventSource.boundTo: expected one of the function's aliases (live) or versions (1, 2)",
    );
  });

  it('rejects a FIFO source queue with a standard dead-letter queue', async () => {
    // Prepare
    const text = scenarioText({
      functions: functionText({
        extra: ['    eventSource:', '      queue: jobs.fifo', '      deadLetter: { queue: jobs-dlq }'].join('\n'),
      }),
    });

    // Act
    const error = await loadTexts([text]).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toContain(
      'expected a queue of the same type (FIFO or standard) as the source queue',
    );
  });
});
