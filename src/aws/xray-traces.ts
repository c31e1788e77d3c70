import {
  BatchGetTracesCommand,
  GetServiceGraphCommand,
  GetTraceSummariesCommand,
  type Service,
  type Trace,
  type TraceSummary,
} from '@aws-sdk/client-xray';
import { describeError, ErrorCode, GofnError } from '../errors';
import type {
  CallOptions,
  DownstreamGraph,
  ErrorTraceSample,
  ErrorTraceStats,
  TimeWindow,
  TraceQuery,
  TracesPort,
} from '../ports';
import { mapBounded } from '../map-bounded';
import { callAws, type AwsCall } from './call';
import type { AwsClients } from './clients';
import { assertWindow } from './metric-plan';
import { downstreamOf, isFunctionNode, lambdaNodeTypes } from './service-graph';
import { rankMessages, readTrace, rootCauseMessages } from './trace-documents';

/** BatchGetTraces takes at most 5 trace IDs per call. */
export const traceIdsPerBatch = 5;
/** GetTraceSummaries pages read at most; the rest only sets `truncated`. */
const summaryPages = 2;
/**
 * A further page is read only while the listing holds fewer summaries than this (or than the
 * sample needs): X-Ray hands out thin pages while it scans, but once a page has enough failing
 * traces to rank their messages, another one costs a request and 400 ms for little more.
 */
const enoughSummaries = 10;
/** Service graph pages read at most; a function's neighbourhood fits in one or two. */
const graphPages = 5;
/** X-Ray is asked about the last 6 hours of a longer window, the span its trace APIs serve. */
const maxSpanMs = 6 * 3600 * 1000;

/** Lambda function names are [A-Za-z0-9_-]; anything else would break out of the filter string. */
const functionNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

/** Traces that hit either Lambda node of the function with an error (4xx) or a fault (5xx). */
export function errorFilterExpression(functionName: string): string {
  if (!functionNamePattern.test(functionName)) {
    throw new GofnError(ErrorCode.InvalidInput, `${JSON.stringify(functionName)} is not a Lambda function name.`);
  }
  return lambdaNodeTypes
    .map((type) => `service(id(name: "${functionName}", type: "${type}")) { error OR fault }`)
    .join(' OR ');
}

function clampWindow(window: TimeWindow): { window: TimeWindow; clamped: boolean } {
  assertWindow(window, 'trace');
  if (window.end.getTime() - window.start.getTime() <= maxSpanMs) return { window, clamped: false };
  return { window: { start: new Date(window.end.getTime() - maxSpanMs), end: window.end }, clamped: true };
}

/** TracesPort over X-Ray: the service graph for downstream latency, trace summaries for errors. */
export class XRayTraces implements TracesPort {
  constructor(private readonly clients: AwsClients) {}

  async getDownstream(query: TraceQuery, opts?: CallOptions): Promise<DownstreamGraph> {
    const { window } = clampWindow(query.window);
    const call: AwsCall = { service: 'XRay', operation: 'GetServiceGraph', subject: `function ${query.functionName}` };
    const services: Service[] = [];
    let nextToken: string | undefined;
    let partial: string | undefined;
    let pages = 0;
    for (; pages < graphPages; pages++) {
      let out;
      try {
        out = await this.call(call, opts, (abortSignal) =>
          this.clients.xray.send(
            new GetServiceGraphCommand({ StartTime: window.start, EndTime: window.end, NextToken: nextToken }),
            { abortSignal },
          ),
        );
      } catch (error) {
        // The pages already read still describe part of the graph; a deadline is not a partial read.
        if (pages === 0 || opts?.signal?.aborted) throw error;
        partial = `page ${pages + 1} of the service graph failed (${describeError(error)})`;
        break;
      }
      services.push(...(out.Services ?? []));
      nextToken = out.NextToken;
      if (!nextToken) break;
    }
    if (!partial && nextToken) partial = `only the first ${graphPages} pages of the service graph were read`;
    if (services.length === 0 && !partial) {
      // A graph with no node at all: no traces in the window anywhere, or a source (the emulator)
      // that never builds one. Either way nothing can be said about downstream latency.
      throw new GofnError(
        ErrorCode.Unsupported,
        `X-Ray returned an empty service graph for ${window.start.toISOString()} to ${window.end.toISOString()}, so downstream latency of ${query.functionName} is unknown.`,
        { hint: 'Turn on active tracing for the function, or look at its downstream metrics directly.' },
      );
    }
    return {
      services: downstreamOf(services, query.functionName),
      functionFound: services.some((service) => isFunctionNode(service, query.functionName)),
      partial,
    };
  }

