import fc from 'fast-check';
import { isSnsEvent } from '../../src/handlers/sns';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import { parseDuration } from '../../src/runbook/window';
import { understandAlarm } from '../../src/slack/alarm-message';
import { parseCostSelection } from '../../src/cost/selection';
import { parseCommandText } from '../../src/slack/command';
import { testWorker } from '../support/test-worker';
import { keptLog, memorySlackFetch, recordResult, repoPath, tally } from './support';

/**
 * Any member of the workspace can type `/gofn`, and anything that can publish to the alarm topic
 * reaches the worker. Whatever the text, the parser gives a valid command or a sentence saying
 * what was wrong; whatever the SNS message, the worker opens a thread, ignores it, or says why it
 * dropped it. Never an exception.
 */
const COMMAND_RUNS = 12_000;
const ALARM_RUNS = 10_000;

/** A name, an ARN, `fn@region` or `account/region/fn` (src/targets.ts). */
const FUNCTION_NAME =
  /^((arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)|([A-Za-z0-9-]{1,32}\/[a-z]{2}(-[a-z]+)+-\d{1,2}\/))?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?(@[a-z]{2}(-[a-z]+)+-\d{1,2})?$/;

const whitespace = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', '\u2003', '\r\n', '\u3000');
const word = fc.oneof(
  fc.constantFrom(
    'status',
    'STATUS',
    'help',
    '-h',
    '--help',
    'restart',
    'rollback',
    'orders-api',
    'alias=live',
    'alias=',
    'alias=$LATEST',
    'alias=a:b',
    '1h',
    '15m',
    '3h',
    '1d',
    '0m',
    '4m',
    '8d',
    '99999h',
    '90x',
    '1H',
    '١h',
    'arn:aws:lambda:us-east-1:123456789012:function:orders-api:live',
    'arn:aws-cn:lambda:cn-north-1:123456789012:function:x',
    'arn:aws:lambda:us-east-1:12345:function:x',
    '<!channel>',
    '*bold*',
    '`code`',
    '${jndi:ldap://x}',
    "'; DROP TABLE audit; --",
    '../../etc/passwd',
    '\u202eipa-sredro',
    'orders-api\u0000',
    'prod/eu-west-1/orders-api',
    'orders-api@eu-west-1',
    'orders-api@mars',
    'prod/eu-west-1/../x',
    'service=orders',
    'service=<!channel>',
  ),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,70}$/),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ maxLength: 140 }).map((s) => `alias=${s}`),
  fc.nat({ max: 100_000 }).chain((n) => fc.constantFrom(`${n}m`, `${n}h`, `${n}d`, `${n}s`, `${n}hours`)),
);

const commandText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .tuple(fc.array(fc.tuple(word, whitespace), { maxLength: 14 }), fc.constantFrom('', 'status ', ' status\t'))
    .map(([parts, prefix]) => prefix + parts.map(([w, s]) => w + s).join('')),
  fc.nat({ max: 6000 }).map((n) => `status ${'a'.repeat(n)}`),
);

describe('hostile /gofn text', () => {
  it(`parses ${COMMAND_RUNS.toLocaleString('en')} generated texts into a valid command or a clear problem`, () => {
    // Prepare
    const started = Date.now();
    const outcomes: Record<string, number> = {};

    // Act
    fc.assert(
      fc.property(commandText, (text) => {
        const parsed = parseCommandText(text, '1h');

        // Assess
        if (parsed.kind === 'status') {
          tally(outcomes, parsed.functionName ? 'status of one function' : 'status of the fleet');
          if (parsed.functionName !== undefined) expect(parsed.functionName).toMatch(FUNCTION_NAME);
          expect(() => parseDuration(parsed.window, 'window')).not.toThrow();
          expect(parsed.alias).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
        } else if (parsed.kind === 'cost') {
          tally(outcomes, 'cost');
          expect(() => parseCostSelection(parsed.target)).not.toThrow();
        } else {
          expect(parsed.kind).toBe('help');
          tally(outcomes, parsed.problem ? 'help with a problem' : 'help');
          if (parsed.problem) {
            expect(parsed.problem.length).toBeLessThan(200);
            expect(parsed.problem).not.toMatch(/\n\s+at |TypeError|undefined/);
          }
        }
      }),
      { numRuns: COMMAND_RUNS, seed: 20260702 },
    );

    // Assess
    expect(outcomes['status of one function']).toBeGreaterThan(0);
    expect(outcomes['help with a problem']).toBeGreaterThan(0);
    recordResult('hostile-command', {
      test: '`/gofn` argument parser',
      file: repoPath(__filename),
      group: 'hostile input',
      tried: `${COMMAND_RUNS.toLocaleString('en')} generated command texts: any Unicode and binary text, sequences of real and broken words (functions, ARNs, windows out of range, aliases, Slack markup, control and bidi characters) with any whitespace, 6,000-character arguments`,
      inputs: COMMAND_RUNS,
      lost: 0,
      duplicated: 0,
      details: { ...outcomes, 'unhandled exceptions': 0 },
      durationMs: Date.now() - started,
    });
  });
});

