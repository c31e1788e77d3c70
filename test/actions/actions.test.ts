import { listAudit } from '../../src/actions/audit';
import { runAction } from '../../src/actions/run';
import { claimWork, noteOnClaim } from '../../src/actions/claims';
import type { ActionDeps, ActionRequest, Plan } from '../../src/actions/types';
import { ErrorCode, GofnError } from '../../src/errors';
import { silentLog } from '../../src/log';
import { MemoryRecordStore } from '../../src/sim/record-store';
import * as records from '../fixtures/aws/lambda-async-failures';
import { fakeControl, type FakeControl } from '../support/fake-control';
import { fakeSources, type FakeData } from '../support/fake-sources';

const DLQ = 'arn:aws:sqs:us-east-1:123456789012:orders-dlq';
const SOURCE = 'arn:aws:sqs:us-east-1:123456789012:orders';

function setup(data: Partial<FakeData> = {}) {
  const control: FakeControl = fakeControl();
  control.aliases.set('orders-api:live', {
    functionName: 'orders-api',
    alias: 'live',
    version: '42',
    routing: {},
    revisionId: 'rev-1',
  });
  control.concurrency.set('orders-api', 100);
  const store = new MemoryRecordStore();
  const progress: string[] = [];
  const deps: ActionDeps = {
    sources: fakeSources({ fn: { tags: { 'gofn:managed': 'true', 'gofn:deployment-group': 'orders/live' } }, ...data }),
    control,
    store,
    settings: { maxConcurrency: 500, replayRatePerSecond: 10_000, admins: ['U0MARIA'] },
    log: silentLog,
    onProgress: (s) => void progress.push(s),
  };
  return { control, store, deps, progress };
}

function request(
  kind: ActionRequest['kind'],
  expected: ActionRequest['expected'] = {},
  overrides: Partial<ActionRequest> = {},
): ActionRequest {
  return {
    kind,
    functionName: 'orders-api',
    alias: 'live',
    expected,
    actor: { via: 'slack', id: 'U0MARIA' },
    requestId: 'req-1',
    ...overrides,
  };
}

describe('rollback', () => {
  it('moves the alias to the version it confirmed, and verifies by reading back', async () => {
    // Prepare
    const { control, deps } = setup();

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '42', toVersion: '41' }), deps);

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(outcome.plan?.sentence).toBe('orders-api: alias live v42 → v41');
    expect(control.aliases.get('orders-api:live')).toMatchObject({ version: '41', routing: {} });
    expect(outcome.sentence).toMatch(/^rolled orders-api back: live v42 → v41 \(verified \d\d:\d\d:\d\d\)$/);
    expect(outcome.after).toEqual({ version: '41', routing: {} });
  });

  it('stops instead of overwriting when the alias moved since the person looked', async () => {
    // Prepare
    const { control, deps, store } = setup();
    control.aliases.set('orders-api:live', { ...control.aliases.get('orders-api:live')!, version: '44' });

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '42', toVersion: '41' }), deps);

    // Assess
    expect(outcome.status).toBe('conflict');
    expect(outcome.sentence).toBe(
      'The alias changed since you looked: live of orders-api now points to v44, not v42. Nothing was changed.',
    );
    expect(control.aliases.get('orders-api:live')!.version).toBe('44');
    expect((await listAudit(store, 'orders-api')).map((a) => a.status)).toEqual(['conflict']);
  });

  it('turns a concurrent change caught by RevisionId into a clear conflict', async () => {
    // Prepare
    const { control, deps } = setup();
    control.lambda.updateAlias = async () => {
      throw new GofnError(
        ErrorCode.Conflict,
        'The alias changed since you looked: live of orders-api was modified by someone else.',
      );
    };

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '42', toVersion: '41' }), deps);

    // Assess
    expect(outcome.status).toBe('conflict');
    expect(outcome.sentence).toBe(
      'The alias changed since you looked: live of orders-api was modified by someone else.',
    );
  });

  it('stops the CodeDeploy deployment that is shifting the alias instead of moving it by hand', async () => {
    // Prepare
    const { control, deps } = setup();
    control.active = {
      id: 'd-ACTIVE1',
      application: 'orders',
      group: 'live',
      status: 'InProgress',
      createdAt: new Date(),
      completedAt: undefined,
      configName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    };

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '42' }), deps);

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(control.stopped).toEqual(['d-ACTIVE1']);
    expect(outcome.plan?.sentence).toBe(
      'orders-api: stop CodeDeploy deployment d-ACTIVE1 with automatic rollback of alias live',
    );
  });

  it('falls back to the newest published version below the current one', async () => {
    // Prepare
    const { control, deps } = setup();

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '42' }), deps);

    // Assess
    expect(outcome.plan).toMatchObject({ toVersion: '41', targetSource: 'versions' });
    expect(control.aliases.get('orders-api:live')!.version).toBe('41');
  });
});

