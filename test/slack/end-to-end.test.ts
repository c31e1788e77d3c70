import { createAwsClients, type AwsClients } from '../../src/aws/index';
import { createGofnTable } from '../aws/emulator-fixtures';
import { listAudit } from '../../src/actions/audit';
import { silentLog } from '../../src/log';
import type { RecordStore } from '../../src/ports';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import { createIngress } from '../../src/slack/ingress';
import type { Job } from '../../src/slack/jobs';
import { fakeControl, type FakeControl } from '../support/fake-control';
import { fakeSources } from '../support/fake-sources';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { startEmulator, type Emulator } from '../support/moto';
import { testWorker } from '../support/test-worker';
import {
  BOT_TOKEN,
  buttonClick,
  interactionBody,
  SIGNING_SECRET,
  signedEvent,
  slashCommandBody,
  viewSubmission,
} from '../support/slack-requests';

/**
 * The whole Slack path with nothing mocked but AWS reads: signed requests into the ingress,
 * jobs handed to a worker whose state lives in the emulator's DynamoDB, messages landing in the
 * fake Slack. Retries, duplicates and double submits must each run once.
 */
let emulator: Emulator;
let clients: AwsClients;
let slack: FakeSlack;
let runbook: Runbook;
let table = 0;

beforeAll(async () => {
  [emulator, slack, runbook] = await Promise.all([startEmulator(), startFakeSlack(), loadRunbook()]);
  clients = createAwsClients({ maxAttempts: 2 });
});
afterAll(async () => {
  clients?.destroy();
  await Promise.all([emulator?.stop(), slack?.close()]);
});
beforeEach(() => slack.reset());

async function newStore(): Promise<RecordStore> {
  return createGofnTable(clients, `gofn-${++table}`);
}

/** Ingress and worker wired as in Lambda, but the hand-off is a list the test drains. */
async function system(options: { admins?: string[] } = {}) {
  const store = await newStore();
  const control: FakeControl = fakeControl();
  control.aliases.set('orders-api:live', {
    functionName: 'orders-api',
    alias: 'live',
    version: '42',
    routing: {},
    revisionId: 'rev-1',
  });
  const queued: Job[] = [];
  const clientOptions = { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } };
  const ingress = createIngress({
    secrets: async () => ({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }),
    jobs: { enqueue: async (job) => void queued.push(job as Job) },
    clientOptions,
    log: silentLog,
  });
  const worker = testWorker(slack.apiUrl, {
    sources: fakeSources({
      current: { invocations: 18_240, throttles: 412, peakConcurrency: 100 },
      fn: { versionModifiedAt: new Date(Date.now() - 38 * 60_000) },
    }),
    control,
    store,
    runbook,
    settings: { admins: options.admins ?? ['U0MARIA'] },
  });
  /** Delivers every queued job to the worker, concurrently, as Lambda would. */
  const drain = async () => {
    const jobs = queued.splice(0);
    await Promise.all(jobs.map((job) => worker.runJob(job)));
  };
  return { ingress, worker, store, control, drain };
}