// ---------------------------------------------------------------- SNS alarm messages

const validAlarm = {
  AlarmName: 'orders-api-errors',
  AlarmDescription: 'Errors of orders-api',
  AWSAccountId: '123456789012',
  NewStateValue: 'ALARM',
  OldStateValue: 'OK',
  NewStateReason: 'Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (5.0).',
  StateChangeTime: '2026-11-26T14:22:05.123+0000',
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
};

const weird = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom(
    null,
    '',
    'ALARM',
    'OK',
    'INSUFFICIENT_DATA',
    'alarm',
    -1,
    0,
    1e308,
    '2026-13-45T99:99:99+0000',
    '2026-11-26T14:22:05.123+0000',
    'not a date',
    'AWS/Lambda',
    'AWS/SQS',
    'orders-api:live',
    'gofn:function=orders-worker',
    'x'.repeat(5000),
    [{ name: 'FunctionName', value: 'orders-api' }],
    [{ name: 'Resource', value: 'orders-api:live' }],
    [{ name: 'FunctionName', value: '../../etc' }],
    [{ name: 'FunctionName' }],
    { __proto__: { polluted: true } },
  ),
);

type Json = Record<string, unknown>;

/** A real alarm with some fields replaced, removed, or nested wrongly. */
const mutatedAlarm: fc.Arbitrary<string> = fc
  .array(
    fc.record({
      path: fc.constantFrom(
        'AlarmName',
        'AlarmDescription',
        'NewStateValue',
        'NewStateReason',
        'StateChangeTime',
        'Trigger',
        'Trigger.Namespace',
        'Trigger.Dimensions',
        'Trigger.MetricName',
        'Trigger.Period',
        'Trigger.EvaluationPeriods',
        'Trigger.DatapointsToAlarm',
        'Trigger.ComparisonOperator',
        'Trigger.Threshold',
        'Trigger.ExtendedStatistic',
      ),
      remove: fc.boolean(),
      value: weird,
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((edits) => {
    const alarm = structuredClone(validAlarm) as Json;
    for (const { path, remove, value } of edits) {
      const keys = path.split('.');
      let target = alarm;
      for (const key of keys.slice(0, -1)) {
        if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
        target = target[key] as Json;
      }
      const last = keys[keys.length - 1]!;
      if (remove) delete target[last];
      else target[last] = value;
    }
    return JSON.stringify(alarm);
  });

const snsMessage: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: mutatedAlarm },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: mutatedAlarm.map((m) => m.slice(0, Math.floor(m.length / 2))) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'x'.repeat(262_144),
      '['.repeat(50_000),
      JSON.stringify({ ...validAlarm, NewStateValue: 'OK' }),
      JSON.stringify({ ...validAlarm, NewStateValue: 'INSUFFICIENT_DATA' }),
      JSON.stringify(validAlarm),
      JSON.stringify({ ...validAlarm, Trigger: { ...validAlarm.Trigger, Namespace: 'AWS/SQS' } }),
    ),
  },
);

/** The Lambda event around the message, itself sometimes broken. */
const snsEvent = fc.record({
  message: snsMessage,
  messageId: fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 200 })),
  envelope: fc.oneof(
    { weight: 9, arbitrary: fc.constant('sns') },
    { weight: 1, arbitrary: fc.constantFrom('no-records', 'wrong-source', 'no-message-id', 'empty-records') },
  ),
});

