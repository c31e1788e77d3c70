import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  ResourceNotFoundException,
  StartQueryCommand,
  type StartQueryCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InsightsMemory } from '../../src/aws/insights-memory';
import { memoryQueryString } from '../../src/memory-query';
import { jsonReportEvents, textReportEvents, type LogEvent } from '../fixtures/aws/lambda-report-logs';
import { runInsightsQueryOverGroups } from '../support/logs-insights';
import { mockedClients } from './helpers';

const logs = mockClient(CloudWatchLogsClient);
const window = { start: new Date('2024-04-24T00:00:00Z'), end: new Date('2024-05-01T00:00:00Z') };
const noWait = { sleep: async () => undefined, firstPollDelayMs: 1 };

/**
 * Logs Insights over fixture log groups: StartQuery remembers which groups it was asked about and
 * fails like AWS (ResourceNotFoundException) when one does not exist; GetQueryResults runs the
 * query over their events after one Running answer.
 */
function serveGroups(groups: Record<string, LogEvent[]>): StartQueryCommandInput[] {
  const started: StartQueryCommandInput[] = [];
  const polled = new Map<string, number>();
  logs.on(StartQueryCommand).callsFake((input: StartQueryCommandInput) => {
    const missing = input.logGroupNames?.find((name) => !(name in groups));
    if (missing) {
      throw new ResourceNotFoundException({
        message: `Log group '${missing}' does not exist for account ID '123456789012'`,
        $metadata: { httpStatusCode: 400 },
      });
    }
    started.push(input);
    return { queryId: `q-${started.length}` };
  });
  logs.on(GetQueryResultsCommand).callsFake(({ queryId }: { queryId: string }) => {
    const input = started[Number(queryId.slice(2)) - 1]!;
    const seen = (polled.get(queryId) ?? 0) + 1;
    polled.set(queryId, seen);
    if (seen === 1) return { status: 'Running', results: [] };
    const asked = Object.fromEntries((input.logGroupNames ?? []).map((name) => [name, groups[name] ?? []]));
    return { status: 'Complete', results: runInsightsQueryOverGroups(input.queryString ?? '', asked) };
  });
  return started;
}

beforeEach(() => logs.reset());

describe('InsightsMemory', () => {
  it('reads max memory and init time from Text REPORT lines and JSON platform.report records in one query', async () => {
    // Prepare
    const started = serveGroups({
      '/aws/lambda/text-fn': textReportEvents,
      '/aws/lambda/json-fn': jsonReportEvents,
    });

    // Act
    const answer = await new InsightsMemory(mockedClients(), noWait).getMemoryUse(
      ['/aws/lambda/text-fn', '/aws/lambda/json-fn'],
      window,
    );

    // Assess
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({
      logGroupNames: ['/aws/lambda/text-fn', '/aws/lambda/json-fn'],
      queryString: memoryQueryString,
      startTime: window.start.getTime() / 1000,
      endTime: window.end.getTime() / 1000,
    });
    expect(answer.byLogGroup.get('/aws/lambda/text-fn')).toEqual({
      reports: 3,
      maxUsedMb: 32,
      memorySizeMb: 512,
      initCount: 1,
      initMsSum: 112.31,
    });
    expect(answer.byLogGroup.get('/aws/lambda/json-fn')).toEqual({
      reports: 4,
      maxUsedMb: 33,
      memorySizeMb: 512,
      initCount: 2,
      initMsSum: 300,
    });
    expect(answer.unanswered.size).toBe(0);
  });

  it('asks one query per 50 log groups, and a group without REPORT lines answers with none', async () => {
    // Prepare
    const groups = Object.fromEntries(
      Array.from({ length: 120 }, (_, i) => [`/aws/lambda/fn-${i}`, i === 7 ? [] : textReportEvents]),
    );
    const started = serveGroups(groups);

    // Act
    const answer = await new InsightsMemory(mockedClients(), noWait).getMemoryUse(Object.keys(groups), window);

    // Assess
    expect(started.map((s) => s.logGroupNames?.length)).toEqual([50, 50, 20]);
    expect(answer.byLogGroup.size).toBe(120);
    expect(answer.byLogGroup.get('/aws/lambda/fn-7')).toMatchObject({ reports: 0, maxUsedMb: undefined });
    expect(answer.byLogGroup.get('/aws/lambda/fn-8')?.reports).toBe(3);
  });

  it('splits a query a missing log group fails until that group stands alone, and answers for the rest', async () => {
    // Prepare
    const groups = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`/aws/lambda/fn-${i}`, textReportEvents]));
    const started = serveGroups(groups);
    const asked = [...Object.keys(groups).slice(0, 5), '/aws/lambda/gone', ...Object.keys(groups).slice(5)];

    // Act
    const answer = await new InsightsMemory(mockedClients(), noWait).getMemoryUse(asked, window);

    // Assess
    expect(answer.byLogGroup.size).toBe(8);
    expect(answer.unanswered.get('/aws/lambda/gone')).toBe('log group /aws/lambda/gone does not exist');
    // 9 groups: halves of 5 and 4; the 5 split into 3 and 2, the 2 into 1 and 1.
    expect(started.length).toBeLessThanOrEqual(5);
  });

  it('leaves the log groups of a query the source cannot run unanswered, with the reason', async () => {
    // Prepare: the emulator ignores `stats` and answers with raw rows.
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [[{ field: '@ptr', value: 'abc' }]] });

    // Act
    const answer = await new InsightsMemory(mockedClients(), noWait).getMemoryUse(['/aws/lambda/fn-1'], window);

    // Assess
    expect(answer.byLogGroup.size).toBe(0);
    expect(answer.unanswered.get('/aws/lambda/fn-1')).toMatch(/does not run stats queries/);
  });
});
