import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KnownBlock } from '@slack/types';
import { diagnose } from '../../src/runbook/engine';
import { fleetOverview } from '../../src/runbook/fleet';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook, RunbookStep } from '../../src/runbook/schema';
import { claimFor, MAX_WHO, signActionToken } from '../../src/slack/action-token';
import { alarmResolvedMessage, alarmRootMessage } from '../../src/slack/render/alarm';
import { fleetMessage, serviceMessage } from '../../src/slack/render/fleet';
import { serviceView } from '../../src/runbook/targets';
import { LIMITS } from '../../src/slack/render/mrkdwn';
import { confirmModal } from '../../src/slack/render/modals';
import { reportMessage, type SlackMessage } from '../../src/slack/render/report';
import { fakeSources, NOW } from '../support/fake-sources';
import { SIGNING_SECRET } from '../support/slack-requests';

/**
 * Every message gofn renders stays inside Slack's documented limits, checked twice: by our own
 * walk over the blocks, and independently by Slack's Python SDK (slack_sdk), which parses each
 * block and raises on the limits it knows.
 */
const run = promisify(execFile);
const python = path.resolve(__dirname, '..', '..', '.venv', 'bin', 'python');
const long = (n: number, unit = 'x') => unit.repeat(n);

/** The largest report: every step the schema allows (20), each failing with the longest texts. */
async function largestReport() {
  const base = await loadRunbook();
  const steps: RunbookStep[] = [];
  for (let i = 0; steps.length < 20; i++) {
    const step = base.steps[i % base.steps.length]!;
    steps.push({ ...step, id: `${step.id}-${i}`, title: long(40, 'T'), advice: long(1000, 'a') } as RunbookStep);
  }
  const runbook: Runbook = { ...base, steps };
  const hugeMessage = `${long(3000, 'm')} <script>&amp; | *bold* <!channel>`;
  const sources = fakeSources({
    fn: {
      name: long(64, 'f'),
      alias: long(128, 'a'),
      versionModifiedAt: new Date(NOW.getTime() - 10 * 60_000),
      tags: { 'gofn:deployment-group': 'app/group' },
      deadLetterTargetArn: `arn:aws:sqs:us-east-1:123456789012:${long(80, 'q')}`,
    },
    current: { invocations: 1_000_000_000, errors: 500_000_000, throttles: 999_999_999, peakConcurrency: 100 },
    previous: { invocations: 1_000_000_000, errors: 1, throttles: 0 },
    throttleSeries: [{ at: NOW, value: 1 }],
    errorTraces: {
      tracesWithFault: 999_999,
      topMessages: [{ message: hugeMessage, count: 999_999 }],
      samples: Array.from({ length: 25 }, (_, i) => ({
        traceId: `1-67e1a2b3-${String(i).padStart(24, '0')}`,
        requestId: long(36, 'r'),
        message: hugeMessage,
        at: NOW,
        durationMs: 1,
      })),
    },
    downstream: Array.from({ length: 50 }, (_, i) => ({
      name: `${long(200, 'd')}${i}`,
      type: 'remote',
      requests: 1_000_000,
      errors: 0,
      faults: 0,
      averageMs: 99_999,
      p95Ms: 99_999,
    })),
    deployments: [
      {
        id: long(40, 'D'),
        application: 'app',
        group: 'group',
        status: 'InProgress',
        createdAt: NOW,
        completedAt: undefined,
        configName: long(100, 'c'),
      },
    ],
    deploymentTargets: [
      {
        deploymentId: long(40, 'D'),
        functionName: long(64, 'f'),
        alias: long(128, 'a'),
        currentVersion: '1',
        targetVersion: '2',
        targetVersionWeight: 0.1,
        status: 'InProgress',
        lastUpdatedAt: NOW,
      },
    ],
    dlqDepth: { visible: 999_999_999, inFlight: 999_999_999 },
  });
  return diagnose({
    sources,
    runbook,
    functionName: long(64, 'f'),
    alias: long(128, 'a'),
    windowMs: 3_600_000,
    now: NOW,
    deadlineMs: 5000,
  });
}