function envelope(e: { message: string; messageId: string; envelope: string }): unknown {
  const record = { EventSource: 'aws:sns', Sns: { MessageId: e.messageId, Message: e.message } };
  switch (e.envelope) {
    case 'no-records':
      return { Sns: record.Sns };
    case 'wrong-source':
      return { Records: [{ ...record, EventSource: 'aws:sqs' }] };
    case 'no-message-id':
      return { Records: [{ ...record, Sns: { Message: e.message } }] };
    case 'empty-records':
      return { Records: [] };
    default:
      return { Records: [record] };
  }
}

describe('hostile SNS alarm messages', () => {
  let runbook: Runbook;
  beforeAll(async () => {
    runbook = await loadRunbook();
  });

  it(`understands, ignores or drops ${ALARM_RUNS.toLocaleString('en')} generated SNS events, never throwing`, async () => {
    // Prepare
    const started = Date.now();
    const slack = memorySlackFetch();
    const log = keptLog();
    const worker = testWorker(slack, { runbook, settings: { deadlineMs: 2000 }, log });
    const outcomes: Record<string, number> = {};

    // Act
    await fc.assert(
      fc.asyncProperty(snsEvent, async (generated) => {
        const event = envelope(generated);
        if (!isSnsEvent(event)) {
          tally(outcomes, 'not an SNS event (the handler treats it as a job and drops it)');
          return;
        }
        for (const record of event.Records) {
          const understood = understandAlarm(record.Sns.Message);
          // Assess: the parser's answer is a valid alarm or a named problem
          if ('alarm' in understood) {
            // Mapped to a function, or understood as an alarm gofn cannot map, with the reason.
            if (understood.alarm.functionName === undefined) {
              expect(understood.alarm.unmapped).toMatch(/\w/);
              tally(outcomes, `understood, no function: ${understood.alarm.kind}`);
            } else {
              expect(understood.alarm.functionName).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
            }
            expect(Number.isNaN(understood.alarm.changedAt.getTime())).toBe(false);
            expect(['ALARM', 'OK', 'INSUFFICIENT_DATA']).toContain(understood.alarm.state);
            tally(outcomes, `understood ${understood.alarm.state}`);
          } else {
            expect(['not-json', 'not-an-alarm', 'bad-time']).toContain(understood.problem);
            tally(outcomes, `dropped: ${understood.problem}`);
          }
          // Assess: the worker handles it without throwing
          await worker.handleAlarm({ messageId: record.Sns.MessageId, message: record.Sns.Message });
        }
      }),
      { numRuns: ALARM_RUNS, seed: 20260703 },
    );

    // Assess
    const roots = slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === undefined);
    expect(outcomes['understood ALARM']).toBeGreaterThan(0);
    expect(outcomes['dropped: not-an-alarm']).toBeGreaterThan(0);
    // One alarm name, one episode at a time: every understood ALARM of orders-api shares one thread.
    expect(roots.length).toBeGreaterThan(0);
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
    // Whatever the alarm's name, reason or description held, nothing gofn posted can ping or link:
    // every `<` from a message reaches Slack escaped.
    const posted = slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => JSON.stringify(c.args));
    expect(posted.filter((text) => /<!|<@|<#/.test(text))).toEqual([]);
    recordResult('hostile-alarms', {
      test: 'SNS alarm messages',
      file: repoPath(__filename),
      group: 'hostile input',
      tried: `${ALARM_RUNS.toLocaleString('en')} generated SNS events: real CloudWatch alarm messages with fields removed, retyped or replaced (dates, states, dimensions, namespaces, descriptions, prototype keys), arbitrary JSON, text, binary, truncated JSON, 256 KiB and deeply nested messages, broken envelopes; each parsed and handed to a worker`,
      inputs: ALARM_RUNS,
      lost: 0,
      duplicated: 0,
      details: { ...outcomes, 'thread roots posted': roots.length, 'unhandled exceptions': 0 },
      durationMs: Date.now() - started,
    });
  });
});