  async getErrorTraces(query: TraceQuery & { sampleSize: number }, opts?: CallOptions): Promise<ErrorTraceStats> {
    const { window, clamped } = clampWindow(query.window);
    const call: AwsCall = {
      service: 'XRay',
      operation: 'GetTraceSummaries',
      subject: `function ${query.functionName}`,
    };
    const filter = errorFilterExpression(query.functionName);
    const summaries: TraceSummary[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < summaryPages; page++) {
      const out = await this.call(call, opts, (abortSignal) =>
        this.clients.xray.send(
          new GetTraceSummariesCommand({
            StartTime: window.start,
            EndTime: window.end,
            FilterExpression: filter,
            Sampling: false,
            NextToken: nextToken,
          }),
          { abortSignal },
        ),
      );
      summaries.push(...(out.TraceSummaries ?? []));
      nextToken = out.NextToken;
      if (!nextToken || summaries.length >= Math.max(enoughSummaries, query.sampleSize)) break;
    }

    const samples = await this.sample(summaries, Math.max(0, Math.floor(query.sampleSize)), query.functionName, opts);
    return {
      tracesWithError: summaries.filter((s) => s.HasError).length,
      tracesWithFault: summaries.filter((s) => s.HasFault).length,
      topMessages: rankMessages(summaries),
      samples,
      truncated: nextToken !== undefined || clamped,
    };
  }

  /** Full traces of the newest failing summaries, at most 5 IDs per BatchGetTraces call. */
  private async sample(
    summaries: TraceSummary[],
    sampleSize: number,
    functionName: string,
    opts: CallOptions | undefined,
  ): Promise<ErrorTraceSample[]> {
    const chosen = summaries
      .filter((s): s is TraceSummary & { Id: string } => Boolean(s.Id))
      .sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0))
      .slice(0, sampleSize);
    if (chosen.length === 0) return [];
    const batches: string[][] = [];
    for (let i = 0; i < chosen.length; i += traceIdsPerBatch) {
      batches.push(chosen.slice(i, i + traceIdsPerBatch).map((s) => s.Id));
    }
    const call: AwsCall = { service: 'XRay', operation: 'BatchGetTraces', subject: `function ${functionName}` };
    const answers = await mapBounded(batches, 2, (ids) =>
      this.call(call, opts, (abortSignal) =>
        this.clients.xray.send(new BatchGetTracesCommand({ TraceIds: ids }), { abortSignal }),
      ),
    );
    const traces = new Map<string, Trace>();
    for (const answer of answers) for (const trace of answer.Traces ?? []) if (trace.Id) traces.set(trace.Id, trace);

    return chosen.map((summary) => {
      const trace = traces.get(summary.Id);
      const details = trace ? readTrace(trace) : undefined;
      return {
        traceId: summary.Id,
        requestId: details?.requestId,
        message: details?.message ?? rootCauseMessages(summary)[0],
        at: summary.StartTime ?? details?.at,
        durationMs: summary.Duration === undefined ? undefined : summary.Duration * 1000,
      };
    });
  }

  private call<T>(call: AwsCall, opts: CallOptions | undefined, send: (abortSignal: AbortSignal) => Promise<T>) {
    return callAws(call, opts, this.clients.settings.callTimeoutMs, send);
  }
}