describe('rollback during a canary', () => {
  /** The setup's alias during a canary: v42 stable, 10% on v43; UpdateAlias calls recorded. */
  function canary(deps: ActionDeps, control: FakeControl) {
    control.aliases.set('orders-api:live', { ...control.aliases.get('orders-api:live')!, routing: { '43': 0.1 } });
    const updates: unknown[][] = [];
    const update = control.lambda.updateAlias.bind(control.lambda);
    control.lambda.updateAlias = async (...args) => {
      updates.push(args);
      return update(...args);
    };
    return { deps, control, updates };
  }

  it('keeps the stable version and clears the weights, guarded by RevisionId, never going below it', async () => {
    // Prepare: v42 stable, 10% on v43; versions 41 and 40 exist below.
    const fresh = setup();
    const c = canary(fresh.deps, fresh.control);

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '43', toVersion: '42' }), c.deps);

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(outcome.plan).toMatchObject({ method: 'update-alias', fromVersion: '43', toVersion: '42' });
    expect(outcome.plan?.sentence).toBe('orders-api: stop the canary on alias live: keep v42, take the 10% on v43 off');
    expect(c.updates).toEqual([['orders-api', 'live', '42', 'rev-1', undefined]]);
    expect(c.control.aliases.get('orders-api:live')).toMatchObject({ version: '42', routing: {} });
    expect(outcome.sentence).toMatch(
      /^rolled orders-api back: live v43 \(canary, 10%\) → v42 \(verified \d\d:\d\d:\d\d\)$/,
    );
    expect(outcome.before).toEqual({ version: '42', routing: { '43': 0.1 } });
    expect(outcome.after).toEqual({ version: '42', routing: {} });
  });

  it('plans the stable version as the target when none was asked for', async () => {
    // Prepare
    const fresh = setup();
    const { deps } = canary(fresh.deps, fresh.control);

    // Act
    const outcome = await runAction(request('rollback', {}), deps);

    // Assess
    expect(outcome.plan).toMatchObject({ toVersion: '42', targetSource: 'stable' });
    expect(fresh.control.aliases.get('orders-api:live')).toMatchObject({ version: '42', routing: {} });
  });

  it('stops the CodeDeploy deployment that owns the canary instead of touching the alias', async () => {
    // Prepare
    const fresh = setup();
    const { control, deps, updates } = canary(fresh.deps, fresh.control);
    control.active = {
      id: 'd-8RT1EXAMPLE',
      application: 'orders',
      group: 'live',
      status: 'InProgress',
      createdAt: new Date(),
      completedAt: undefined,
      configName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    };

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '43' }), deps);

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(control.stopped).toEqual(['d-8RT1EXAMPLE']);
    expect(updates).toEqual([]);
    expect(outcome.plan?.sentence).toBe(
      'orders-api: stop CodeDeploy deployment d-8RT1EXAMPLE with automatic rollback: live keeps v42, the 10% on v43 is taken off',
    );
  });

  it('changes nothing when the tags cannot be read: CodeDeploy ownership is unknown', async () => {
    // Prepare
    const fresh = setup({ fn: { tags: {}, tagsUnavailable: 'Lambda ListTags for function orders-api was denied' } });
    const { control, deps, updates } = canary(fresh.deps, fresh.control);

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '43' }), deps);

    // Assess
    expect(outcome.status).toBe('refused');
    expect(outcome.sentence).toBe(
      'gofn cannot tell whether a CodeDeploy deployment is moving alias live of orders-api: the tags of orders-api could not be read (Lambda ListTags for function orders-api was denied), so gofn cannot tell which CodeDeploy deployment group deploys it. ' +
        'Nothing was changed: moving the alias by hand could fight a deployment. Stop the deployment in CodeDeploy, or let gofn read the tags (lambda:ListTags) and the deployments (codedeploy:ListDeployments), then try again.',
    );
    expect(updates).toEqual([]);
    expect(control.aliases.get('orders-api:live')!.routing).toEqual({ '43': 0.1 });
  });

  it('changes nothing when CodeDeploy cannot say whether it is deploying', async () => {
    // Prepare
    const fresh = setup();
    const { control, deps, updates } = canary(fresh.deps, fresh.control);
    control.deploys.findActiveDeployment = async () => {
      throw new GofnError(
        ErrorCode.AccessDenied,
        'CodeDeploy ListDeployments for deployment group orders/live was denied.',
      );
    };

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '43' }), deps);

    // Assess
    expect(outcome.status).toBe('refused');
    expect(outcome.sentence).toContain('CodeDeploy could not say whether orders/live is deploying');
    expect(updates).toEqual([]);
  });

  it('answers a button made for an earlier canary with a conflict', async () => {
    // Prepare: the person saw v43 as a canary on v42; v43 has since gone live and a canary of v44 started.
    const fresh = setup();
    fresh.control.aliases.set('orders-api:live', {
      ...fresh.control.aliases.get('orders-api:live')!,
      version: '43',
      routing: { '44': 0.1 },
    });

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '43', toVersion: '42' }), fresh.deps);

    // Assess
    expect(outcome.status).toBe('conflict');
    expect(outcome.sentence).toBe(
      'The alias changed since you looked: live of orders-api now runs a canary of v44 (10%) on v43, not v43. Nothing was changed.',
    );
  });
});

