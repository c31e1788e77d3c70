import { createLambdaLog } from '../../src/handlers/log';
import { loadRunbook } from '../../src/runbook/loader';
import { signActionToken } from '../../src/slack/action-token';
import { createIngress } from '../../src/slack/ingress';
import type { Job } from '../../src/slack/jobs';
import { signSlackRequest } from '../../src/slack/verify';
import { fakeControl } from '../support/fake-control';
import { fakeSources } from '../support/fake-sources';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { buttonClick, interactionBody, signedEvent, slashCommandBody, viewSubmission } from '../support/slack-requests';
import { testWorker } from '../support/test-worker';
import { recordResult, repoPath } from './support';

/**
 * A log line outlives the request: it is shipped, indexed and read by more people than the
 * secret store. With distinctive secrets and payload markers, every flow runs (commands, buttons,
 * modals, mentions, refusals at the edge, the worker's reports, actions and alarm threads, Slack
 * and AWS failures, an error that carries the token in its message) with the production logger
 * at DEBUG, and everything written to stdout, stderr and the console is searched.
 */
const SIGNING_SECRET = 'sigsecret-RELIABILITY-5c1e9a7b3d2f4e6a8b0c';
const BOT_TOKEN = 'xoxb-4711-RELIABILITY-bot-token-d9e8f7a6';
const OTHER_TOKEN = 'xoxb-9999-not-registered-but-token-shaped';
const MARK = {
  user: 'payload-marker-user-k4q2',
  text: 'payload-marker-cmdtext-z8',
  mention: 'payload-marker-mention-w3',
  sns: 'payload-marker-sns-reason-h6',
  response: 'payload-marker-response-url-p1',
};

let slack: FakeSlack;
const fileStarted = Date.now();

beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});

/** Everything this process writes while `work` runs. */
async function capture(work: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const keep = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = keep as typeof process.stdout.write;
  process.stderr.write = keep as typeof process.stderr.write;
  const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((level) =>
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void keep(`${args.map(String).join(' ')}\n`)),
  );
  const level = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'DEBUG';
  try {
    await work();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    spies.forEach((spy) => spy.mockRestore());
    if (level === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = level;
  }
  return chunks.join('');
}

