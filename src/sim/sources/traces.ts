import { ErrorCode, GofnError } from '../../errors';
import type { CallOptions, DownstreamGraph, ErrorTraceStats, TimeWindow, TraceQuery, TracesPort } from '../../ports';
import { downstreamStats } from '../aggregate';
import { failedTraces } from '../error-traces';
import type { SimulatedFleet, SimulatedFunction } from '../fleet';
import { faultOf } from './requests';
import type { RequestSimulator } from './requests';

/** GetTraceSummaries pages hold up to 100 traces; like the AWS adapter, listing stops after 2 pages. */
const TRACE_SUMMARY_PAGE_SIZE = 100;
const MAX_TRACE_SUMMARY_PAGES = 2;
/** Like the AWS adapter, X-Ray is asked about the last 6 hours of a longer window. */
const MAX_TRACE_SPAN_MS = 6 * 3_600_000;
/** BatchGetTraces takes at most 5 trace IDs a request. */
const TRACES_PER_BATCH = 5;
const TOP_MESSAGES = 5;

export class SimulatedTraces implements TracesPort {
  constructor(
    private readonly fleet: SimulatedFleet,
    private readonly requests: RequestSimulator,
  ) {}

  async getDownstream(query: TraceQuery, opts?: CallOptions): Promise<DownstreamGraph> {
    const fn = this.fleet.findFunction(query.functionName);
    const fault = faultOf(fn, 'traces', `the traces of ${query.functionName}`);
    await this.requests.send('XRay', 'GetServiceGraph', opts, fault);
    const { window } = clampToTraceSpan(query.window);
    if (!this.anyTraffic(window, fn)) {
      // The AWS adapter reads an empty account-wide graph as "cannot tell", not as "no calls".
      throw new GofnError(
        ErrorCode.Unsupported,
        `X-Ray returned an empty service graph for ${window.start.toISOString()} to ${window.end.toISOString()}, ` +
          `so downstream latency of ${query.functionName} is unknown.`,
      );
    }
    // Without active tracing Lambda records no segment of the function: the graph has no node
    // for it, whatever it called.
    const traced = fn !== undefined && fn.tracingMode === 'Active';
    const minutes = traced ? fn.signals.minutesIn(window) : [];
    return {
      services: downstreamStats(minutes),
      functionFound: minutes.some((m) => m.invocations > 0),
      partial: undefined,
    };
  }

  /** Whether any function of the fleet was invoked in the window, the asked one first. */
  private anyTraffic(window: TimeWindow, first: SimulatedFunction | undefined): boolean {
    const invoked = (fn: SimulatedFunction | undefined) =>
      fn?.signals.minutesIn(window).some((m) => m.invocations > 0) ?? false;
    return invoked(first) || this.fleet.functionNames().some((name) => invoked(this.fleet.findFunction(name)));
  }

  async getErrorTraces(query: TraceQuery & { sampleSize: number }, opts?: CallOptions): Promise<ErrorTraceStats> {
    const fn = this.fleet.findFunction(query.functionName);
    const fault = faultOf(fn, 'traces', `the traces of ${query.functionName}`);
    const { window, clamped } = clampToTraceSpan(query.window);
    const minutes = fn ? fn.signals.minutesIn(window) : [];
    const failing = minutes.reduce((sum, m) => sum + m.errors, 0);
    const limit = TRACE_SUMMARY_PAGE_SIZE * MAX_TRACE_SUMMARY_PAGES;
    const listed = fn ? failedTraces(fn.name, minutes, limit, this.fleet.now) : [];

    const pages = Math.max(1, Math.ceil(listed.length / TRACE_SUMMARY_PAGE_SIZE));
    for (let page = 0; page < pages; page++) await this.requests.send('XRay', 'GetTraceSummaries', opts, fault);

    const samples = listed.slice(0, Math.max(0, query.sampleSize));
    for (let i = 0; i < samples.length; i += TRACES_PER_BATCH) await this.requests.send('XRay', 'BatchGetTraces', opts);

    const counts = new Map<string, number>();
    for (const trace of listed) {
      if (trace.message !== undefined) counts.set(trace.message, (counts.get(trace.message) ?? 0) + 1);
    }
    return {
      tracesWithError: listed.filter((t) => t.kind === 'error').length,
      tracesWithFault: listed.filter((t) => t.kind === 'fault').length,
      topMessages: [...counts.entries()]
        .map(([message, count]) => ({ message, count }))
        .sort((a, b) => b.count - a.count || a.message.localeCompare(b.message))
        .slice(0, TOP_MESSAGES),
      samples: samples.map((t) => ({
        traceId: t.traceId,
        requestId: t.requestId,
        message: t.message,
        at: new Date(t.at.getTime()),
        durationMs: t.durationMs,
      })),
      truncated: failing > listed.length || clamped,
    };
  }
}

function clampToTraceSpan(window: TimeWindow): { window: TimeWindow; clamped: boolean } {
  if (window.end.getTime() - window.start.getTime() <= MAX_TRACE_SPAN_MS) return { window, clamped: false };
  return { window: { start: new Date(window.end.getTime() - MAX_TRACE_SPAN_MS), end: window.end }, clamped: true };
}