describe('rollback targets', () => {
  it('goes back to the version the last deployment moved the alias from, as CodeDeploy reports it', async () => {
    // Prepare
    const { control, deps } = setup({
      deployments: [
        {
          id: 'd-LAST12345',
          application: 'orders',
          group: 'live',
          status: 'Succeeded',
          createdAt: new Date(Date.now() - 3_600_000),
          completedAt: new Date(Date.now() - 3_500_000),
          configName: 'CodeDeployDefault.LambdaAllAtOnce',
        },
      ],
      deploymentTargets: [
        {
          deploymentId: 'd-LAST12345',
          functionName: 'orders-api',
          alias: 'live',
          currentVersion: '39',
          targetVersion: '42',
          targetVersionWeight: 1,
          status: 'Succeeded',
          lastUpdatedAt: undefined,
        },
      ],
    });

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '42' }), deps);

    // Assess
    expect(outcome.plan).toMatchObject({ toVersion: '39', targetSource: 'deployment' });
    expect(control.aliases.get('orders-api:live')!.version).toBe('39');
  });

  it('reports a deployment that finished while it was being stopped as a conflict', async () => {
    // Prepare
    const { control, deps } = setup();
    control.active = {
      id: 'd-ACTIVE1',
      application: 'orders',
      group: 'live',
      status: 'InProgress',
      createdAt: new Date(),
      completedAt: undefined,
      configName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    };
    control.deploys.stopDeployment = async () => {
      throw new GofnError(
        ErrorCode.Conflict,
        'CodeDeploy deployment d-ACTIVE1 already finished, so there is nothing to stop.',
      );
    };

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '42' }), deps);

    // Assess
    expect(outcome.status).toBe('conflict');
    expect(outcome.sentence).toContain('already finished');
  });
});

describe('authorization comes first', () => {
  it('refuses someone who may not act without telling them whether the alias moved', async () => {
    // Prepare: a stale button, pressed by someone who is neither admin nor owner
    const { control, deps, store } = setup();
    control.aliases.set('orders-api:live', { ...control.aliases.get('orders-api:live')!, version: '44' });
    let aliasReads = 0;
    const getAlias = control.lambda.getAlias.bind(control.lambda);
    control.lambda.getAlias = async (...args) => {
      aliasReads += 1;
      return getAlias(...args);
    };

    // Act
    const outcome = await runAction(
      request('rollback', { fromVersion: '42', toVersion: '41' }, { actor: { via: 'slack', id: 'U0STRANGER' } }),
      deps,
    );

    // Assess
    expect(outcome.status).toBe('refused');
    expect(outcome.sentence).toMatch(/^You are not allowed to change orders-api: .*\. Nothing was changed\.$/);
    expect(outcome.sentence).not.toMatch(/v44|changed since/);
    expect(aliasReads).toBe(0);
    expect((await listAudit(store, 'orders-api')).map((a) => a.status)).toEqual(['refused']);
  });

  it('keeps answering a stale button with the conflict, not with "already ran"', async () => {
    // Prepare
    const { control, deps } = setup();
    control.aliases.set('orders-api:live', { ...control.aliases.get('orders-api:live')!, version: '44' });
    const stale = request('rollback', { fromVersion: '42', toVersion: '41' });

    // Act
    const first = await runAction(stale, deps);
    const second = await runAction(stale, deps);

    // Assess
    expect([first.status, second.status]).toEqual(['conflict', 'conflict']);
  });
});