describe('secrets and payloads never reach the logs', () => {
  it('runs every flow with distinctive secrets and finds none of them, nor any body or payload, in the output', async () => {
    // Prepare
    const runbook = await loadRunbook();
    const forbidden: string[] = [SIGNING_SECRET, BOT_TOKEN, OTHER_TOKEN, ...Object.values(MARK)];
    let requests = 0;
    let flows = 0;

    const output = await capture(async () => {
      const log = createLambdaLog('gofn-reliability', () => [SIGNING_SECRET, BOT_TOKEN]);
      const queued: Job[] = [];
      let failEnqueue = false;
      const clientOptions = { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } };
      const ingress = createIngress({
        secrets: async () => ({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }),
        jobs: {
          enqueue: async (job) => {
            // An SDK-like failure; the token in its message stands for any secret a dependency might echo.
            if (failEnqueue) throw new Error(`Lambda Invoke for function gofn-worker failed (auth ${BOT_TOKEN})`);
            queued.push(job as Job);
          },
        },
        clientOptions,
        log,
      });
      const control = fakeControl();
      control.aliases.set('orders-api:live', {
        functionName: 'orders-api',
        alias: 'live',
        version: '42',
        routing: {},
        revisionId: 'rev-1',
      });
      const worker = testWorker(slack.apiUrl, {
        sources: fakeSources({ current: { invocations: 18_240, throttles: 412, peakConcurrency: 100 } }),
        control,
        chart: {
          // A failure whose message carries a token: the logger must redact what the caller did not.
          metricWidgetImage: async () => {
            throw new Error(`GetMetricWidgetImage refused token ${BOT_TOKEN} and ${OTHER_TOKEN}`);
          },
        },
        runbook,
        settings: { deadlineMs: 2000, admins: ['U0MARIA'] },
        log,
      });
      const send = async (body: string, options: Parameters<typeof signedEvent>[1] = {}) => {
        forbidden.push(body, signSlackRequest(options.secret ?? SIGNING_SECRET, Math.floor(Date.now() / 1000), body));
        requests += 1;
        return ingress(signedEvent(body, { secret: SIGNING_SECRET, ...options }));
      };
      const responseUrl = `${slack.responseUrl(MARK.response)}`;
      const command = (text: string, trigger: string) =>
        slashCommandBody(text, { user_name: MARK.user, trigger_id: trigger, response_url: responseUrl });

      // Act: the ingress flows
      await send(command(`status orders-api`, 'trigger-s-1'));
      await send(command(`status ${MARK.text}`, 'trigger-s-2'));
      await send(command(`status`, 'trigger-s-3'));
      await send(command(`help ${MARK.text}`, 'trigger-s-4'));
      await send(command(`status orders-api`, 'trigger-s-1'), {
        headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      });
      await send(command(`status orders-api`, 'trigger-s-5'), { secret: 'a-wrong-secret-000' });
      await send(command(`status orders-api`, 'trigger-s-6'), { timestamp: Math.floor(Date.now() / 1000) - 900 });
      await send(command(`status orders-api`, 'trigger-s-7'), { contentType: 'text/plain' });
      await send(`${command('status orders-api', 'trigger-s-8')}&pad=${'x'.repeat(140_000)}`);
      failEnqueue = true;
      await send(command(`status orders-api`, 'trigger-s-9'));
      failEnqueue = false;
      const token = signActionToken(SIGNING_SECRET, {
        v: 1,
        id: '7b7c0d1e-2f3a-4b5c-8d6e-7f8091a2b3c4',
        kind: 'rollback',
        fn: 'orders-api',
        alias: 'live',
        params: { fromVersion: '42', toVersion: '41' },
        channel: 'C0ONCALL',
        exp: Math.floor(Date.now() / 1000) + 600,
      });
      const expired = signActionToken(SIGNING_SECRET, {
        v: 1,
        id: '7b7c0d1e-2f3a-4b5c-8d6e-7f8091a2b3c5',
        kind: 'rollback',
        fn: 'orders-api',
        alias: 'live',
        params: { fromVersion: '42', toVersion: '41' },
        channel: 'C0ONCALL',
        exp: 1,
      });
      forbidden.push(token, expired);
      await send(interactionBody(buttonClick({ value: token })));
      await send(interactionBody(buttonClick({ value: expired })));
      await send(interactionBody(buttonClick({ value: `${token}x` })));
      const metadata = { token, channel: 'C0ONCALL', messageTs: '1700000000.000100' };
      await send(interactionBody(viewSubmission({ metadata, viewId: 'V-secret-1' })));
      await send(interactionBody(viewSubmission({ metadata, viewId: 'V-secret-2', user: 'U0MALLORY' })));
      await send(
        JSON.stringify({
          type: 'event_callback',
          event_id: 'Ev-secret-1',
          event: { type: 'app_mention', user: 'U0MARIA', channel: 'C0ONCALL', text: MARK.mention, ts: '1.2' },
        }),
        { contentType: 'application/json' },
      );
      await send(JSON.stringify({ type: 'url_verification', challenge: MARK.mention }), {
        contentType: 'application/json',
      });
      flows += 16;

      // Act: the worker runs what the ingress handed over, then an alarm thread and its failures
      for (const job of queued.splice(0)) await worker.runJob(job).catch(() => undefined);
      const alarm = (state: string, at: string) =>
        JSON.stringify({
          AlarmName: 'orders-api-errors',
          AlarmDescription: MARK.sns,
          NewStateValue: state,
          NewStateReason: MARK.sns,
          StateChangeTime: at,
          Trigger: {
            MetricName: 'Errors',
            Namespace: 'AWS/Lambda',
            Dimensions: [{ name: 'FunctionName', value: 'orders-api' }],
          },
        });
      await worker.handleAlarm({ messageId: 'sns-s-1', message: alarm('ALARM', '2026-11-26T14:22:05.000+0000') });
      await worker.handleAlarm({ messageId: 'sns-s-2', message: alarm('ALARM', '2026-11-26T14:23:05.000+0000') });
      await worker.handleAlarm({ messageId: 'sns-s-3', message: alarm('OK', '2026-11-26T14:53:05.000+0000') });
      await worker.handleAlarm({ messageId: 'sns-s-4', message: `{"broken": "${MARK.sns}"` });
      await worker.handleAlarm({ messageId: 'sns-s-5', message: JSON.stringify({ Message: MARK.sns }) });
      slack.injectFaults('chat.postMessage', [{ status: 500 }]);
      await worker
        .runJob({
          kind: 'status',
          id: 'secret-failing-post',
          functionName: 'orders-api',
          window: '1h',
          alias: 'live',
          responseUrl,
          channel: 'C0ONCALL',
          user: 'U0MARIA',
        })
        .catch(() => undefined);
      flows += 6;
    });

    // Assess
    const found = forbidden.filter((secret) => output.includes(secret));
    const bodyFragments = forbidden.filter((s) => s.length > 40).flatMap((s) => [s.slice(0, 40), s.slice(-40)]);
    const fragmentsFound = bodyFragments.filter((f) => output.includes(f) && !/^x+$/.test(f));
    const lines = output.split('\n').filter((l) => l.trim()).length;
    recordResult('secrets', {
      test: 'No secret, body or payload in the logs',
      file: repoPath(__filename),
      group: 'secrets',
      tried: `${flows} flows (${requests} signed and refused requests: commands, a retry, buttons, modal submissions, a mention, url_verification, a bad signature, a stale timestamp, a wrong content type, an oversized body, a failed hand-off; status, action and mention jobs, an alarm thread, malformed SNS messages, a Slack 5xx, an error that carries the bot token) with the production logger at DEBUG; ${lines} lines of stdout, stderr and console output searched for ${forbidden.length} forbidden strings (the signing secret, the bot token, a token-shaped string, every request body and its signature, the action tokens, payload markers in user names, command text, mentions, SNS messages and response_url)`,
      inputs: flows,
      lost: 0,
      duplicated: 0,
      details: {
        'output lines searched': lines,
        'forbidden strings': forbidden.length,
        'forbidden strings found': found.length,
        '40-character body fragments found': fragmentsFound.length,
      },
      note: 'Leaks found would be counted as lost; there are none.',
      durationMs: Date.now() - fileStarted,
    });
    expect(lines).toBeGreaterThan(10);
    expect(output).toContain('refused a request at the edge');
    expect(output).toContain('[redacted]');
    expect(found).toEqual([]);
    expect(fragmentsFound).toEqual([]);
    expect(slack.callsOf('chat.postMessage').length).toBeGreaterThan(3);
  });
});
