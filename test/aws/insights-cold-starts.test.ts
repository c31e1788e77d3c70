import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  ResourceNotFoundException,
  StartQueryCommand,
  StopQueryCommand,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InsightsColdStarts } from '../../src/aws/insights-cold-starts';
import { coldStartQueryString } from '../../src/cold-start-query';
import { ErrorCode, GofnError } from '../../src/errors';
import type { ColdStartQuery } from '../../src/ports';
import { jsonReportEvents, textReportEvents, type LogEvent } from '../fixtures/aws/lambda-report-logs';
import { runInsightsQuery } from '../support/logs-insights';
import { hour, mockedClients, rejectionOf } from './helpers';

const logs = mockClient(CloudWatchLogsClient);

const now = new Date('2024-05-01T12:00:00Z');
const query: ColdStartQuery = {
  logGroup: '/aws/lambda/orders-api',
  window: { start: new Date(now.getTime() - hour), end: now },
  previous: { start: new Date(now.getTime() - 2 * hour), end: new Date(now.getTime() - hour) },
};

/**
 * A Logs Insights result row of a Text-format function as GetQueryResults returns it
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html):
 * every value a string, statistics over no values left out.
 */
function row(bin: string, invocations: number, coldStarts: number, initAvg?: number, initMax?: number) {
  const fields = [
    { field: 'bin(1m)', value: bin },
    { field: 'invocations', value: String(invocations) },
    { field: 'textColdStarts', value: String(coldStarts) },
    { field: 'jsonColdStarts', value: '0' },
  ];
  if (initAvg !== undefined) fields.push({ field: 'textInitSum', value: String(initAvg * coldStarts) });
  if (initMax !== undefined) fields.push({ field: 'textInitMax', value: String(initMax) });
  return fields;
}

function results(status: GetQueryResultsCommandOutput['status'], rows: ReturnType<typeof row>[] = []) {
  return {
    status,
    results: rows,
    statistics: { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 },
    $metadata: {},
  };
}

/** Records the waits instead of waiting; rejects like the real sleep once the signal aborts. */
function recordingSleep() {
  const waits: number[] = [];
  const sleep = async (ms: number, signal?: AbortSignal) => {
    waits.push(ms);
    if (signal?.aborted) throw signal.reason;
  };
  return { waits, sleep };
}

