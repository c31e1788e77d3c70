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

/** What the service graph says about one function's downstream calls. */
export interface DownstreamGraph {
  /** Services the function's nodes called, busiest first. */
  services: DownstreamStats[];
  /**
   * Whether the function's own nodes were in the graph (the pages read). A traced function that ran
   * has them even when it calls nothing; without them the graph says nothing about the function.
   */
  functionFound: boolean;
  /** Set when the graph was read only in part, saying how (pages left unread, a page that failed). */
  partial: string | undefined;
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
  /**
   * Downstream services of the function and their latency over the window (service graph). A
   * graph with no node at all rejects with Unsupported: nothing was traced anywhere.
   */
  getDownstream(query: TraceQuery, opts?: CallOptions): Promise<DownstreamGraph>;
  getErrorTraces(query: TraceQuery & { sampleSize: number }, opts?: CallOptions): Promise<ErrorTraceStats>;
}