describe('Slack end to end, state in the emulator', () => {
  it('a slash command and its retry produce one report', async () => {
    // Prepare
    const { ingress, drain } = await system();
    const body = slashCommandBody('status orders-api', { trigger_id: 'trigger-e2e-1' });

    // Act
    const first = await ingress(signedEvent(body));
    const retry = await ingress(
      signedEvent(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }),
    );
    await drain();

    // Assess
    expect([first.statusCode, retry.statusCode]).toEqual([200, 200]);
    const reports = slack.callsOf('chat.postMessage');
    expect(reports).toHaveLength(1);
    expect(String(reports[0]!.args.text)).toMatch(/^🔴 orders-api is degraded: throttles/);
  });

  it('a button press, a double submit and an outsider: one rollback, one refusal, all audited', async () => {
    // Prepare
    const { ingress, drain, control, store } = await system();
    await ingress(signedEvent(slashCommandBody('status orders-api', { trigger_id: 'trigger-e2e-2' })));
    await drain();
    const report = slack.callsOf('chat.postMessage')[0]!;
    const buttons = (report.args.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[]).find(
      (b) => b.type === 'actions',
    )!.elements!;
    const rollback = buttons.find((b) => b.action_id.startsWith('gofn-action:rollback'))!;
    const messageTs = String(report.response.ts);

    // Act: Maria clicks and submits twice (two modals), Mallory submits the same token
    await ingress(signedEvent(interactionBody(buttonClick({ value: rollback.value!, messageTs }))));
    const [modal] = slack.callsOf('views.open');
    const metadata = JSON.parse(String((modal!.args.view as { private_metadata: string }).private_metadata)) as Record<
      string,
      unknown
    >;
    await ingress(signedEvent(interactionBody(viewSubmission({ metadata, viewId: 'V-A' }))));
    await ingress(signedEvent(interactionBody(viewSubmission({ metadata, viewId: 'V-B' }))));
    await ingress(signedEvent(interactionBody(viewSubmission({ metadata, viewId: 'V-C', user: 'U0MALLORY' }))));
    await drain();

    // Assess
    expect(control.aliases.get('orders-api:live')!.version).toBe('41');
    const replies = slack.callsOf('chat.postMessage').slice(1);
    expect(replies.map((r) => String(r.args.text))).toEqual([
      expect.stringMatching(/^<@U0MARIA> rolled orders-api back: live v42 → v41/),
    ]);
    const update = slack.callsOf('chat.update')[0]!;
    expect(update.args.ts).toBe(messageTs);
    expect(JSON.stringify(update.args.blocks)).not.toContain('gofn-action:rollback');
    const audit = await listAudit(store, 'orders-api');
    expect(audit.map((a) => a.status).sort()).toEqual(['duplicate', 'refused', 'succeeded']);
    expect(audit.find((a) => a.status === 'refused')!.actor.id).toBe('U0MALLORY');
  });

  it('alarm threads keep their state in DynamoDB: one thread, one resolution edit', async () => {
    // Prepare
    const { worker } = await system();
    const alarm = (state: string, at: string) =>
      JSON.stringify({
        AlarmName: 'orders-api-throttles',
        NewStateValue: state,
        NewStateReason: 'Threshold Crossed',
        StateChangeTime: at,
        Trigger: {
          MetricName: 'Throttles',
          Namespace: 'AWS/Lambda',
          Dimensions: [{ name: 'FunctionName', value: 'orders-api' }],
          Period: 60,
          EvaluationPeriods: 1,
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
        },
      });

    // Act
    await Promise.all([
      worker.handleAlarm({ messageId: 's-1', message: alarm('ALARM', '2026-11-26T14:00:00.000+0000') }),
      worker.handleAlarm({ messageId: 's-2', message: alarm('ALARM', '2026-11-26T14:01:00.000+0000') }),
      worker.handleAlarm({ messageId: 's-1', message: alarm('ALARM', '2026-11-26T14:00:00.000+0000') }),
    ]);
    await worker.handleAlarm({ messageId: 's-3', message: alarm('OK', '2026-11-26T14:20:00.000+0000') });
    await worker.handleAlarm({ messageId: 's-4', message: alarm('OK', '2026-11-26T14:21:00.000+0000') });

    // Assess
    const posts = slack.callsOf('chat.postMessage');
    const roots = posts.filter((p) => p.args.thread_ts === undefined);
    expect(roots).toHaveLength(1);
    const rootTs = String(roots[0]!.response.ts);
    expect(posts.filter((p) => p.args.thread_ts !== undefined).every((p) => p.args.thread_ts === rootTs)).toBe(true);
    // The two ALARMs race. Applied in StateChangeTime order: when 14:00 opened the thread, 14:01
    // is a repeat and gets a reply; when 14:01 won, 14:00 is older than the thread and says nothing.
    const openedAt1400 = String(roots[0]!.args.text).includes('since 14:00');
    expect(posts.filter((p) => String(p.args.text).startsWith('Still in ALARM'))).toHaveLength(openedAt1400 ? 1 : 0);
    const updates = slack.callsOf('chat.update');
    expect(updates.map((u) => u.args.text)).toEqual([
      expect.stringMatching(/^✅ RESOLVED orders-api-throttles · lasted (19|20) min$/),
    ]);
  });
});
