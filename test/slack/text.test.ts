import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KnownBlock } from '@slack/types';
import { createLambdaLog } from '../../src/handlers/log';
import { diagnose } from '../../src/runbook/engine';
import { loadRunbook } from '../../src/runbook/loader';
import type { Report, StepReport } from '../../src/runbook/report';
import { understandAlarm } from '../../src/slack/alarm-message';
import { boltLogger } from '../../src/slack/app';
import { alarmRootMessage, plainMessage } from '../../src/slack/render/alarm';
import { reportMessage, type SlackMessage } from '../../src/slack/render/report';
import { keptLog } from '../reliability/support';
import { fakeControl } from '../support/fake-control';
import { fakeSources, NOW } from '../support/fake-sources';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { testWorker } from '../support/test-worker';
import { singleMetric } from './fixtures/alarm-notifications';

/** Text users see: escaped where it comes from outside, mentions that render, times with a zone. */
const run = promisify(execFile);
const python = path.resolve(__dirname, '..', '..', '.venv', 'bin', 'python');
const HOSTILE = '<!channel> & <@U0VICTIM> <https://evil.example|click me> <#C0SECRET> *bold*';

/** Slack's control sequences a text holds: `<!…>`, `<@…>`, `<#…>`, `<http…>`. */
function controlSequences(text: string): string[] {
  return text.match(/<[!@#h][^>]*>/g) ?? [];
}

function allTexts(message: SlackMessage): string[] {
  const out = [message.text];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'text' && typeof v === 'string') out.push(v);
        else if (k !== 'url') visit(v);
      }
    }
  };
  visit(message.blocks);
  return out;
}

async function slackSdkProblems(blocks: KnownBlock[]): Promise<string> {
  const child = run(python, [
    '-c',
    'import json,sys\nfrom slack_sdk.models.blocks import Block\nfor b in Block.parse_all(json.load(sys.stdin)):\n    b.to_dict()\nprint("ok")',
  ]);
  child.child.stdin?.end(JSON.stringify(blocks));
  return (await child).stdout.trim();
}

async function hostileReport(): Promise<Report> {
  return diagnose({
    sources: fakeSources({
      current: { invocations: 10_000, errors: 900, throttles: 0 },
      errorTraces: { tracesWithFault: 40, topMessages: [{ message: HOSTILE, count: 37 }], samples: [] },
    }),
    runbook: await loadRunbook(),
    functionName: 'orders-api',
    alias: 'live',
    windowMs: 3_600_000,
    now: NOW,
    deadlineMs: 5000,
  });
}

describe('text from outside', () => {
  it('an error message with <!channel>, mentions and links reaches Slack escaped, in blocks and in the notification text', async () => {
    // Prepare
    const report = await hostileReport();

    // Act
    const message = reportMessage(report, { actionValue: () => 'v', requestedBy: { user: 'U0MARIA' } });

    // Assess: the only control sequences are gofn's own (the mention of who asked, console links)
    const texts = allTexts(message);
    expect(texts.join('\n')).toContain('&lt;!channel&gt; &amp; &lt;@U0VICTIM&gt;');
    const sequences = texts.flatMap(controlSequences);
    expect(sequences.filter((s) => !s.startsWith('<https://us-east-1.console.aws.amazon.com/'))).toEqual([
      '<@U0MARIA>',
    ]);
    expect(controlSequences(message.text)).toEqual([]);
    expect(await slackSdkProblems(message.blocks)).toBe('ok');
  });

  it('an alarm whose name, reason and description are hostile: nothing in the thread pings or links', async () => {
    // Prepare
    const parsed = understandAlarm(
      singleMetric({
        AlarmName: `orders-api ${HOSTILE}`.slice(0, 255),
        NewStateReason: HOSTILE,
        AlarmDescription: HOSTILE,
      }),
    );
    if (!('alarm' in parsed)) throw new Error(parsed.problem);

    // Act
    const root = alarmRootMessage(parsed.alarm);

    // Assess
    expect(allTexts(root).flatMap(controlSequences)).toEqual([]);
    expect(await slackSdkProblems(root.blocks)).toBe('ok');
  });

  it('mentions gofn writes render as mentions; the same text from outside does not', () => {
    // Act
    const line = plainMessage([{ user: 'U0MARIA' }, ' rolled orders-api back: live v42 → v41 <@U0EVIL>']);

    // Assess
    expect(line.text).toBe('<@U0MARIA> rolled orders-api back: live v42 → v41 &lt;@U0EVIL&gt;');
    expect((line.blocks[0] as { text: { text: string } }).text.text).toBe(line.text);
  });
});

