import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KnownBlock } from '@slack/types';
import { costReport } from '../../src/cost/collect';
import { ErrorCode, GofnError } from '../../src/errors';
import { silentLog } from '../../src/log';
import type { Sources, TargetPorts } from '../../src/ports';
import { loadRunbook } from '../../src/runbook/loader';
import { createSimulatedSources } from '../../src/sim/backend';
import { listScenarioFiles, loadScenarioFiles } from '../../src/sim/loader';
import { parseCommandText } from '../../src/slack/command';
import { createIngress } from '../../src/slack/ingress';
import type { Job } from '../../src/slack/jobs';
import { costMessage } from '../../src/slack/render/cost';
import { LIMITS } from '../../src/slack/render/mrkdwn';
import { targetLabel, type TargetRef } from '../../src/targets';
import { functionText, loadTexts, NOW, scenarioText } from '../sim/helpers';
import { fakeControl } from '../support/fake-control';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { BOT_TOKEN, SIGNING_SECRET, signedEvent, slashCommandBody } from '../support/slack-requests';
import { testWorker } from '../support/test-worker';

const SCENARIOS = path.resolve(__dirname, '..', '..', 'runbooks', 'scenarios');
const python = path.resolve(__dirname, '..', '..', '.venv', 'bin', 'python');
const run = promisify(execFile);

async function shippedFleet(): Promise<Sources> {
  return createSimulatedSources(await loadScenarioFiles(await listScenarioFiles(SCENARIOS), { now: NOW }));
}

/** Problems Slack's Python SDK (slack_sdk) finds serialising each block; empty when none. */
async function slackSdkProblems(blocks: unknown[]): Promise<string> {
  if (!existsSync(python)) throw new Error('the Python tools are not installed; run `sh scripts/setup.sh all`');
  const script = [
    'import json, sys',
    'from slack_sdk.models.blocks import Block',
    'problems = []',
    'for b in Block.parse_all(json.load(sys.stdin)):',
    '    try:',
    '        b.to_dict()',
    '    except Exception as e:',
    '        problems.append(f"{type(b).__name__}: {e}")',
    'print("\\n".join(problems))',
  ].join('\n');
  const child = run(python, ['-c', script]);
  child.child.stdin?.end(JSON.stringify(blocks));
  return (await child).stdout.trim();
}

function texts(blocks: KnownBlock[]): string[] {
  return blocks.flatMap((b) =>
    b.type === 'section' && b.text
      ? [b.text.text]
      : b.type === 'context'
        ? b.elements.map((e) => ('text' in e ? e.text : ''))
        : [],
  );
}

describe('/gofn cost text', () => {
  it.each([
    ['cost', { kind: 'cost', target: undefined }],
    ['cost orders-api', { kind: 'cost', target: 'orders-api' }],
    ['cost service=orders', { kind: 'cost', target: 'service=orders' }],
  ])('reads %j', (text, expected) => {
    expect(parseCommandText(text, '1h')).toEqual(expected);
  });

  it.each([
    ['cost orders-api extra', 'I did not understand "extra".'],
    ['cost orders.api', expect.stringContaining('"orders.api" is not a Lambda function name') as unknown as string],
    ['cost service=<!channel>', expect.stringContaining('does not name a service') as unknown as string],
  ])('answers %j with help and the problem', (text, problem) => {
    expect(parseCommandText(text, '1h')).toEqual({ kind: 'help', problem });
  });
});

describe('ingress: /gofn cost', () => {
  it('acks with an ephemeral "pricing…" and enqueues one cost job, calling no Slack API', async () => {
    // Prepare
    const slack = await startFakeSlack();
    const jobs: Job[] = [];
    const ingress = createIngress({
      secrets: async () => ({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }),
      jobs: { enqueue: async (job) => void jobs.push(job as Job) },
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
      log: silentLog,
    });

    // Act
    const response = await ingress(signedEvent(slashCommandBody('cost service=orders')));
    await slack.close();

    // Assess
    expect(JSON.parse(response.body)).toEqual({
      response_type: 'ephemeral',
      text: 'pricing service=orders (last 30 days)…',
    });
    expect(jobs).toEqual([
      expect.objectContaining({ kind: 'cost', target: 'service=orders', channel: 'C0ONCALL', user: 'U0MARIA' }),
    ]);
    expect(slack.calls).toEqual([]);
  });
});