/** Buttons naming as many admins and owners as a button may carry, each with the longest ID. */
const MOST_WHO = Array.from({ length: MAX_WHO }, (_, i) => `U${String(i).padStart(31, '0')}`);

function tokenFor(channel: string) {
  return (action: Parameters<typeof claimFor>[0]) =>
    signActionToken(SIGNING_SECRET, claimFor(action, channel, 1_700_000_000, 7200, MOST_WHO));
}

/** Our own walk: every text, button and block against LIMITS. */
function limitProblems(message: SlackMessage, maxBlocks: number = LIMITS.blocksPerMessage): string[] {
  const problems: string[] = [];
  if (message.blocks.length > maxBlocks) problems.push(`${message.blocks.length} blocks`);
  if (!message.text || message.text.length > LIMITS.fallbackText) problems.push('fallback text');
  const visit = (block: KnownBlock) => {
    if (block.type === 'header' && block.text.text.length > LIMITS.headerText) problems.push('header text');
    if (block.type === 'section' && (block.text?.text.length ?? 0) > LIMITS.sectionText) problems.push('section text');
    if (block.type === 'context') {
      if (block.elements.length > LIMITS.contextElements) problems.push('context elements');
      for (const e of block.elements)
        if ('text' in e && e.text.length > LIMITS.sectionText) problems.push('context text');
    }
    if (block.type === 'actions') {
      if (block.elements.length > LIMITS.actionsElements) problems.push('actions elements');
      for (const e of block.elements) {
        if (e.type !== 'button') continue;
        if (e.text.text.length > LIMITS.buttonText) problems.push(`button text ${e.text.text.length}`);
        if ((e.action_id?.length ?? 0) > LIMITS.actionId) problems.push('action_id');
        if ((e.value?.length ?? 0) > LIMITS.buttonValue) problems.push(`button value ${e.value?.length}`);
        if ((e.url?.length ?? 0) > LIMITS.buttonUrl) problems.push('button url');
      }
    }
  };
  message.blocks.forEach(visit);
  return problems;
}

/** slack_sdk's parse of each block, serialised one by one so its per-block limit checks run. */
async function slackSdkProblems(blocks: unknown[]): Promise<string> {
  const script = [
    'import json, sys',
    'from slack_sdk.models.blocks import Block',
    'blocks = Block.parse_all(json.load(sys.stdin))',
    'problems = []',
    'for b in blocks:',
    '    try:',
    '        b.to_dict()',
    '    except Exception as e:',
    '        problems.append(f"{type(b).__name__}: {e}")',
    'print("\\n".join(problems))',
  ].join('\n');
  const child = run(python, ['-c', script]);
  child.child.stdin?.end(JSON.stringify(blocks));
  const { stdout } = await child;
  return stdout.trim();
}

beforeAll(() => {
  if (!existsSync(python)) throw new Error('the Python tools are not installed; run `sh scripts/setup.sh all`');
});