describe('what a report says', () => {
  it('says who asked and the window with its time zone', async () => {
    // Act
    const message = reportMessage(await hostileReport(), { actionValue: () => 'v', requestedBy: { user: 'U0MARIA' } });

    // Assess
    const context = JSON.stringify(message.blocks[1]);
    expect(context).toMatch(/last 1h \(14:05–15:05 UTC\)/);
    expect(context).toContain('asked by <@U0MARIA>');
  });

  it('leads with the fix for the likely cause: not "raise concurrency" when the cause is downstream latency', () => {
    // Prepare: throttles offer more concurrency, but the primary cause is a slow downstream
    const step = (id: string, status: StepReport['status'], actions: StepReport['actions']): StepReport => ({
      id,
      title: id,
      status,
      summary: id,
      evidence: {},
      recommendation: null,
      actions,
      links: [],
      reason: null,
      informational: false,
      headline: null,
    });
    const report: Report = {
      function: 'orders-api',
      region: 'us-east-1',
      alias: 'live',
      version: '42',
      routing: {},
      accountId: null,
      window: { start: '2026-11-26T14:05:00Z', end: '2026-11-26T15:05:00Z' },
      status: 'critical',
      traffic: { invocations: 18_240, throttles: 0 },
      primaryCause: 'downstream-latency',
      verdict: 'DynamoDB got slow.',
      steps: [
        step('throttles', 'warn', [
          {
            kind: 'raise-concurrency',
            label: 'Raise concurrency 100 → 200',
            command: '',
            stepId: 'throttles',
            params: { function: 'orders-api', from: 100, to: 200 },
          },
        ]),
        step('downstream-latency', 'critical', []),
        step('recent-deploy', 'warn', [
          {
            kind: 'rollback',
            label: 'Roll back v42 → v41',
            command: '',
            stepId: 'recent-deploy',
            params: { function: 'orders-api', fromVersion: '42', toVersion: '41' },
          },
        ]),
      ],
      links: [],
      awsCalls: {},
      durationMs: 1000,
      runbook: 'degraded-function',
      source: 'aws',
      incomplete: null,
      owners: [],
      notes: [],
      alarm: null,
    };

    // Act
    const message = reportMessage(report, { actionValue: () => 'v' });

    // Assess: the cause offers no fix, so no button is styled as the one to press
    const actions = message.blocks.find((b) => b.type === 'actions') as {
      elements: { style?: string; action_id: string }[];
    };
    expect(actions.elements.map((e) => e.style)).toEqual([undefined, undefined]);

    // Act: the deploy is the cause
    const deploy = reportMessage({ ...report, primaryCause: 'recent-deploy' }, { actionValue: () => 'v' });

    // Assess: its rollback comes first and is the styled one
    const deployActions = deploy.blocks.find((b) => b.type === 'actions') as {
      elements: { style?: string; action_id: string }[];
    };
    expect(deployActions.elements.map((e) => [e.action_id, e.style])).toEqual([
      ['gofn-action:rollback:0', 'primary'],
      ['gofn-action:raise-concurrency:1', undefined],
    ]);
  });
});

describe('a second action on the same report', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(() => slack.close());

  it("keeps the first one's line, adds its own, and leaves only buttons that still apply", async () => {
    // Prepare: a report offering a rollback and more concurrency
    const control = fakeControl();
    control.aliases.set('orders-api:live', {
      functionName: 'orders-api',
      alias: 'live',
      version: '42',
      routing: {},
      revisionId: 'rev-1',
    });
    control.concurrency.set('orders-api', 100);
    const worker = testWorker(slack.apiUrl, {
      sources: fakeSources({
        current: { invocations: 18_240, throttles: 412, peakConcurrency: 100 },
        fn: { versionModifiedAt: new Date(Date.now() - 38 * 60_000) },
      }),
      control,
      runbook: await loadRunbook(),
      settings: { admins: ['U0MARIA'] },
    });
    await worker.runJob({
      kind: 'status',
      id: 't-two',
      functionName: 'orders-api',
      window: '1h',
      alias: 'live',
      responseUrl: slack.responseUrl('r'),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
    });
    const report = slack.callsOf('chat.postMessage')[0]!;
    const messageTs = String(report.response.ts);
    const buttons = (report.args.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[]).find(
      (b) => b.type === 'actions',
    )!.elements!;
    const value = (kind: string) => buttons.find((b) => b.action_id.includes(kind))!.value!;

    // Act
    await worker.runJob({
      kind: 'action',
      id: 'V-1',
      token: value('rollback'),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
      messageTs,
    });
    await worker.runJob({
      kind: 'action',
      id: 'V-2',
      token: value('raise-concurrency'),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
      messageTs,
    });

    // Assess
    const last = slack.callsOf('chat.update').at(-1)!;
    const blocks = JSON.stringify(last.args.blocks);
    expect(blocks).toMatch(/✅ <@U0MARIA> rolled orders-api back.*✅ <@U0MARIA>.*concurrency/);
    expect(blocks).not.toContain('gofn-action:');
    expect(blocks).toContain('gofn-link:metrics');
  });
});

describe('logs', () => {
  it("the receiver's logger drops debug dumps and redacts trigger_id and response_url like gofn's own", () => {
    // Prepare
    const log = keptLog();
    const logger = boltLogger(log);
    const payload = JSON.stringify({
      trigger_id: '398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
      response_url: 'https://hooks.slack.com/actions/T1/1/abc',
    });

    // Act
    logger.debug(`AWS event: ${payload}`);
    logger.error(`An unhandled error occurred: ${payload}`);

    // Assess
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]!.message).not.toMatch(/398738663015|hooks\.slack\.com/);
  });

  it("gofn's Lambda logger redacts them wherever they appear", () => {
    // Prepare
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    const log = createLambdaLog('test');

    // Act
    log.warn('a job failed', {
      url: 'https://hooks.slack.com/commands/T1/2/xyz',
      trigger: '398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    });
    spy.mockRestore();

    // Assess
    expect(lines.join('')).not.toMatch(/hooks\.slack\.com|398738663015/);
  });
});
