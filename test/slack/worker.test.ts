import { listAudit } from '../../src/actions/audit';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { signActionToken, verifyActionToken } from '../../src/slack/action-token';
import { fakeControl, type FakeControl } from '../support/fake-control';
import { fakeSources, type FakeData } from '../support/fake-sources';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { SIGNING_SECRET } from '../support/slack-requests';
import { testWorker } from '../support/test-worker';

let slack: FakeSlack;
let runbook: Runbook;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);

beforeAll(async () => {
  slack = await startFakeSlack();
  runbook = await loadRunbook();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => slack.reset());

function setup(data: Partial<FakeData> = {}, admins: string[] = ['U0MARIA']) {
  const store = new MemoryRecordStore();
  const control: FakeControl = fakeControl();
  control.aliases.set('orders-api:live', {
    functionName: 'orders-api',
    alias: 'live',
    version: '42',
    routing: {},
    revisionId: 'rev-1',
  });
  const worker = testWorker(slack.apiUrl, {
    sources: fakeSources(data),
    control,
    store,
    chart: { metricWidgetImage: async () => PNG },
    runbook,
    settings: { admins },
  });
  return { worker, store, control };
}

function alarm(
  state: 'ALARM' | 'OK',
  overrides: Record<string, unknown> = {},
  at = '2026-11-26T14:22:05.123+0000',
): string {
  return JSON.stringify({
    AlarmName: 'orders-api-errors',
    AlarmDescription: 'Errors of orders-api',
    AWSAccountId: '123456789012',
    NewStateValue: state,
    OldStateValue: state === 'ALARM' ? 'OK' : 'ALARM',
    NewStateReason: 'Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (5.0).',
    StateChangeTime: at,
    Region: 'US East (N. Virginia)',
    AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-errors',
    Trigger: {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'SUM',
      Dimensions: [{ name: 'FunctionName', value: 'orders-api' }],
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5,
    },
    ...overrides,
  });
}

describe('alarm threads', () => {
  it('opens a thread for an ALARM: root message, the diagnosis as a reply, and a graph', async () => {
    // Prepare
    const { worker } = setup();

    // Act
    await worker.handleAlarm({ messageId: 'm-1', message: alarm('ALARM') });

    // Assess
    const posts = slack.callsOf('chat.postMessage');
    expect(posts).toHaveLength(2);
    expect(posts[0]!.args).toMatchObject({ channel: 'C0ALARMS' });
    // The notification text is mrkdwn too: `>` goes escaped, as Slack's formatting guide asks.
    expect(posts[0]!.args.text).toBe(
      '🔴 ALARM orders-api-errors · Errors &gt; 5 for 2 of 3 periods of 1 min · since 14:22 UTC',
    );
    const rootTs = String(posts[0]!.response.ts);
    expect(posts[1]!.args.thread_ts).toBe(rootTs);
    expect(JSON.stringify(posts[1]!.args.blocks)).toContain('orders-api');
    expect(slack.callsOf('files.completeUploadExternal')[0]!.args).toMatchObject({
      channel_id: 'C0ALARMS',
      thread_ts: rootTs,
    });
    expect([...slack.uploads.values()][0]).toEqual(Buffer.from(PNG));
  });

  it('answers a repeated ALARM with a short reply in the same thread, not a new thread', async () => {
    // Prepare
    const { worker } = setup();
    await worker.handleAlarm({ messageId: 'm-1', message: alarm('ALARM') });
    const rootTs = String(slack.callsOf('chat.postMessage')[1]!.args.thread_ts);

    // Act: a later notification of the same episode (CloudWatch re-sends ALARM with a new reason)
    await worker.handleAlarm({ messageId: 'm-2', message: alarm('ALARM', {}, '2026-11-26T14:25:05.000+0000') });

    // Assess
    const posts = slack.callsOf('chat.postMessage');
    expect(posts).toHaveLength(3);
    expect(posts[2]!.args.thread_ts).toBe(rootTs);
    expect(String(posts[2]!.args.text)).toMatch(/^Still in ALARM: Threshold Crossed/);
  });

  it('does nothing the second time the same SNS message is delivered', async () => {
    // Prepare
    const { worker } = setup();
    await worker.handleAlarm({ messageId: 'm-1', message: alarm('ALARM') });

    // Act
    await worker.handleAlarm({ messageId: 'm-1', message: alarm('ALARM') });

    // Assess
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('edits the root message to RESOLVED with the duration when the alarm clears, and says so in the thread', async () => {
    // Prepare
    const { worker } = setup();
    await worker.handleAlarm({ messageId: 'm-1', message: alarm('ALARM') });
    const rootTs = String(slack.callsOf('chat.postMessage')[1]!.args.thread_ts);

    // Act
    await worker.handleAlarm({ messageId: 'm-3', message: alarm('OK', {}, '2026-11-26T14:53:05.000+0000') });
    await worker.handleAlarm({ messageId: 'm-4', message: alarm('OK', {}, '2026-11-26T14:54:05.000+0000') });

    // Assess
    const updates = slack.callsOf('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args).toMatchObject({
      channel: 'C0ALARMS',
      ts: rootTs,
      text: '✅ RESOLVED orders-api-errors · lasted 31 min',
    });
    const replies = slack.callsOf('chat.postMessage').slice(2);
    expect(replies.map((r) => r.args.text)).toEqual(['Resolved: orders-api-errors · lasted 31 min.']);
  });

  it('opens a new thread for the next episode after the alarm cleared', async () => {
    // Prepare
    const { worker } = setup();
    await worker.handleAlarm({ messageId: 'm-1', message: alarm('ALARM') });
    await worker.handleAlarm({ messageId: 'm-2', message: alarm('OK', {}, '2026-11-26T14:53:05.000+0000') });

    // Act
    await worker.handleAlarm({ messageId: 'm-3', message: alarm('ALARM', {}, '2026-11-26T16:00:00.000+0000') });

    // Assess
    const roots = slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === undefined);
    expect(roots).toHaveLength(2);
  });

  it('drops malformed messages and alarms of unmanaged functions without throwing or posting', async () => {
    // Prepare
    const { worker } = setup({ fn: { tags: {} } });

    // Act
    await worker.handleAlarm({ messageId: 'a', message: '{not json' });
    await worker.handleAlarm({ messageId: 'b', message: JSON.stringify({ hello: 'world' }) });
    await worker.handleAlarm({ messageId: 'd', message: alarm('ALARM') });

    // Assess
    expect(slack.calls).toEqual([]);
  });
});

describe('status jobs', () => {
  it('posts the report in the channel with buttons only for the actions the runbook offers', async () => {
    // Prepare
    const { worker } = setup({ current: { invocations: 18_240, throttles: 412, peakConcurrency: 100 } });

    // Act
    await worker.runJob({
      kind: 'status',
      id: 't-1',
      functionName: 'orders-api',
      window: '1h',
      alias: 'live',
      responseUrl: slack.responseUrl('r1'),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
    });

    // Assess
    const [post] = slack.callsOf('chat.postMessage');
    expect(post!.args.channel).toBe('C0ONCALL');
    expect(String(post!.args.text)).toMatch(/^🔴 orders-api is degraded: throttles/);
    const blocks = post!.args.blocks as { type: string; elements?: { action_id: string }[] }[];
    const actions = blocks.find((b) => b.type === 'actions')!.elements!.map((e) => e.action_id);
    expect(actions).toEqual([
      'gofn-action:raise-concurrency:0',
      'gofn-link:metrics',
      'gofn-link:logs',
      'gofn-link:traces',
    ]);
  });

  it("names gofn's admins and the function's owners in each button, so the click can be checked", async () => {
    // Prepare
    const { worker } = setup(
      {
        fn: { tags: { 'gofn:managed': 'true', 'gofn:owners': 'U0OWNER S0PAYMENTS not-an-id' } },
        current: { invocations: 18_240, throttles: 412, peakConcurrency: 100 },
      },
      ['U0MARIA'],
    );

    // Act
    await worker.runJob({
      kind: 'status',
      id: 't-who',
      functionName: 'orders-api',
      window: '1h',
      alias: 'live',
      responseUrl: slack.responseUrl('r-who'),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
    });

    // Assess
    const blocks = slack.callsOf('chat.postMessage')[0]!.args.blocks as {
      type: string;
      elements?: { action_id: string; value?: string }[];
    }[];
    const button = blocks
      .find((b) => b.type === 'actions')!
      .elements!.find((e) => e.action_id.includes('concurrency'))!;
    const verified = verifyActionToken(SIGNING_SECRET, button.value!, {
      channel: 'C0ONCALL',
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    expect('claim' in verified && verified.claim.who).toEqual(['U0MARIA', 'U0OWNER', 'S0PAYMENTS']);
  });

  it('runs a duplicate delivery of the same command once', async () => {
    // Prepare
    const { worker } = setup();
    const job = {
      kind: 'status' as const,
      id: 't-2',
      functionName: 'orders-api',
      window: '1h',
      alias: 'live',
      responseUrl: slack.responseUrl('r2'),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
    };

    // Act
    await worker.runJob(job);
    await worker.runJob(job);

    // Assess
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('answers an unknown function with an ephemeral sentence and a suggestion', async () => {
    // Prepare
    const { worker } = setup();

    // Act
    await worker.runJob({
      kind: 'status',
      id: 't-3',
      functionName: 'ordrs-api',
      window: '1h',
      alias: 'live',
      responseUrl: slack.responseUrl('r3'),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
    });

    // Assess
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
    expect(slack.responses).toEqual([
      {
        path: '/response/r3',
        body: expect.objectContaining({
          response_type: 'ephemeral',
          text: 'gofn: no function "ordrs-api" in us-east-1. Did you mean orders-api?',
        }),
      },
    ]);
  });
});

describe('action jobs', () => {
  function rollbackToken(overrides: Record<string, unknown> = {}) {
    return signActionToken(SIGNING_SECRET, {
      v: 1,
      id: '9d0c6a0e-57f1-4c55-b1f3-0f5a0f1d2a3b',
      kind: 'rollback',
      fn: 'orders-api',
      alias: 'live',
      params: { fromVersion: '42', toVersion: '41' },
      channel: 'C0ONCALL',
      exp: Math.floor(Date.now() / 1000) + 600,
      ...overrides,
    });
  }

  it('rolls back, replies in the thread, replaces the button and audits it; a double submit runs once', async () => {
    // Prepare
    const { worker, control, store } = setup();
    await worker.runJob({
      kind: 'status',
      id: 't-9',
      functionName: 'orders-api',
      window: '1h',
      alias: 'live',
      responseUrl: slack.responseUrl('r9'),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
    });
    const reportTs = String(slack.callsOf('chat.postMessage')[0]!.response.ts);
    const token = rollbackToken();

    // Act
    await worker.runJob({ kind: 'action', id: 'V1', token, channel: 'C0ONCALL', user: 'U0MARIA', messageTs: reportTs });
    await worker.runJob({ kind: 'action', id: 'V2', token, channel: 'C0ONCALL', user: 'U0MARIA', messageTs: reportTs });

    // Assess
    expect(control.aliases.get('orders-api:live')!.version).toBe('41');
    const replies = slack.callsOf('chat.postMessage').slice(1);
    expect(replies).toHaveLength(1);
    expect(String(replies[0]!.args.text)).toMatch(
      /^<@U0MARIA> rolled orders-api back: live v42 → v41 \(verified \d\d:\d\d:\d\d UTC\)$/,
    );
    expect(slack.callsOf('chat.postEphemeral').map((c) => c.args.text)).toEqual([
      'This action already ran; it runs only once.',
    ]);
    const audit = await listAudit(store, 'orders-api');
    expect(audit.map((a) => a.status).sort()).toEqual(['duplicate', 'succeeded']);
    const [update] = slack.callsOf('chat.update');
    expect(update!.args.ts).toBe(reportTs);
    const blocks = JSON.stringify(update!.args.blocks);
    expect(blocks).toContain('✅ <@U0MARIA> rolled orders-api back');
    expect(blocks).not.toContain('gofn-action:rollback');
  });

  it('refuses someone who is not an owner or admin, tells them, and audits the refusal', async () => {
    // Prepare
    const { worker, control, store } = setup({}, []);

    // Act
    await worker.runJob({ kind: 'action', id: 'V3', token: rollbackToken(), channel: 'C0ONCALL', user: 'U0MALLORY' });

    // Assess
    expect(control.aliases.get('orders-api:live')!.version).toBe('42');
    expect(String(slack.callsOf('chat.postEphemeral')[0]!.args.text)).toMatch(
      /^You are not allowed to change orders-api/,
    );
    expect((await listAudit(store, 'orders-api')).map((a) => [a.status, a.actor.id])).toEqual([
      ['refused', 'U0MALLORY'],
    ]);
  });

  it('audits a click the ingress refused, once however often it is delivered, changing nothing', async () => {
    // Prepare
    const { worker, control, store } = setup();
    const job = {
      kind: 'refusal' as const,
      id: 'trigger-1',
      token: rollbackToken(),
      channel: 'C0ONCALL',
      user: 'U0MALLORY',
    };

    // Act
    await worker.runJob(job);
    await worker.runJob(job);

    // Assess
    expect(control.aliases.get('orders-api:live')!.version).toBe('42');
    const audit = await listAudit(store, 'orders-api');
    expect(audit.map((a) => [a.status, a.kind, a.actor.id, a.requestId])).toEqual([
      ['refused', 'rollback', 'U0MALLORY', '9d0c6a0e-57f1-4c55-b1f3-0f5a0f1d2a3b'],
    ]);
    expect(audit[0]!.sentence).toBe(
      "You are not allowed to change orders-api: only gofn's admins and the people in its gofn:owners tag may. Nothing was run.",
    );
    expect(slack.calls).toEqual([]);
  });

  it('refuses an expired button in the worker too, and changes nothing', async () => {
    // Prepare
    const { worker, control } = setup();

    // Act
    await worker.runJob({
      kind: 'action',
      id: 'V4',
      token: rollbackToken({ exp: 1 }),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
    });

    // Assess
    expect(control.aliases.get('orders-api:live')!.version).toBe('42');
    expect(slack.callsOf('chat.postEphemeral')[0]!.args.text).toContain('This button has expired');
  });
});

describe('failures you can see', () => {
  it('a graph Slack will not take is explained in the thread, with what to do', async () => {
    // Prepare
    const { worker } = setup();
    slack.injectFaults('files.getUploadURLExternal', [{ error: 'missing_scope', needed: 'files:write' }]);

    // Act
    await worker.handleAlarm({ messageId: 'm-graph', message: alarm('ALARM') });

    // Assess
    const texts = slack.callsOf('chat.postMessage').map((c) => String(c.args.text));
    expect(texts).toContain(
      "The graph could not be attached: gofn's Slack app lacks `files:write`: reinstall it from slack-app-manifest.yaml.",
    );
  });

  it('an action result the thread will not take reaches the person ephemerally, saying why', async () => {
    // Prepare
    const { worker, control } = setup();
    slack.injectFaults('chat.postMessage', [{ error: 'not_in_channel' }]);
    const token = signActionToken(SIGNING_SECRET, {
      v: 1,
      id: '9d0c6a0e-57f1-4c55-b1f3-0f5a0f1d2a4c',
      kind: 'rollback',
      fn: 'orders-api',
      alias: 'live',
      params: { fromVersion: '42', toVersion: '41' },
      channel: 'C0ONCALL',
      exp: Math.floor(Date.now() / 1000) + 600,
    });

    // Act
    await worker.runJob({ kind: 'action', id: 'V-vis', token, channel: 'C0ONCALL', user: 'U0MARIA' });

    // Assess
    expect(control.aliases.get('orders-api:live')!.version).toBe('41');
    expect(String(slack.callsOf('chat.postEphemeral')[0]!.args.text)).toMatch(
      /^rolled orders-api back: live v42 → v41 \(verified \d\d:\d\d:\d\d UTC\)\. gofn could not say so in the thread: gofn is not a member of <#C0ONCALL>: invite it with `\/invite @gofn`\.$/,
    );
  });
});
