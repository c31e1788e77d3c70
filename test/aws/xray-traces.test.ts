import {
  BatchGetTracesCommand,
  GetServiceGraphCommand,
  GetTraceSummariesCommand,
  XRayClient,
  XRayServiceException,
  type BatchGetTracesCommandInput,
  type TraceSummary,
} from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { histogramPercentile } from '../../src/aws/service-graph';
import { errorFilterExpression, XRayTraces } from '../../src/aws/xray-traces';
import { ErrorCode, GofnError } from '../../src/errors';
import type { TraceQuery } from '../../src/ports';
import {
  emptyGraph,
  graphWithoutTheFunction,
  onePageGraph,
  otherServicesPage,
  twoPageGraph,
} from '../fixtures/aws/xray-service-graph';
import { hour, mockedClients, rejectionOf } from './helpers';

const xray = mockClient(XRayClient);

const now = new Date('2024-05-01T12:00:00Z');
const query: TraceQuery = { functionName: 'orders-api', window: { start: new Date(now.getTime() - hour), end: now } };

function summary(
  id: string,
  startMinute: number,
  opts: { error?: boolean; fault?: boolean; message?: string },
): TraceSummary {
  const causes = opts.message
    ? [
        {
          Services: [
            {
              Name: 'orders-api',
              Names: ['orders-api'],
              Type: 'AWS::Lambda::Function',
              AccountId: '123456789012',
              EntityPath: [
                { Name: 'orders-api', Exceptions: [], Remote: false },
                { Name: 'Invocation', Exceptions: [{ Name: 'errorString', Message: opts.message }], Remote: false },
              ],
              Inferred: false,
            },
          ],
          ClientImpacting: true,
        },
      ]
    : [];
  return {
    Id: id,
    StartTime: new Date(now.getTime() - (60 - startMinute) * 60_000),
    Duration: 0.25,
    ResponseTime: 0.25,
    HasError: opts.error ?? false,
    HasFault: opts.fault ?? false,
    HasThrottle: false,
    IsPartial: false,
    ErrorRootCauses: opts.error ? causes : [],
    FaultRootCauses: opts.fault ? causes : [],
  };
}

/** The segments BatchGetTraces returns for a failed invocation: Lambda service and function segments. */
function trace(id: string, requestId: string, message: string) {
  return {
    Id: id,
    Duration: 0.25,
    LimitExceeded: false,
    Segments: [
      {
        Id: `${id}-a`,
        Document: JSON.stringify({
          id: '1a',
          name: 'orders-api',
          origin: 'AWS::Lambda',
          start_time: now.getTime() / 1000 - 100,
          end_time: now.getTime() / 1000 - 99.75,
          http: { response: { status: 200 } },
          aws: { request_id: requestId },
          trace_id: id,
        }),
      },
      {
        Id: `${id}-b`,
        Document: JSON.stringify({
          id: '1b',
          name: 'orders-api',
          origin: 'AWS::Lambda::Function',
          start_time: now.getTime() / 1000 - 99.9,
          end_time: now.getTime() / 1000 - 99.76,
          fault: true,
          subsegments: [
            {
              id: '1c',
              name: 'Invocation',
              fault: true,
              cause: { working_directory: '/var/task', exceptions: [{ id: 'e1', message, type: 'errorString' }] },
            },
          ],
          parent_id: '1a',
          trace_id: id,
        }),
      },
    ],
  };
}

/**
 * The same failed invocation sent over OTLP instead of the X-Ray daemon, as BatchGetTraces returns
 * its indexed spans: X-Ray segment documents
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html) converted
 * from OpenTelemetry spans. The function's server span has no `origin` (no OTel resource maps to a
 * Lambda origin); its attributes X-Ray does not index sit in `metadata.default`, the invocation's
 * request ID as `faas.invocation_id` (OpenTelemetry FaaS semantic conventions), resource attributes
 * as `otel.resource.*`; the span's exception event becomes `cause.exceptions`. The DynamoDB client
 * span is a subsegment whose `aws.request_id` is DynamoDB's own request ID, not the invocation's.
 * With the function's TracingConfig PassThrough, Lambda sends no `AWS::Lambda` segment of its own.
 */