describe('exactly once', () => {
  it('runs concurrent attempts of the same request once; the others are duplicates', async () => {
    // Prepare
    const { control, deps } = setup();
    let updates = 0;
    const update = control.lambda.updateAlias.bind(control.lambda);
    control.lambda.updateAlias = async (...args) => {
      updates += 1;
      await new Promise((r) => setTimeout(r, 20));
      return update(...args);
    };

    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => runAction(request('rollback', { fromVersion: '42', toVersion: '41' }), deps)),
    );

    // Assess
    expect(updates).toBe(1);
    expect(outcomes.map((o) => o.status).sort()).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'succeeded',
    ]);
  });
});

describe('reserved concurrency', () => {
  it('raises within the account headroom and verifies', async () => {
    // Prepare
    const { control, deps } = setup();

    // Act
    const outcome = await runAction(request('raise-concurrency', { concurrencyFrom: 100, concurrencyTo: 200 }), deps);

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(control.concurrency.get('orders-api')).toBe(200);
    expect(outcome.sentence).toBe('raised reserved concurrency of orders-api: 100 → 200');
  });

  it('refuses above the configured maximum and above the headroom, changing nothing', async () => {
    // Prepare
    const { control, deps } = setup({ unreserved: 150 });

    // Act
    const aboveMax = await runAction(request('raise-concurrency', { concurrencyTo: 600 }, { requestId: 'a' }), deps);
    const aboveHeadroom = await runAction(
      request('raise-concurrency', { concurrencyTo: 400 }, { requestId: 'b' }),
      deps,
    );

    // Assess
    expect(aboveMax).toMatchObject({
      status: 'refused',
      sentence: "600 is above gofn's configured maximum of 500 reserved for one function. Nothing was changed.",
    });
    expect(aboveHeadroom.status).toBe('refused');
    expect(aboveHeadroom.sentence).toBe(
      'The account has room for at most 150 reserved for orders-api: 150 unreserved, less the 100 Lambda keeps free, ' +
        'plus the 100 orders-api reserves now. Nothing was changed.',
    );
    expect(control.concurrency.get('orders-api')).toBe(100);
  });
});