describe('InsightsColdStarts', () => {
  beforeEach(() => logs.reset());

  it('starts one query over both windows and sums the bins into current and previous', async () => {
    // Prepare
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    logs
      .on(GetQueryResultsCommand)
      .resolvesOnce(results('Running'))
      .resolves(
        results('Complete', [
          row('2024-05-01 10:30:00.000', 100, 2, 300, 350),
          row('2024-05-01 11:10:00.000', 200, 1, 400, 400),
          row('2024-05-01 11:50:00.000', 300, 3, 200, 260),
          row('2024-05-01 11:51:00.000', 50, 0),
        ]),
      );
    const { sleep } = recordingSleep();
    const coldStarts = new InsightsColdStarts(mockedClients(), { sleep });

    // Act
    const stats = await coldStarts.getColdStarts(query);

    // Assess
    expect(logs).toHaveReceivedCommandTimes(StartQueryCommand, 1);
    expect(logs).toHaveReceivedCommandWith(StartQueryCommand, {
      logGroupName: '/aws/lambda/orders-api',
      startTime: Math.floor(query.previous.start.getTime() / 1000),
      endTime: Math.floor(now.getTime() / 1000),
    });
    expect(logs).toHaveReceivedCommandTimes(GetQueryResultsCommand, 2);
    expect(stats.previous).toEqual({ invocations: 100, coldStarts: 2, initAvgMs: 300, initMaxMs: 350 });
    // (400×1 + 200×3) / 4 cold starts
    expect(stats.current).toEqual({ invocations: 550, coldStarts: 4, initAvgMs: 250, initMaxMs: 400 });
    expect(stats.queryString).toBe(
      'filter @type = "REPORT" or type = "platform.report" | stats count(*) as invocations,' +
        ' count(@initDuration) as textColdStarts, sum(@initDuration) as textInitSum, max(@initDuration) as textInitMax,' +
        ' count(record.metrics.initDurationMs) as jsonColdStarts, sum(record.metrics.initDurationMs) as jsonInitSum,' +
        ' max(record.metrics.initDurationMs) as jsonInitMax by bin(1m)',
    );
  });

  describe('both log formats in one query', () => {
    /** GetQueryResults answering with what the query the adapter started finds in `events`. */
    function logGroupHolding(events: LogEvent[]) {
      let started: string | undefined;
      logs.on(StartQueryCommand).callsFake((input: { queryString?: string }) => {
        started = input.queryString;
        return { queryId: 'q-formats' };
      });
      logs.on(GetQueryResultsCommand).callsFake(() => ({
        status: 'Complete',
        results: runInsightsQuery(started ?? '', events),
        statistics: { recordsMatched: events.length, recordsScanned: events.length, bytesScanned: 4096 },
      }));
    }

    it('counts Text REPORT lines and JSON platform.report records with a single StartQuery', async () => {
      // Prepare: the function logged in Text, then moved to JSON within the hour.
      logGroupHolding([...textReportEvents, ...jsonReportEvents]);
      const coldStarts = new InsightsColdStarts(mockedClients(), { sleep: recordingSleep().sleep });

      // Act
      const stats = await coldStarts.getColdStarts(query);

      // Assess
      expect(logs).toHaveReceivedCommandTimes(StartQueryCommand, 1);
      expect(stats.current.invocations).toBe(7);
      expect(stats.current.coldStarts).toBe(3);
      expect(stats.current.initAvgMs).toBeCloseTo((112.31 + 140.5 + 159.5) / 3, 2);
      expect(stats.current.initMaxMs).toBe(159.5);
      expect(stats.previous).toEqual({ invocations: 0, coldStarts: 0, initAvgMs: undefined, initMaxMs: undefined });
    });

    it('reads a JSON-only log group, where REPORT lines do not exist', async () => {
      // Prepare
      logGroupHolding(jsonReportEvents);
      const coldStarts = new InsightsColdStarts(mockedClients(), { sleep: recordingSleep().sleep });

      // Act
      const stats = await coldStarts.getColdStarts(query);

      // Assess
      expect(stats.current).toEqual({ invocations: 4, coldStarts: 2, initAvgMs: 150, initMaxMs: 159.5 });
    });

    it('would see nothing of the JSON records with a query on REPORT lines alone', () => {
      // Act: the query gofn ran before it read the JSON format.
      const rows = runInsightsQuery(
        'filter @type = "REPORT" | stats count(*) as invocations, count(@initDuration) as coldStarts by bin(60m)',
        jsonReportEvents,
      );

      // Assess
      expect(rows).toEqual([]);
    });
  });

  it('polls with growing waits and gives up after 10 polls, stopping the query', async () => {
    // Prepare
    logs.on(StartQueryCommand).resolves({ queryId: 'q-2' });
    logs.on(GetQueryResultsCommand).resolves(results('Running'));
    logs.on(StopQueryCommand).resolves({ success: true });
    const { waits, sleep } = recordingSleep();
    const coldStarts = new InsightsColdStarts(mockedClients(), { sleep });

    // Act
    const error = await rejectionOf(coldStarts.getColdStarts(query));

    // Assess
    expect(logs).toHaveReceivedCommandTimes(GetQueryResultsCommand, 10);
    expect(waits).toHaveLength(10);
    expect(waits[0]).toBe(250);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeCloseTo((waits[i - 1] ?? 0) * 1.5);
    expect(logs).toHaveReceivedCommandWith(StopQueryCommand, { queryId: 'q-2' });
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
    expect((error as GofnError).message).toMatch(/had not finished after 10 polls/);
  });

  it('stops the query and rejects with Timeout when the caller aborts while it runs', async () => {
    // Prepare
    const controller = new AbortController();
    logs.on(StartQueryCommand).resolves({ queryId: 'q-3' });
    logs.on(GetQueryResultsCommand).callsFake(async () => {
      controller.abort(new Error('diagnosis deadline'));
      return results('Running');
    });
    logs.on(StopQueryCommand).resolves({ success: true });
    const { sleep } = recordingSleep();
    const coldStarts = new InsightsColdStarts(mockedClients(), { sleep });

    // Act
    const error = await rejectionOf(coldStarts.getColdStarts(query, { signal: controller.signal }));

    // Assess
    expect(error).toBeInstanceOf(GofnError);
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
    expect(logs).toHaveReceivedCommandWith(StopQueryCommand, { queryId: 'q-3' });
    expect(logs).toHaveReceivedCommandTimes(GetQueryResultsCommand, 1);
  });

  it('stops the query when the deadline passes during a real wait between polls', async () => {
    // Prepare
    logs.on(StartQueryCommand).resolves({ queryId: 'q-4' });
    logs.on(GetQueryResultsCommand).resolves(results('Running'));
    logs.on(StopQueryCommand).resolves({ success: true });
    const coldStarts = new InsightsColdStarts(mockedClients(), { firstPollDelayMs: 20 });

    // Act
    const error = await rejectionOf(coldStarts.getColdStarts(query, { signal: AbortSignal.timeout(60) }));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
    expect(logs).toHaveReceivedCommandWith(StopQueryCommand, { queryId: 'q-4' });
    expect(logs.commandCalls(GetQueryResultsCommand).length).toBeLessThan(10);
  });

  it('does not start a query when the deadline has already passed', async () => {
    // Prepare
    const coldStarts = new InsightsColdStarts(mockedClients(), { sleep: recordingSleep().sleep });

    // Act
    const error = await rejectionOf(coldStarts.getColdStarts(query, { signal: AbortSignal.abort() }));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
    expect(logs.calls()).toHaveLength(0);
  });

  it.each([
    ['Failed', ErrorCode.Upstream],
    ['Cancelled', ErrorCode.Upstream],
    ['Timeout', ErrorCode.Timeout],
  ] as const)('rejects when the query ends %s', async (status, code) => {
    // Prepare
    logs.on(StartQueryCommand).resolves({ queryId: 'q-5' });
    logs.on(GetQueryResultsCommand).resolves(results(status));
    const coldStarts = new InsightsColdStarts(mockedClients(), { sleep: recordingSleep().sleep });

    // Act
    const error = await rejectionOf(coldStarts.getColdStarts(query));

    // Assess
    expect((error as GofnError).code).toBe(code);
    expect((error as GofnError).message).toContain('/aws/lambda/orders-api');
  });

  it('reports Unsupported when the rows come back without the statistics (the emulator)', async () => {
    // Prepare: what the emulator answers, the matching log lines' pointers only.
    logs.on(StartQueryCommand).resolves({ queryId: 'q-6' });
    logs.on(GetQueryResultsCommand).resolves(results('Complete', [[{ field: '@ptr', value: '0' }]]));
    const coldStarts = new InsightsColdStarts(mockedClients(), { sleep: recordingSleep().sleep });

    // Act
    const error = await rejectionOf(coldStarts.getColdStarts(query));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Unsupported);
    expect((error as GofnError).message).toMatch(/without its statistics \(fields: @ptr\)/);
  });

  it('maps a missing log group to NotFound', async () => {
    // Prepare
    logs
      .on(StartQueryCommand)
      .rejects(
        new ResourceNotFoundException({ message: 'Log group does not exist', $metadata: { httpStatusCode: 400 } }),
      );
    const coldStarts = new InsightsColdStarts(mockedClients(), { sleep: recordingSleep().sleep });

    // Act
    const error = await rejectionOf(coldStarts.getColdStarts(query));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
    expect((error as GofnError).message).toBe(
      'CloudWatchLogs StartQuery found nothing for log group /aws/lambda/orders-api: Log group does not exist',
    );
  });

  it('returns zeros when no REPORT line matched', async () => {
    // Prepare
    logs.on(StartQueryCommand).resolves({ queryId: 'q-7' });
    logs.on(GetQueryResultsCommand).resolves(results('Complete', []));
    const coldStarts = new InsightsColdStarts(mockedClients(), { sleep: recordingSleep().sleep });

    // Act
    const stats = await coldStarts.getColdStarts(query);

    // Assess
    expect(stats.current).toEqual({ invocations: 0, coldStarts: 0, initAvgMs: undefined, initMaxMs: undefined });
  });

  it('widens the bins for long windows so a query returns at most 1,440 rows', () => {
    expect(coldStartQueryString(2 * 3600).binMinutes).toBe(1);
    expect(coldStartQueryString(14 * 24 * 3600).binMinutes).toBe(15);
    expect(coldStartQueryString(14 * 24 * 3600).queryString).toContain('by bin(15m)');
  });
});