function otlpTrace(id: string, requestId: string, message: string) {
  return {
    Id: id,
    Duration: 0.25,
    LimitExceeded: false,
    Segments: [
      {
        Id: `${id}-s`,
        Document: JSON.stringify({
          id: '5f1a2b3c4d5e6f70',
          name: 'orders-api',
          start_time: now.getTime() / 1000 - 99.9,
          end_time: now.getTime() / 1000 - 99.76,
          fault: true,
          cause: { exceptions: [{ id: '0a1b2c3d4e5f6071', type: '*errors.errorString', message }] },
          aws: { xray: { sdk: 'opentelemetry for go', sdk_version: '1.28.0', auto_instrumentation: false } },
          metadata: {
            default: {
              'faas.invocation_id': requestId,
              'faas.trigger': 'http',
              'otel.resource.cloud.platform': 'aws_lambda',
              'otel.resource.faas.name': 'orders-api',
            },
          },
          trace_id: id,
        }),
      },
      {
        Id: `${id}-d`,
        Document: JSON.stringify({
          id: '6a7b8c9d0e1f2031',
          name: 'DynamoDB',
          namespace: 'aws',
          type: 'subsegment',
          parent_id: '5f1a2b3c4d5e6f70',
          start_time: now.getTime() / 1000 - 99.85,
          end_time: now.getTime() / 1000 - 99.8,
          aws: { operation: 'GetItem', request_id: 'DDB0REQUEST0ID0NOT0THE0INVOCATION', table_name: 'orders' },
          trace_id: id,
        }),
      },
    ],
  };
}

describe('XRayTraces.getDownstream', () => {
  beforeEach(() => xray.reset());

  it('returns the downstream services of the function node with their latency', async () => {
    // Prepare
    xray.on(GetServiceGraphCommand).resolves(onePageGraph);
    const traces = new XRayTraces(mockedClients());

    // Act
    const graph = await traces.getDownstream(query);

    // Assess
    expect(xray).toHaveReceivedCommandTimes(GetServiceGraphCommand, 1);
    expect(xray).toHaveReceivedCommandWith(GetServiceGraphCommand, { StartTime: query.window.start, EndTime: now });
    expect(graph).toEqual({
      services: [
        {
          name: 'orders',
          type: 'AWS::DynamoDB::Table',
          requests: 800,
          errors: 4,
          faults: 2,
          averageMs: 50,
          p95Ms: 400,
        },
        { name: 'api.stripe.com', type: 'remote', requests: 200, errors: 0, faults: 10, averageMs: 500, p95Ms: 500 },
      ],
      functionFound: true,
      partial: undefined,
    });
  });

  it('merges the pages of the graph', async () => {
    // Prepare
    xray
      .on(GetServiceGraphCommand, { NextToken: undefined })
      .resolves(twoPageGraph[0])
      .on(GetServiceGraphCommand, { NextToken: 'page-2' })
      .resolves(twoPageGraph[1]);
    const traces = new XRayTraces(mockedClients());

    // Act
    const graph = await traces.getDownstream(query);

    // Assess
    expect(xray).toHaveReceivedCommandTimes(GetServiceGraphCommand, 2);
    expect(graph.services.map((d) => d.name)).toEqual(['orders', 'api.stripe.com']);
    expect(graph.partial).toBeUndefined();
  });

  it('says the function is not in a graph that does not hold it', async () => {
    // Prepare
    xray.on(GetServiceGraphCommand).resolves(graphWithoutTheFunction);
    const traces = new XRayTraces(mockedClients());

    // Act
    const graph = await traces.getDownstream(query);

    // Assess
    expect(graph).toEqual({ services: [], functionFound: false, partial: undefined });
  });

  it('says "partial" when X-Ray still had pages after the ones it reads', async () => {
    // Prepare: an account whose graph goes on past five pages, the function on none of them.
    xray
      .on(GetServiceGraphCommand)
      .callsFake((input: { NextToken?: string }) =>
        otherServicesPage(input.NextToken ? Number(input.NextToken.slice('page-'.length)) : 1),
      );
    const traces = new XRayTraces(mockedClients());

    // Act
    const graph = await traces.getDownstream(query);

    // Assess
    expect(xray).toHaveReceivedCommandTimes(GetServiceGraphCommand, 5);
    expect(graph.functionFound).toBe(false);
    expect(graph.partial).toBe('only the first 5 pages of the service graph were read');
  });

  it('keeps the pages it read and says "partial" when a later page fails', async () => {
    // Prepare
    const throttled = new XRayServiceException({
      name: 'ThrottledException',
      $fault: 'client',
      $metadata: { httpStatusCode: 429 },
      message: 'Rate exceeded',
    });
    xray
      .on(GetServiceGraphCommand, { NextToken: undefined })
      .resolves(twoPageGraph[0])
      .on(GetServiceGraphCommand, { NextToken: 'page-2' })
      .rejects(throttled);
    const traces = new XRayTraces(mockedClients());

    // Act
    const graph = await traces.getDownstream(query);

    // Assess
    expect(graph.functionFound).toBe(true);
    expect(graph.partial).toMatch(/^page 2 of the service graph failed \(/);
  });

  it('rejects when the first page fails: nothing was read', async () => {
    // Prepare
    const denied = new XRayServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'not authorized to perform: xray:GetServiceGraph',
    });
    xray.on(GetServiceGraphCommand).rejects(denied);
    const traces = new XRayTraces(mockedClients());

    // Act
    const error = await rejectionOf(traces.getDownstream(query));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.AccessDenied);
  });

  it('reports Unsupported for an empty graph (what the emulator always answers)', async () => {
    // Prepare
    xray.on(GetServiceGraphCommand).resolves(emptyGraph);
    const traces = new XRayTraces(mockedClients());

    // Act
    const error = await rejectionOf(traces.getDownstream(query));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Unsupported);
    expect((error as GofnError).message).toMatch(/empty service graph .* orders-api is unknown/);
  });

  it('estimates percentiles from a response-time histogram', () => {
    const histogram = [
      { Value: 0.1, Count: 90 },
      { Value: 0.3, Count: 5 },
      { Value: 2, Count: 5 },
    ];
    expect(histogramPercentile(histogram, 0.95)).toBe(0.3);
    expect(histogramPercentile(histogram, 0.96)).toBe(2);
    expect(histogramPercentile([], 0.95)).toBeUndefined();
  });
});

