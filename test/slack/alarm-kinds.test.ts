import type { AlarmsPort } from '../../src/ports';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { understandAlarm, type UnderstoodAlarm } from '../../src/slack/alarm-message';
import { fakeSources } from '../support/fake-sources';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { testWorker } from '../support/test-worker';
import { anomalyDetection, composite, metricMath, singleMetric } from './fixtures/alarm-notifications';

let slack: FakeSlack;
let runbook: Runbook;
beforeAll(async () => {
  [slack, runbook] = await Promise.all([startFakeSlack(), loadRunbook()]);
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

function understood(message: string): UnderstoodAlarm {
  const result = understandAlarm(message);
  if (!('alarm' in result)) throw new Error(`not understood: ${result.problem}`);
  return result.alarm;
}

function setup(alarms?: AlarmsPort) {
  const store = new MemoryRecordStore();
  const sources = fakeSources();
  const asked: string[] = [];
  const { getFunction } = sources.functions;
  sources.functions.getFunction = (name, alias, opts) => (
    asked.push(`${name}:${alias}`),
    getFunction(name, alias, opts)
  );
  const worker = testWorker(slack.apiUrl, {
    sources,
    store,
    ...(alarms ? { alarms } : {}),
    runbook,
  });
  return { worker, asked };
}

function roots() {
  return slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === undefined);
}

describe('alarms as CloudWatch sends them', () => {
  it('maps a single-metric alarm through its FunctionName dimension', () => {
    // Act
    const alarm = understood(singleMetric());

    // Assess
    expect(alarm).toMatchObject({
      kind: 'metric',
      functionName: 'orders-api',
      alias: undefined,
      condition: 'Errors > 5 for 2 of 3 periods of 1 min',
    });
  });

  it('maps alarms on an alias (Resource) and on a version (ExecutedVersion)', () => {
    // Act
    const onAlias = understood(
      singleMetric({}, [
        { name: 'Resource', value: 'orders-api:canary' },
        { name: 'FunctionName', value: 'orders-api' },
      ]),
    );
    const onVersion = understood(
      singleMetric({}, [
        { name: 'FunctionName', value: 'orders-api' },
        { name: 'Resource', value: 'orders-api:live' },
        { name: 'ExecutedVersion', value: '43' },
      ]),
    );
    const onNumberedQualifier = understood(singleMetric({}, [{ name: 'Resource', value: 'orders-api:17' }]));

    // Assess
    expect(onAlias.target).toEqual({
      functionName: 'orders-api',
      alias: 'canary',
      version: undefined,
      via: 'dimension',
    });
    expect(onVersion.target).toEqual({ functionName: 'orders-api', alias: 'live', version: '43', via: 'dimension' });
    expect(onNumberedQualifier.target).toEqual({
      functionName: 'orders-api',
      alias: undefined,
      version: '17',
      via: 'dimension',
    });
  });

  it('maps a metric-math alarm through the dimensions of its MetricStats, with no Trigger.Dimensions', () => {
    // Act
    const alarm = understood(metricMath());

    // Assess
    expect(alarm).toMatchObject({
      kind: 'metric-math',
      functionName: 'orders-api',
      alias: 'live',
      condition: 'error rate (%) > 2 for 1 of 1 periods of 1 min',
    });
  });

  it('maps an anomaly-detection alarm, and says what band it left', () => {
    // Act
    const alarm = understood(anomalyDetection());

    // Assess
    expect(alarm).toMatchObject({
      kind: 'anomaly-detection',
      target: { functionName: 'orders-api', alias: 'live', version: '42', via: 'dimension' },
      condition: 'Duration p99 above the expected band for 1 of 1 periods of 5 min',
    });
  });

  it('does not pick one of several functions a metric-math alarm watches', () => {
    // Prepare
    const message = JSON.parse(metricMath()) as {
      Trigger: { Metrics: { MetricStat?: { Metric: { Dimensions: { name: string; value: string }[] } } }[] };
    };
    message.Trigger.Metrics[2]!.MetricStat!.Metric.Dimensions = [{ name: 'FunctionName', value: 'payments-api' }];

    // Act
    const alarm = understood(JSON.stringify(message));

    // Assess
    expect(alarm.functionName).toBeUndefined();
    expect(alarm.unmapped).toBe('its metrics name 2 functions (orders-api, payments-api)');
  });

  it('reads a composite alarm: its rule and its triggering children, as objects or as strings', () => {
    // Act
    const alarm = understood(composite(['orders-api-errors', 'orders-api-throttles']));
    const withStrings = understood(
      composite(['a-child'], { TriggeringChildren: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:a-child'] }),
    );

    // Assess
    expect(alarm).toMatchObject({
      kind: 'composite',
      functionName: undefined,
      children: ['orders-api-errors', 'orders-api-throttles'],
    });
    expect(withStrings.children).toEqual(['a-child']);
  });

  it('diagnoses a composite alarm through the child thread gofn already has', async () => {
    // Prepare: the child alarm notified gofn first
    const { worker, asked } = setup();
    await worker.handleAlarm({ messageId: 'child', message: singleMetric() });

    // Act
    await worker.handleAlarm({ messageId: 'parent', message: composite() });

    // Assess
    const parentRoot = roots().find((r) => String(r.args.text).includes('orders-api-degraded'))!;
    const replies = slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === parentRoot.response.ts);
    expect(String(replies[0]!.args.text)).toMatch(/orders-api/);
    expect(JSON.stringify(replies[0]!.args.blocks)).toContain('for alarm orders-api-degraded');
    expect(asked).toContain('orders-api:live');
  });

  it("diagnoses a composite alarm through its children's metrics (DescribeAlarms), else through its gofn:function tag", async () => {
    // Prepare
    const described: AlarmsPort = {
      metricAlarms: async (names) =>
        names.map((name) => ({
          name,
          description: undefined,
          metrics: [
            {
              namespace: 'AWS/Lambda',
              metricName: 'Errors',
              dimensions: [{ name: 'FunctionName', value: 'orders-api' }],
            },
          ],
        })),
      alarmTags: async () => ({}),
    };
    const tagged: AlarmsPort = {
      metricAlarms: async () => [],
      alarmTags: async (arn): Promise<Record<string, string>> =>
        arn.endsWith(':alarm:orders-api-degraded') ? { 'gofn:function': 'orders-api' } : {},
    };

    // Act
    await setup(described).worker.handleAlarm({ messageId: 'p-1', message: composite() });
    await setup(tagged).worker.handleAlarm({ messageId: 'p-2', message: composite() });

    // Assess: both threads get the diagnosis of orders-api
    const reports = slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts !== undefined);
    expect(reports).toHaveLength(2);
    expect(reports.every((r) => /orders-api/.test(String(r.args.text)))).toBe(true);
  });

  it('opens the thread of an alarm it cannot map, saying what it is, why, and how to diagnose by hand', async () => {
    // Prepare: nothing tells which function the composite is about
    const { worker } = setup({ metricAlarms: async () => [], alarmTags: async () => ({}) });

    // Act
    await worker.handleAlarm({ messageId: 'u-1', message: composite(['db-cpu', 'db-connections']) });

    // Assess
    const [root] = roots();
    expect(String(root!.args.text)).toMatch(/^🔴 ALARM orders-api-degraded · composite: ALARM\("db-cpu"\) OR/);
    const blocks = JSON.stringify(root!.args.blocks);
    expect(blocks).toContain("This is a composite alarm, and gofn can't tell which function it is about");
    expect(blocks).toContain('none of its children (db-cpu, db-connections) watches one function gofn can name');
    expect(blocks).toContain('tag the alarm gofn:function=');
    expect(blocks).toContain('Run `/gofn status &lt;function&gt;` here');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });
});

describe('the report in an alarm thread', () => {
  it("leads with the alarm's metric and threshold, and asks for its metric in the diagnosis's one GetMetricData", async () => {
    // Prepare
    const store = new MemoryRecordStore();
    const sources = fakeSources({
      extra: { alarm: { current: 40, previous: 2, latest: 4, peak: 9, served: true } },
    });
    const asked: unknown[] = [];
    const { getFunctionMetrics } = sources.metrics;
    sources.metrics.getFunctionMetrics = (query, opts) => (asked.push(query.extra), getFunctionMetrics(query, opts));
    const worker = testWorker(slack.apiUrl, { sources, store, runbook });

    // Act
    await worker.handleAlarm({ messageId: 'lead-1', message: singleMetric() });

    // Assess
    const report = slack
      .callsOf('chat.postMessage')
      .find((c) => c.args.thread_ts !== undefined && Array.isArray(c.args.blocks))!;
    const blocks = report.args.blocks as { type: string; text?: { text: string } }[];
    expect(blocks[2]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '🔔 *orders-api-errors*  Errors &gt; 5 for 2 of 3 periods of 1 min · peak 9 (threshold 5) · since 14:22 UTC',
      },
    });
    expect(asked).toEqual([
      [
        {
          id: 'alarm',
          namespace: 'AWS/Lambda',
          metricName: 'Errors',
          dimensions: [{ name: 'FunctionName', value: 'orders-api' }],
          stat: 'Sum',
          periodSeconds: 60,
        },
      ],
    ]);
  });
});
