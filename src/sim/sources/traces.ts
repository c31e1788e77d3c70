import type { CallOptions, DownstreamStats, ErrorTraceStats, TraceQuery, TracesPort } from '../../ports';
import { downstreamStats } from '../aggregate';
import { failedTraces } from '../error-traces';
import type { SimulatedFleet } from '../fleet';
import { faultOf } from './requests';
import type { RequestSimulator } from './requests';

/** GetTraceSummaries pages hold up to 100 traces; listing stops after this many pages. */
export const TRACE_SUMMARY_PAGE_SIZE = 100;
export const MAX_TRACE_SUMMARY_PAGES = 5;
/** BatchGetTraces takes at most 5 trace IDs a request. */
const TRACES_PER_BATCH = 5;
const TOP_MESSAGES = 5;

export class SimulatedTraces implements TracesPort {
  constructor(
    private readonly fleet: SimulatedFleet,
    private readonly requests: RequestSimulator,
  ) {}

  async getDownstream(query: TraceQuery, opts?: CallOptions): Promise<DownstreamStats[]> {
    const fn = this.fleet.findFunction(query.functionName);
    await this.requests.send(
      'XRay',
      'GetServiceGraph',
      opts,
      faultOf(fn, 'traces', `the traces of ${query.functionName}`),
    );
    // X-Ray has no service graph for a function it never saw: an empty graph, not an error.
    return fn ? downstreamStats(fn.signals.minutesIn(query.window)) : [];
  }

  async getErrorTraces(query: TraceQuery & { sampleSize: number }, opts?: CallOptions): Promise<ErrorTraceStats> {
    const fn = this.fleet.findFunction(query.functionName);
    const fault = faultOf(fn, 'traces', `the traces of ${query.functionName}`);
    const minutes = fn ? fn.signals.minutesIn(query.window) : [];
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
      truncated: failing > listed.length,
    };
  }
}