describe('XRayTraces.getErrorTraces', () => {
  beforeEach(() => xray.reset());

  it('filters on the function with error or fault and counts and ranks what it lists', async () => {
    // Prepare
    xray.on(GetTraceSummariesCommand).resolves({
      TraceSummaries: [
        summary('1-a', 10, { fault: true, message: 'dial tcp: i/o timeout' }),
        summary('1-b', 20, { fault: true, message: 'dial tcp: i/o timeout' }),
        summary('1-c', 30, { error: true, message: 'validation failed' }),
      ],
      ApproximateTime: now,
      TracesProcessedCount: 3,
    });
    xray.on(BatchGetTracesCommand).resolves({ Traces: [], UnprocessedTraceIds: [] });
    const traces = new XRayTraces(mockedClients());

    // Act
    const stats = await traces.getErrorTraces({ ...query, sampleSize: 0 });

    // Assess
    expect(xray).toHaveReceivedCommandWith(GetTraceSummariesCommand, {
      StartTime: query.window.start,
      EndTime: now,
      FilterExpression:
        'service(id(name: "orders-api", type: "AWS::Lambda")) { error OR fault } OR ' +
        'service(id(name: "orders-api", type: "AWS::Lambda::Function")) { error OR fault }',
    });
    expect(stats.tracesWithFault).toBe(2);
    expect(stats.tracesWithError).toBe(1);
    expect(stats.topMessages).toEqual([
      { message: 'dial tcp: i/o timeout', count: 2 },
      { message: 'validation failed', count: 1 },
    ]);
    expect(stats.truncated).toBe(false);
    expect(stats.samples).toEqual([]);
    expect(xray).toHaveReceivedCommandTimes(BatchGetTracesCommand, 0);
  });

  it('reads at most two pages of summaries and says when there were more', async () => {
    // Prepare
    xray
      .on(GetTraceSummariesCommand)
      .resolves({ TraceSummaries: [summary('1-a', 1, { fault: true })], NextToken: 'more' });
    const traces = new XRayTraces(mockedClients());

    // Act
    const stats = await traces.getErrorTraces({ ...query, sampleSize: 0 });

    // Assess
    expect(xray).toHaveReceivedCommandTimes(GetTraceSummariesCommand, 2);
    expect(stats.truncated).toBe(true);
    expect(stats.tracesWithFault).toBe(2);
  });

  it('fetches samples newest first with at most 5 trace IDs per BatchGetTraces call', async () => {
    // Prepare
    const summaries = Array.from({ length: 12 }, (_, i) => summary(`1-${i}`, i, { fault: true, message: `boom ${i}` }));
    xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: summaries });
    xray.on(BatchGetTracesCommand).callsFake(async (input: BatchGetTracesCommandInput) => ({
      Traces: (input.TraceIds ?? []).map((id) => trace(id, `req-${id}`, `panic in ${id}`)),
      UnprocessedTraceIds: [],
    }));
    const traces = new XRayTraces(mockedClients());

    // Act
    const stats = await traces.getErrorTraces({ ...query, sampleSize: 7 });

    // Assess
    const batches = xray.commandCalls(BatchGetTracesCommand).map((c) => c.args[0].input.TraceIds ?? []);
    expect(batches).toHaveLength(2);
    for (const ids of batches) expect(ids.length).toBeLessThanOrEqual(5);
    expect(stats.samples.map((s) => s.traceId)).toEqual(['1-11', '1-10', '1-9', '1-8', '1-7', '1-6', '1-5']);
    expect(stats.samples[0]).toEqual({
      traceId: '1-11',
      requestId: 'req-1-11',
      message: 'panic in 1-11',
      at: summaries[11]?.StartTime,
      durationMs: 250,
    });
  });

  it("reads spans sent over OTLP as it reads the daemon's: the invocation's request ID and the exception", async () => {
    // Prepare: one trace from each path.
    xray.on(GetTraceSummariesCommand).resolves({
      TraceSummaries: [
        summary('1-daemon', 1, { fault: true, message: 'boom' }),
        summary('1-otlp', 2, { fault: true, message: 'boom' }),
      ],
    });
    xray.on(BatchGetTracesCommand).resolves({
      Traces: [trace('1-daemon', 'req-daemon', 'boom'), otlpTrace('1-otlp', 'req-otlp', 'boom')],
      UnprocessedTraceIds: [],
    });
    const traces = new XRayTraces(mockedClients());

    // Act
    const stats = await traces.getErrorTraces({ ...query, sampleSize: 5 });

    // Assess
    expect(stats.samples.map((s) => [s.traceId, s.requestId, s.message])).toEqual([
      ['1-otlp', 'req-otlp', 'boom'],
      ['1-daemon', 'req-daemon', 'boom'],
    ]);
  });

  it('falls back to the summary root cause when a trace is not returned', async () => {
    // Prepare
    xray
      .on(GetTraceSummariesCommand)
      .resolves({ TraceSummaries: [summary('1-a', 1, { fault: true, message: 'oops' })] });
    xray.on(BatchGetTracesCommand).resolves({ Traces: [], UnprocessedTraceIds: ['1-a'] });
    const traces = new XRayTraces(mockedClients());

    // Act
    const stats = await traces.getErrorTraces({ ...query, sampleSize: 3 });

    // Assess
    expect(stats.samples).toEqual([
      { traceId: '1-a', requestId: undefined, message: 'oops', at: expect.any(Date), durationMs: 250 },
    ]);
  });

  it('reports Unsupported when filter expressions are not implemented (the emulator)', async () => {
    // Prepare
    xray.on(GetTraceSummariesCommand).rejects(
      new XRayServiceException({
        name: 'InternalFailure',
        $fault: 'server',
        message: 'Not implemented yet - moto',
        $metadata: { httpStatusCode: 500, attempts: 3 },
      }),
    );
    const traces = new XRayTraces(mockedClients());

    // Act
    const error = await rejectionOf(traces.getErrorTraces({ ...query, sampleSize: 3 }));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Unsupported);
    expect((error as GofnError).message).toBe(
      'XRay GetTraceSummaries for function orders-api is not supported by this AWS endpoint (Not implemented yet - moto).',
    );
  });

  it('refuses a function name that would break out of the filter expression', () => {
    expect(() => errorFilterExpression('x") OR service("y')).toThrow(GofnError);
  });

  it('asks about the last 6 hours of a longer window and marks the result truncated', async () => {
    // Prepare
    xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: [] });
    const traces = new XRayTraces(mockedClients());
    const day = { start: new Date(now.getTime() - 24 * hour), end: now };

    // Act
    const stats = await traces.getErrorTraces({ functionName: 'orders-api', window: day, sampleSize: 1 });

    // Assess
    expect(xray).toHaveReceivedCommandWith(GetTraceSummariesCommand, {
      StartTime: new Date(now.getTime() - 6 * hour),
      EndTime: now,
    });
    expect(stats.truncated).toBe(true);
  });
});