describe('DLQ replay', () => {
  function withMessages(control: FakeControl, count: number) {
    control.queues_.set(
      DLQ,
      Array.from({ length: count }, (_, i) => ({
        messageId: `m-${i}`,
        receiptHandle: `r-${i}`,
        body: `{"order":${i}}`,
        attributes: {},
      })),
    );
  }

  it('moves every message back to the source queue when message-move tasks are unavailable', async () => {
    // Prepare
    const { control, deps } = setup({ sqsSource: { sourceArn: SOURCE, dlqArn: DLQ }, dlqDepth: { visible: 25 } });
    withMessages(control, 25);

    // Act
    const outcome = await runAction(request('replay-dlq'), deps);

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(control.queues_.get(DLQ)).toEqual([]);
    expect(control.queues_.get(SOURCE)).toHaveLength(25);
    expect(outcome.after).toMatchObject({ moved: 25, method: 'receive-send-delete' });
  });

  it('follows a message-move task to completion and reports progress', async () => {
    // Prepare
    const { control, deps, progress } = setup({
      sqsSource: { sourceArn: SOURCE, dlqArn: DLQ },
      dlqDepth: { visible: 1240 },
    });
    const states = [
      { status: 'RUNNING', moved: 400 },
      { status: 'RUNNING', moved: 900 },
      { status: 'COMPLETED', moved: 1240 },
    ];
    let started: unknown[] = [];
    control.queues.startMessageMoveTask = async (...args) => {
      started = args.slice(0, 3);
      return 'handle-1';
    };
    control.queues.listMessageMoveTasks = async () => {
      const state = states.shift()!;
      return [
        { taskHandle: 'handle-1', status: state.status, moved: state.moved, toMove: 1240, failureReason: undefined },
      ];
    };
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });

    // Act
    const running = runAction(request('replay-dlq'), deps);
    for (let i = 0; i < 3; i++) await jest.advanceTimersByTimeAsync(5000);
    const outcome = await running;
    jest.useRealTimers();

    // Assess
    expect(started).toEqual([DLQ, SOURCE, 10_000]);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.after).toMatchObject({ moved: 1240, method: 'message-move-task' });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toMatch(/^moved [\d,]+ of 1,240 messages from orders-dlq$/);
  });

  it('re-invokes the function for an async-invoke DLQ, deleting only what Lambda accepted', async () => {
    // Prepare
    const { control, deps } = setup({
      fn: { tags: { 'gofn:managed': 'true' }, deadLetterTargetArn: DLQ },
      dlqDepth: { visible: 3 },
    });
    withMessages(control, 3);
    let calls = 0;
    control.lambda.invokeAsync = async (_fn, _q, payload) => {
      calls += 1;
      if (calls === 2) throw new GofnError(ErrorCode.Throttled, 'throttled');
      control.invoked.push(payload);
    };

    // Act
    const outcome = await runAction(request('replay-dlq'), deps);

    // Assess
    expect(control.invoked).toEqual(['{"order":0}', '{"order":2}']);
    expect(control.queues_.get(DLQ)!.map((m) => m.body)).toEqual(['{"order":1}']);
    expect(outcome.after).toMatchObject({ moved: 2, method: 'receive-invoke-delete' });
  });

  it('re-invokes with the requestPayload of each OnFailure record, keeping records it cannot replay', async () => {
    // Prepare: the destination queue holds what Lambda sends it, and what others sent there too.
    const FAILURES = 'arn:aws:sqs:us-east-1:123456789012:billing-failures';
    const { control, deps } = setup({
      fn: { name: 'billing-events', tags: { 'gofn:managed': 'true' } },
      onFailure: FAILURES,
      dlqDepth: { visible: records.onFailureMessages.length },
    });
    control.queues_.set(
      FAILURES,
      records.onFailureMessages.map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body!,
        attributes: {},
      })),
    );

    // Act
    const outcome = await runAction(request('replay-dlq', {}, { functionName: 'billing-events' }), deps);

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(outcome.plan?.sentence).toBe(
      're-invoke billing-events:live with the original event of each of the 5 invocation records in billing-failures',
    );
    expect(control.invoked).toEqual([records.originalEvent, '{"invoiceId":"inv-2292","amountCents":4500}']);
    expect(control.queues_.get(FAILURES)!.map((m) => m.body)).toEqual([
      records.successRecordBody,
      records.otherFunctionRecordBody,
      records.streamBatchRecordBody,
    ]);
    expect(outcome.after).toMatchObject({
      moved: 2,
      method: 'receive-invoke-delete',
      kept: {
        'a record of an invocation that succeeded; replaying it would process the event twice': 1,
        'a record of another function (refund-events)': 1,
        "a record of a stream batch (KinesisBatchInfo): it points at the stream's records, it does not carry them": 1,
      },
    });
    expect(outcome.sentence).toContain('kept in the DLQ: a record of an invocation that succeeded');
  });

  it('re-invokes with the body of a DeadLetterConfig message: the event as it was', async () => {
    // Prepare
    const { control, deps } = setup({
      fn: { name: 'billing-events', tags: { 'gofn:managed': 'true' }, deadLetterTargetArn: DLQ },
      dlqDepth: { visible: 1 },
    });
    const m = records.deadLetterMessage;
    control.queues_.set(DLQ, [
      {
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body!,
        attributes: { ErrorCode: { dataType: 'Number', stringValue: '200' } },
      },
    ]);

    // Act
    const outcome = await runAction(request('replay-dlq', {}, { functionName: 'billing-events' }), deps);

    // Assess
    expect(control.invoked).toEqual([records.originalEvent]);
    expect(outcome.after).toMatchObject({ moved: 1, method: 'receive-invoke-delete', kept: {} });
  });

  it('moves the DLQ of an SQS source bound to the alias back to that source', async () => {
    // Prepare
    const { control, deps } = setup({
      sqsSource: { sourceArn: SOURCE, dlqArn: DLQ, qualifier: 'live' },
      dlqDepth: { visible: 3 },
    });
    withMessages(control, 3);

    // Act
    const outcome = await runAction(request('replay-dlq'), deps);

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(control.queues_.get(SOURCE)).toHaveLength(3);
  });

  it('moves FIFO messages between FIFO queues with their group and deduplication IDs', async () => {
    // Prepare
    const FIFO_DLQ = 'arn:aws:sqs:us-east-1:123456789012:ledger-dlq.fifo';
    const FIFO_SOURCE = 'arn:aws:sqs:us-east-1:123456789012:ledger.fifo';
    const { control, deps } = setup({
      sqsSource: { sourceArn: FIFO_SOURCE, dlqArn: FIFO_DLQ, fifo: true },
      dlqDepth: { visible: 2 },
    });
    control.queues_.set(FIFO_DLQ, [
      { messageId: 'm-1', receiptHandle: 'r-1', body: 'a', attributes: {}, groupId: 'acc-1', deduplicationId: 'm-1' },
      { messageId: 'm-2', receiptHandle: 'r-2', body: 'b', attributes: {}, groupId: 'acc-1', deduplicationId: 'm-2' },
    ]);

    // Act
    const outcome = await runAction(request('replay-dlq'), deps);

    // Assess
    expect(outcome.plan?.sentence).toBe(
      'move 2 messages from ledger-dlq.fifo to ledger.fifo, each in its message group',
    );
    expect(control.queues_.get(FIFO_SOURCE)!.map((m) => [m.body, m.groupId, m.deduplicationId])).toEqual([
      ['a', 'acc-1', 'm-1'],
      ['b', 'acc-1', 'm-2'],
    ]);
  });

  it('refuses, before touching a message, to move between a FIFO and a standard queue', async () => {
    // Prepare
    const FIFO_DLQ = 'arn:aws:sqs:us-east-1:123456789012:ledger-dlq.fifo';
    const { control, deps } = setup({
      sqsSource: { sourceArn: SOURCE, dlqArn: FIFO_DLQ, fifo: false },
      dlqDepth: { visible: 2 },
    });
    let received = 0;
    control.queues.receive = async () => {
      received += 1;
      return [];
    };

    // Act
    const outcome = await runAction(request('replay-dlq'), deps);

    // Assess
    expect(outcome.status).toBe('refused');
    expect(outcome.sentence).toBe(
      'ledger-dlq.fifo is a FIFO queue and orders is a standard one; gofn moves messages only between queues of the same type. Nothing was changed.',
    );
    expect(received).toBe(0);
  });

  it('refuses to replay from an SNS topic and says why', async () => {
    // Prepare
    const { deps } = setup({ onFailure: 'arn:aws:sns:us-east-1:123456789012:api-failures' });

    // Act
    const outcome = await runAction(request('replay-dlq'), deps);

    // Assess
    expect(outcome.status).toBe('refused');
    expect(outcome.sentence).toMatch(
      /^orders-api sends its failed events to SNS topic api-failures: a topic keeps no messages: .* Nothing was changed\.$/,
    );
  });

  it('says the DLQ is empty instead of replaying nothing', async () => {
    // Prepare
    const { deps } = setup({ sqsSource: { sourceArn: SOURCE, dlqArn: DLQ }, dlqDepth: { visible: 0 } });

    // Act
    const outcome = await runAction(request('replay-dlq'), deps);

    // Assess
    expect(outcome).toMatchObject({
      status: 'refused',
      sentence: 'orders-dlq is empty; there is nothing to replay. Nothing was changed.',
    });
  });

  it('says the DLQ is empty now when the button was made while it held messages', async () => {
    // Prepare
    const { deps } = setup({ sqsSource: { sourceArn: SOURCE, dlqArn: DLQ }, dlqDepth: { visible: 0 } });

    // Act
    const outcome = await runAction(request('replay-dlq', { queue: 'orders-dlq' }), deps);

    // Assess
    expect(outcome).toMatchObject({
      status: 'conflict',
      sentence: 'orders-dlq is empty now; there is nothing to replay. Nothing was changed.',
    });
  });
});