describe('the cost message', () => {
  it('shows the top spenders and the total, what bites and the sizes, within what Slack accepts', async () => {
    // Prepare
    const report = await costReport({
      sources: await shippedFleet(),
      selection: { kind: 'all' },
      now: NOW,
      deadlineMs: 20_000,
    });

    // Act
    const message = costMessage(report);

    // Assess
    expect(message.text).toMatch(/^Cost: \$\d+\.\d\d a month for 23 functions$/);
    const [header, , table, bites, memory, billed] = message.blocks;
    expect(header).toMatchObject({ type: 'header' });
    const tableText = texts([table!])[0]!;
    expect(tableText.split('\n')[1]).toMatch(/^orders-api +\$\d+\.\d\d +\$\d+\.\d\d +1,024 MB$/);
    expect(tableText).toMatch(/\ntotal +\$[\d,.]+ +\$[\d,.]+```$/);
    expect(texts([bites!])[0]).toContain('*catalog-api* provisioned concurrency 25 on live is busy');
    expect(texts([memory!])[0]).toMatch(
      /\*orders-api\* max used 212 MB → 320 MB saves up to \$\d+\.\d\d\/mo \(risk medium\) · Compute Optimizer: 768 MB/,
    );
    expect(texts([billed!])[0]).toMatch(/^\*Billed\* \(Cost Explorer, tag service, billed vs estimated\): orders \$/);
    expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
    expect(await slackSdkProblems(message.blocks)).toBe('');
  });

  it('keeps a fleet of 150 long names to 10 rows and every section under 3,000 characters', async () => {
    // Prepare
    const functions = Array.from({ length: 150 }, (_, i) =>
      functionText({
        name: `${'f'.repeat(60)}${String(i).padStart(4, '0')}`,
        extra: '    cost: { logBytesPerInvocation: 900000 }',
      }),
    ).join('\n');
    const sources = createSimulatedSources(await loadTexts([scenarioText({ functions })]));
    const report = await costReport({ sources, selection: { kind: 'all' }, now: NOW, deadlineMs: 20_000 });

    // Act
    const message = costMessage(report);

    // Assess
    const all = texts(message.blocks);
    expect(all.every((t) => t.length <= LIMITS.sectionText)).toBe(true);
    expect(all[1]!.split('\n')).toHaveLength(12);
    expect(all.join('\n')).toContain('…and 140 more in the total.');
    expect(all.join('\n')).toMatch(/\n…and \d+ more$/m);
    expect(await slackSdkProblems(message.blocks)).toBe('');
  });
});

describe('the worker running /gofn cost', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => slack.close());
  beforeEach(() => slack.reset());

  async function worker() {
    return testWorker(slack.apiUrl, {
      sources: await shippedFleet(),
      runbook: await loadRunbook(),
      settings: { alarmChannel: undefined, deadlineMs: 20_000 },
      now: () => NOW,
    });
  }

  it('posts the cost table of a service in the channel', async () => {
    // Act
    await (
      await worker()
    ).runJob({
      kind: 'cost',
      id: 't-cost',
      target: 'service=orders',
      responseUrl: slack.responseUrl('r-cost'),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
    });

    // Assess
    const posts = slack.callsOf('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args).toMatchObject({ channel: 'C0ONCALL' });
    expect(String(posts[0]!.args.text)).toMatch(/^Cost: \$\d+\.\d\d a month for 2 functions$/);
  });

  it('posts a table per account and region, and says which one could not be read', async () => {
    // Arrange: prod in us-east-1 and eu-west-1, and staging whose role cannot be assumed.
    const fleet = await loadScenarioFiles(await listScenarioFiles(SCENARIOS), { now: NOW });
    const targets: TargetRef[] = [
      { account: 'prod', accountId: '111122223333', region: 'us-east-1' },
      { account: 'prod', accountId: '111122223333', region: 'eu-west-1' },
      { account: 'staging', accountId: '444455556666', region: 'us-east-1' },
    ];
    const opened = new Map<string, TargetPorts>();
    for (const target of targets) {
      const sources = createSimulatedSources(fleet);
      sources.region = target.region;
      if (target.account === 'staging') {
        sources.functions.managedFunctionPages = async function* () {
          yield await Promise.reject(
            new GofnError(ErrorCode.AccessDenied, 'gofn could not assume the role of staging.'),
          );
        };
      }
      opened.set(targetLabel(target), { target, sources, control: fakeControl() });
    }
    const worker = testWorker(slack.apiUrl, {
      sources: opened.get('prod/us-east-1')!.sources,
      targets: { targets, configured: true, open: (t) => opened.get(targetLabel(t))! },
      runbook: await loadRunbook(),
      settings: { alarmChannel: undefined, deadlineMs: 20_000 },
      now: () => NOW,
    });

    // Act
    await worker.runJob({
      kind: 'cost',
      id: 't-accounts',
      target: 'service=orders',
      responseUrl: slack.responseUrl('r-accounts'),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
    });

    // Assess
    const texts = slack.callsOf('chat.postMessage').map((p) => String(p.args.text));
    expect(texts).toEqual([
      expect.stringMatching(/^Cost: \$\d+\.\d\d a month for 2 functions$/),
      expect.stringMatching(/^Cost: \$\d+\.\d\d a month for 2 functions$/),
      'gofn: the cost of staging/us-east-1 could not be read: gofn could not assume the role of staging.',
    ]);
    const blocks = JSON.stringify(slack.callsOf('chat.postMessage')[1]!.args.blocks);
    expect(blocks).toContain('service=orders in prod/eu-west-1');
  });

  it('answers an unknown function through the command with one sentence', async () => {
    // Act
    await (
      await worker()
    ).runJob({
      kind: 'cost',
      id: 't-typo',
      target: 'ordrs-api',
      responseUrl: slack.responseUrl('r-typo'),
      channel: 'C0ONCALL',
      user: 'U0MARIA',
    });

    // Assess
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
    expect(JSON.stringify(slack.responses[0]?.body)).toContain(
      'gofn: no function \\"ordrs-api\\" in us-east-1. Did you mean orders-api?',
    );
  });
});
