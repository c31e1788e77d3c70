import { createAwsClients, type AwsClients } from '../../src/aws/index';
import { createGofnTable, createLambdaRole, createTestFunction } from '../aws/emulator-fixtures';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { startEmulator, type Emulator } from '../support/moto';
import { BOT_TOKEN, SIGNING_SECRET } from '../support/slack-requests';

/**
 * The alarm flow as deployed: SNS events, with their Records, into the worker Lambda handler,
 * which reads the function from the emulator's Lambda, keeps the thread in the emulator's
 * DynamoDB and writes to the fake Slack. Messages it cannot use are dropped without failing the
 * invocation, so SNS does not redeliver the good ones with them.
 */
let emulator: Emulator;
let clients: AwsClients;
let slack: FakeSlack;
let handler: (event: unknown, context?: unknown) => Promise<void>;
const saved = { ...process.env };

beforeAll(async () => {
  [emulator, slack] = await Promise.all([startEmulator(), startFakeSlack()]);
  clients = createAwsClients({ maxAttempts: 2 });
  await createLambdaRole(emulator.endpoint);
  await createTestFunction(clients, 'orders-api', { tags: { 'gofn:managed': 'true' }, versions: 2, alias: 'live' });
  await createTestFunction(clients, 'legacy-api', { versions: 1, alias: 'live' });
  await createGofnTable(clients, 'gofn-handler');
  Object.assign(process.env, {
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    TABLE_NAME: 'gofn-handler',
    ALARM_CHANNEL: 'C0ALARMS',
    GOFN_DEADLINE_MS: '5000',
    LOG_LEVEL: 'SILENT',
  });
  // The handler reads its configuration when it loads: a fresh copy with this environment.
  jest.isolateModules(() => {
    ({ handler } = jest.requireActual<{ handler: typeof handler }>('../../src/handlers/worker'));
  });
}, 60_000);

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  clients?.destroy();
  await Promise.all([emulator?.stop(), slack?.close()]);
});

function alarm(
  state: 'ALARM' | 'OK',
  at: string,
  overrides: { functionName?: string; metric?: string; namespace?: string } = {},
) {
  return JSON.stringify({
    AlarmName: `${overrides.functionName ?? 'orders-api'}-${(overrides.metric ?? 'Errors').toLowerCase()}`,
    NewStateValue: state,
    NewStateReason: 'Threshold Crossed: 1 datapoint was greater than the threshold (5.0).',
    StateChangeTime: at,
    Trigger: {
      MetricName: overrides.metric ?? 'Errors',
      Namespace: overrides.namespace ?? 'AWS/Lambda',
      Dimensions: [{ name: 'FunctionName', value: overrides.functionName ?? 'orders-api' }],
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5,
    },
  });
}

/** An SNS event as Lambda delivers it to a subscribed function. */
function snsEvent(...messages: [id: string, message: string][]) {
  return {
    Records: messages.map(([id, message]) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:gofn-alarms:sub',
      Sns: {
        Type: 'Notification',
        MessageId: id,
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:gofn-alarms',
        Subject: 'ALARM',
        Message: message,
        Timestamp: '2026-11-26T14:00:00.000Z',
      },
    })),
  };
}

const context = { getRemainingTimeInMillis: () => 60_000 };

describe('the worker handler on SNS alarm notifications', () => {
  it('opens one thread, replies to a repeat, resolves it on OK, drops what it cannot use, and says so of an alarm it cannot map', async () => {
    // Act: an ALARM alongside four messages it must drop, a repeat, a redelivery, then OK
    await handler(
      snsEvent(
        ['n-1', alarm('ALARM', '2026-11-26T14:00:00.000+0000')],
        ['n-2', '{"AlarmName": "half a message'],
        ['n-3', 'not JSON at all'],
        // A metric of another service: gofn cannot tell the function, and the thread says so
        [
          'n-4',
          alarm('ALARM', '2026-11-26T14:00:00.000+0000', {
            metric: 'ConsumedReadCapacityUnits',
            namespace: 'AWS/DynamoDB',
          }),
        ],
        // A function without gofn:managed=true
        ['n-5', alarm('ALARM', '2026-11-26T14:00:00.000+0000', { functionName: 'legacy-api' })],
      ),
      context,
    );
    await handler(snsEvent(['n-6', alarm('ALARM', '2026-11-26T14:05:00.000+0000')]), context);
    await handler(snsEvent(['n-6', alarm('ALARM', '2026-11-26T14:05:00.000+0000')]), context);
    await handler(snsEvent(['n-7', alarm('OK', '2026-11-26T14:30:00.000+0000')]), context);

    // Assess
    const posts = slack.callsOf('chat.postMessage');
    const roots = posts.filter((p) => p.args.thread_ts === undefined);
    expect(roots.map((r) => [r.args.channel, String(r.args.text).split(' · ')[0]])).toEqual([
      ['C0ALARMS', '🔴 ALARM orders-api-errors'],
      ['C0ALARMS', '🔴 ALARM orders-api-consumedreadcapacityunits'],
    ]);
    expect(JSON.stringify(roots[1]!.args.blocks)).toContain(
      "gofn can't tell which function it is about: it watches AWS/DynamoDB ConsumedReadCapacityUnits (FunctionName=orders-api), not a Lambda function's metric",
    );
    const rootTs = String(roots[0]!.response.ts);
    const replies = posts.filter((p) => p.args.thread_ts !== undefined);
    expect(replies.every((r) => r.args.thread_ts === rootTs)).toBe(true);
    expect(replies.map((r) => String(r.args.text))).toEqual([
      expect.stringContaining('orders-api'),
      // The emulator cannot draw graphs: the thread says so rather than staying silent.
      expect.stringMatching(/^The graph could not be drawn: CloudWatch said/),
      expect.stringMatching(/^Still in ALARM/),
      expect.stringMatching(/^Resolved: /),
    ]);
    expect(slack.callsOf('chat.update').map((u) => [u.args.ts, u.args.text])).toEqual([
      [rootTs, '✅ RESOLVED orders-api-errors · lasted 30 min'],
    ]);
  });
});
