/** X-Ray: downstream latency and error traces. */
import type { CallOptions, TimeWindow } from './common';

export interface DownstreamStats {
  /** Service name as X-Ray shows it, e.g. `DynamoDB` or `api.stripe.com`. */
  name: string;
  /** X-Ray service type, e.g. `AWS::DynamoDB` or `remote`. */
  type: string;
  requests: number;
  errors: number;
  faults: number;
  averageMs: number | undefined;
  p95Ms: number | undefined;
}

export interface ErrorTraceSample {
  traceId: string;
  requestId: string | undefined;
  message: string | undefined;
  at: Date | undefined;
  durationMs: number | undefined;
}

export interface ErrorTraceStats {
  /** Traces with error (4xx) or fault (5xx) in the window, as far as the listing went. */
  tracesWithError: number;
  tracesWithFault: number;
  /** Most common root-cause messages, most frequent first. */
  topMessages: { message: string; count: number }[];
  /** A few failing invocations with their request IDs (from BatchGetTraces, at most 5 IDs a call). */
  samples: ErrorTraceSample[];
  /** True when there were more traces than were listed. */
  truncated: boolean;
}

export interface TraceQuery {
  functionName: string;
  window: TimeWindow;
}

export interface TracesPort {
  /** Downstream services of the function and their latency over the window (service graph). */
  getDownstream(query: TraceQuery, opts?: CallOptions): Promise<DownstreamStats[]>;
  getErrorTraces(query: TraceQuery & { sampleSize: number }, opts?: CallOptions): Promise<ErrorTraceStats>;
}