describe('Slack limits', () => {
  it('the largest report the engine can produce fits a message', async () => {
    // Prepare
    const report = await largestReport();

    // Act
    const message = reportMessage(report, { actionValue: tokenFor('C0123456789') });

    // Assess
    expect(report.steps).toHaveLength(20);
    expect(report.steps.flatMap((s) => s.actions).length).toBeGreaterThan(0);
    expect(limitProblems(message)).toEqual([]);
    expect(await slackSdkProblems(message.blocks)).toBe('');
  });

  it('the largest report still fits when an alarm leads it and a note follows its steps', async () => {
    // Prepare
    const report = {
      ...(await largestReport()),
      alarm: {
        name: long(255, 'A'),
        condition: long(600, 'c'),
        metric: long(600, 'm'),
        threshold: 1e12,
        value: 123_456_789.123,
        reason: long(4000, 'r'),
        since: NOW.toISOString(),
      },
      notes: [long(3000, 'n'), long(3000, 'o')],
    };

    // Act
    const message = reportMessage(report, { actionValue: tokenFor('C0123456789') });

    // Assess
    expect(message.blocks[2]).toMatchObject({ type: 'section', text: { text: expect.stringMatching(/^🔔 \*A+\*/) } });
    expect(limitProblems(message)).toEqual([]);
    expect(await slackSdkProblems(message.blocks)).toBe('');
  });

  it('a fleet of 5,000 functions fits a message', async () => {
    // Prepare
    const sources = fakeSources();
    const names = Array.from({ length: 5000 }, (_, i) => `${long(50, 'n')}-${i}`);
    sources.functions.managedFunctionPages = async function* () {
      for (let i = 0; i < names.length; i += 100)
        yield names.slice(i, i + 100).map((name) => ({ name, arn: name, tags: {} }));
    };
    const fleet = await fleetOverview({
      sources,
      runbook: await loadRunbook(),
      windowMs: 3_600_000,
      now: NOW,
      deadlineMs: 5000,
    });

    // Act
    const message = fleetMessage(fleet);

    // Assess
    expect(limitProblems(message)).toEqual([]);
    expect(await slackSdkProblems(message.blocks)).toBe('');
    expect(JSON.stringify(message.blocks)).toContain('more; `gofn status` in a terminal lists them all');
  });

  it('a fleet across 50 accounts and regions, some unlisted, and one service across them fit a message', async () => {
    // Prepare: 50 targets with the longest names; 40 could not be listed, each with a long reason.
    const sources = fakeSources();
    const names = Array.from({ length: 600 }, (_, i) => `${long(50, 'n')}-${i}`);
    sources.functions.managedFunctionPages = async function* () {
      for (let i = 0; i < names.length; i += 100)
        yield names.slice(i, i + 100).map((name) => ({ name, arn: name, tags: { service: long(256, 's') } }));
    };
    const one = await fleetOverview({
      sources,
      runbook: await loadRunbook(),
      windowMs: 3_600_000,
      now: NOW,
      deadlineMs: 5000,
    });
    const targets = Array.from({ length: 50 }, (_, i) => ({
      account: `${long(28, 'a')}-${i}`,
      accountId: '111122223333',
      region: 'ap-southeast-5',
      functions: i % 5 === 0 ? 12 : 0,
      problem: i % 5 === 0 ? null : `${long(2990, 'r')} <!channel> & *bold*`,
    }));
    const fleet = {
      ...one,
      targets,
      functions: one.functions.map((row, i) => ({
        ...row,
        account: targets[(i % 10) * 5]!.account,
        region: 'ap-southeast-5',
        findings: [{ signal: 'errors' as const, status: 'critical' as const, text: long(500, 'e') }],
      })),
    };

    // Act
    const messages = [fleetMessage(fleet), serviceMessage(serviceView(fleet, long(256, 's')))];

    // Assess
    for (const message of messages) {
      expect(limitProblems(message)).toEqual([]);
      expect(await slackSdkProblems(message.blocks)).toBe('');
      expect(JSON.stringify(message)).not.toContain('<!channel>');
    }
  });

  it('alarm messages and the confirm modal stay inside the limits', async () => {
    // Prepare
    const alarm = {
      name: long(255, 'A'),
      arn: undefined,
      kind: 'metric' as const,
      target: undefined,
      unmapped: undefined,
      children: [],
      state: 'ALARM' as const,
      functionName: long(64, 'f'),
      alias: undefined,
      metric: 'Errors',
      condition: long(400, 'c'),
      reason: long(4000, 'r'),
      changedAt: NOW,
    };
    const claim = claimFor(
      {
        kind: 'replay-dlq',
        label: 'x',
        command: 'x',
        stepId: 'dlq',
        params: { function: long(64, 'f'), queue: long(80, 'q'), messages: 1 },
      },
      'C0123456789',
      1,
      1,
    );
    const modal = confirmModal(claim, 'U0MARIA', {
      token: long(2000, 't'),
      channel: 'C0123456789',
      messageTs: '1.2',
      threadTs: undefined,
    });

    // Act
    const messages = [alarmRootMessage(alarm), alarmResolvedMessage(alarm, new Date(NOW.getTime() - 60_000))];

    // Assess
    for (const message of messages) {
      expect(limitProblems(message)).toEqual([]);
      expect(await slackSdkProblems(message.blocks)).toBe('');
    }
    expect(modal.private_metadata!.length).toBeLessThanOrEqual(3000);
    expect(modal.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerModal);
    expect(await slackSdkProblems(modal.blocks)).toBe('');
  });
});
