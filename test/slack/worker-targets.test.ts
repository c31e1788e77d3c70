import { listAudit } from '../../src/actions/audit';
import { ErrorCode, GofnError } from '../../src/errors';
import type { ChartPort, TargetPorts, TargetSet } from '../../src/ports';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { verifyActionToken } from '../../src/slack/action-token';
import { targetLabel, type TargetRef } from '../../src/targets';
import { fakeControl, type FakeControl } from '../support/fake-control';
import { fakeSources, type FakeData } from '../support/fake-sources';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { SIGNING_SECRET } from '../support/slack-requests';
import { testWorker } from '../support/test-worker';

/**
 * The worker over several accounts and regions: prod in us-east-1 (healthy) and eu-west-1
 * (orders-api throttling), and staging, whose role cannot be assumed.
 */
let slack: FakeSlack;
let runbook: Runbook;

beforeAll(async () => {
  slack = await startFakeSlack();
  runbook = await loadRunbook();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => slack.reset());

const prod = '111122223333';
const staging = '444455556666';
const denied = new GofnError(
  ErrorCode.AccessDenied,
  `gofn could not assume arn:aws:iam::${staging}:role/gofn-member (account staging): denied.`,
);
const throttling: Partial<FakeData> = { current: { invocations: 18_240, throttles: 412, peakConcurrency: 100 } };

function setup() {
  const targets: TargetRef[] = [
    { account: 'prod', accountId: prod, region: 'us-east-1' },
    { account: 'prod', accountId: prod, region: 'eu-west-1' },
    { account: 'staging', accountId: staging, region: 'us-east-1' },
  ];
  const ports = new Map<string, TargetPorts & { control: FakeControl; charts: string[] }>();
  for (const target of targets) {
    const label = targetLabel(target);
    const data: Partial<FakeData> = label === 'prod/eu-west-1' ? throttling : {};
    const sources = fakeSources({
      ...data,
      fn: {
        region: target.region,
        accountId: target.accountId,
        arn: `arn:aws:lambda:${target.region}:${target.accountId}:function:orders-api`,
        tags: { 'gofn:managed': 'true', service: 'orders' },
      },
    });
    sources.region = target.region;
    if (target.account === 'staging') {
      sources.functions.getFunction = async () => {
        throw denied;
      };
      sources.functions.managedFunctionPages = async function* () {
        yield* [];
        throw denied;
      };
    }
    const control = fakeControl();
    control.concurrency.set('orders-api', 100);
    const charts: string[] = [];
    const chart: ChartPort = {
      metricWidgetImage: async () => {
        charts.push(label);
        return new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
      },
    };
    ports.set(label, { target, sources, control, chart, charts });
  }
  const set: TargetSet = { targets, configured: true, open: (t) => ports.get(targetLabel(t))! };
  const store = new MemoryRecordStore();
  const first = ports.get('prod/us-east-1')!;
  const worker = testWorker(slack.apiUrl, {
    sources: first.sources,
    control: first.control,
    targets: set,
    store,
    runbook,
    settings: { admins: ['U0MARIA'] },
  });
  return { worker, store, ports };
}

const statusJob = (id: string, functionName: string | undefined, extra: Record<string, string> = {}) => ({
  kind: 'status' as const,
  id,
  functionName,
  window: '1h',
  alias: 'live',
  responseUrl: slack.responseUrl(id),
  channel: 'C0ONCALL',
  user: 'U0MARIA',
  ...extra,
});

type Blocks = {
  type: string;
  text?: { text: string };
  elements?: { action_id?: string; value?: string; text?: string }[];
}[];

describe('the worker across accounts and regions', () => {
  it('diagnoses a function in the account and region its name gives, and its buttons act there', async () => {
    // Prepare
    const { worker, ports, store } = setup();

    // Act: the report, then a click on its concurrency button.
    await worker.runJob(statusJob('t-1', 'prod/eu-west-1/orders-api'));
    const post = slack.callsOf('chat.postMessage')[0]!;
    const blocks = post.args.blocks as Blocks;
    const button = blocks
      .find((b) => b.type === 'actions')!
      .elements!.find((e) => e.action_id?.includes('concurrency'))!;
    const checked = verifyActionToken(SIGNING_SECRET, button.value!, {
      channel: 'C0ONCALL',
      nowSeconds: Date.now() / 1000,
    });
    await worker.runJob({ kind: 'action', id: 'V-1', token: button.value!, channel: 'C0ONCALL', user: 'U0MARIA' });

    // Assess: where it was read, what the button carries, where it acted, what the audit says.
    expect(JSON.stringify(blocks)).toContain('prod/eu-west-1');
    expect('claim' in checked && checked.claim.fn).toBe('prod/eu-west-1/orders-api');
    expect(ports.get('prod/eu-west-1')!.charts).toEqual(['prod/eu-west-1']);
    expect(ports.get('prod/eu-west-1')!.control.concurrency.get('orders-api')).toBeGreaterThan(100);
    expect(ports.get('prod/us-east-1')!.control.concurrency.get('orders-api')).toBe(100);
    const [record] = await listAudit(store, 'orders-api');
    expect(record).toMatchObject({
      status: 'succeeded',
      functionName: 'orders-api',
      account: 'prod',
      accountId: prod,
      region: 'eu-west-1',
    });
  });

  it('asks which one when a bare name is in several places', async () => {
    // Prepare
    const { worker } = setup();

    // Act
    await worker.runJob(statusJob('t-2', 'orders-api'));

    // Assess
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
    expect(slack.responses[0]!.body).toMatchObject({
      text:
        'gofn: orders-api is in 2 places: prod/us-east-1/orders-api, prod/eu-west-1/orders-api. ' +
        'Name one, like prod/us-east-1/orders-api.',
    });
  });

  it('lists the fleet of every account and region; the one it could not list says why', async () => {
    // Prepare
    const { worker } = setup();

    // Act
    await worker.runJob(statusJob('t-3', undefined));

    // Assess
    const text = (slack.callsOf('chat.postMessage')[0]!.args.blocks as Blocks)
      .map((b) => b.text?.text ?? '')
      .join('\n');
    expect(text).toContain('*orders-api* prod/us-east-1');
    expect(text).toContain('*orders-api* prod/eu-west-1');
    expect(text).toContain(`*staging/us-east-1*  its functions are unknown: gofn could not assume`);
  });

  it('shows one service as a row per account and region', async () => {
    // Prepare
    const { worker } = setup();

    // Act
    await worker.runJob(statusJob('t-4', undefined, { service: 'orders' }));

    // Assess
    const post = slack.callsOf('chat.postMessage')[0]!;
    expect(post.args.text).toBe('Service orders: 3 accounts and regions, 0 degraded');
    const lines = (post.args.blocks as Blocks)
      .filter((b) => b.type === 'section')
      .flatMap((b) => b.text!.text.split('\n'));
    expect(lines.map((l) => /\*([^*]+)\*/.exec(l)?.[1])).toEqual([
      'prod/us-east-1',
      'prod/eu-west-1',
      'staging/us-east-1',
    ]);
    expect(lines[2]).toContain('unknown: gofn could not assume');
  });

  it("diagnoses an alarm's function in the alarm's own account and region", async () => {
    // Prepare
    const { worker, ports } = setup();
    const message = JSON.stringify({
      AlarmName: 'orders-api-throttles',
      AWSAccountId: prod,
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      NewStateReason: 'Threshold Crossed: 1 datapoint was greater than the threshold (0.0).',
      StateChangeTime: '2026-11-26T14:22:05.123+0000',
      Region: 'EU (Ireland)',
      AlarmArn: `arn:aws:cloudwatch:eu-west-1:${prod}:alarm:orders-api-throttles`,
      Trigger: {
        MetricName: 'Throttles',
        Namespace: 'AWS/Lambda',
        Statistic: 'SUM',
        Dimensions: [{ name: 'FunctionName', value: 'orders-api' }],
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      },
    });

    // Act
    await worker.handleAlarm({ messageId: 'm-eu', message });

    // Assess
    const reply = slack.callsOf('chat.postMessage')[1]!;
    expect(JSON.stringify(reply.args.blocks)).toContain('prod/eu-west-1');
    expect(ports.get('prod/eu-west-1')!.charts).toEqual(['prod/eu-west-1']);
  });
});