describe('a retry after an attempt that may have made its change', () => {
  /** What a worker that died after noting its plan leaves behind: the plan, and a lapsed lease. */
  async function diedAfterNoting(store: MemoryRecordStore, plan: Plan, requestId = 'req-1') {
    const claimed = await claimWork(store, `action#${requestId}`, {
      leaseSeconds: 1,
      keepSeconds: 3600,
      nowMs: Date.now() - 60_000,
    });
    await noteOnClaim(store, claimed.claim!, { started: plan }, Date.now() - 30_000);
  }

  it('records a change a timed-out attempt did make as succeeded on the next press', async () => {
    // Prepare: UpdateAlias reaches Lambda, but its answer is lost to a timeout
    const { control, deps, store } = setup();
    const updateAlias = control.lambda.updateAlias.bind(control.lambda);
    control.lambda.updateAlias = async (...args) => {
      await updateAlias(...args);
      throw new GofnError(ErrorCode.Timeout, 'Lambda UpdateAlias did not answer within 10 s.');
    };
    const press = request('rollback', { fromVersion: '42', toVersion: '41' });

    // Act
    const first = await runAction(press, deps);
    control.lambda.updateAlias = updateAlias;
    const second = await runAction(press, deps);

    // Assess
    expect(first.status).toBe('failed');
    expect(second).toMatchObject({ status: 'succeeded', after: { version: '41', routing: {} } });
    expect(second.sentence).toMatch(/^rolled orders-api back: live v42 → v41 .*, by an earlier attempt that stopped/);
    expect((await listAudit(store, 'orders-api')).map((a) => a.status).sort()).toEqual(['failed', 'succeeded']);
  });

  it('does not call a deployment that finished on its own stopped by gofn', async () => {
    // Prepare: the dead attempt meant to stop d-ACTIVE1; the canary then completed and moved the alias
    const { control, deps, store } = setup();
    await diedAfterNoting(store, {
      kind: 'rollback',
      method: 'stop-deployment',
      functionName: 'orders-api',
      alias: 'live',
      fromVersion: '42',
      deploymentId: 'd-ACTIVE1',
      sentence: 'orders-api: stop CodeDeploy deployment d-ACTIVE1 with automatic rollback of alias live',
    });
    control.aliases.set('orders-api:live', { ...control.aliases.get('orders-api:live')!, version: '43', routing: {} });
    control.deploys.getDeployment = async (id) => ({
      id,
      application: 'orders',
      group: 'live',
      status: 'Succeeded',
      createdAt: new Date(),
      completedAt: new Date(),
      configName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    });

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '42' }), deps);

    // Assess
    expect(outcome.status).toBe('conflict');
    expect(outcome.sentence).toMatch(/^The alias changed since you looked/);
  });

  it('does not call a replay done while messages it had received are still hidden in the DLQ', async () => {
    // Prepare: the dead attempt held 10 received messages; none is visible until they come back
    const { deps, store } = setup({
      sqsSource: { sourceArn: SOURCE, dlqArn: DLQ },
      dlqDepth: { visible: 0, inFlight: 10 },
    });
    await diedAfterNoting(store, {
      kind: 'replay-dlq',
      functionName: 'orders-api',
      alias: 'live',
      dlqArn: DLQ,
      dlqName: 'orders-dlq',
      messages: 40,
      mode: 'sqs-source',
      destinationArn: SOURCE,
      sentence: 'move 40 messages from orders-dlq to orders',
    });

    // Act
    const outcome = await runAction(request('replay-dlq', { queue: 'orders-dlq' }), deps);

    // Assess
    expect(outcome.status).toBe('conflict');
  });

  it('answers with a sentence, and leaves the action to a later press, when the plan cannot be noted', async () => {
    // Prepare
    const { control, deps, store } = setup();
    const updateIf = store.updateIf.bind(store);
    store.updateIf = async (pk, ...rest) => {
      if (pk.startsWith('claim#')) throw new GofnError(ErrorCode.Throttled, 'DynamoDB throttled the request.');
      return updateIf(pk, ...rest);
    };

    // Act
    const outcome = await runAction(request('rollback', { fromVersion: '42', toVersion: '41' }), deps);

    // Assess
    expect(outcome).toMatchObject({ status: 'failed', sentence: 'DynamoDB throttled the request.' });
    expect(control.aliases.get('orders-api:live')!.version).toBe('42');
  });
});
