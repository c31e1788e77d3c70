/** Logs Insights: what the REPORT lines and the runtime's own lines say about each invocation. */
import type { CallOptions, TimeWindow } from './common';

export interface ColdStartWindow {
  /** REPORT lines seen (one per invocation). */
  invocations: number;
  /** REPORT lines with an Init Duration. */
  coldStarts: number;
  initAvgMs: number | undefined;
  initMaxMs: number | undefined;
}

export interface ColdStartStats {
  current: ColdStartWindow;
  previous: ColdStartWindow;
  /** The Logs Insights query that produced the numbers, for the console link. */
  queryString: string;
}

/** Max Memory Used against Memory Size over the current window (seed §8's right-size query). */
export interface MemoryUse {
  /** Reports that carried a Max Memory Used. */
  reports: number;
  /** The highest Max Memory Used of any invocation, in MB (Lambda's decimal megabytes). */
  maxMemoryUsedMB: number | undefined;
  /** The mean of the invocations' Max Memory Used, in MB. */
  avgMemoryUsedMB: number | undefined;
  /** Memory Size as the reports state it, in MB. */
  memorySizeMB: number | undefined;
}

/** One kind of crash over the current window. */
export interface CrashKind {
  count: number;
  /** Up to three request IDs of invocations it ended, newest first. */
  requestIds: string[];
}

export interface GoPanic extends CrashKind {
  /** The panic's message, e.g. "runtime error: invalid memory address or nil pointer dereference". */
  message: string | undefined;
  /** The top frame of the panicking goroutine, e.g. "handle (orders/handler.go:41)", when the log carries it. */
  topFrame: string | undefined;
}

/** How invocations ended badly, as the function's log group tells it. */
export interface CrashStats {
  /** "Task timed out after …", or a report with status timeout. */
  timeouts: CrashKind;
  /** "Runtime exited with error: signal: killed", or a report with error type Runtime.OutOfMemory. */
  outOfMemory: CrashKind;
  /** Go panics: `panic: …` written by the runtime, or a handler panic aws-lambda-go recovered and logged. */
  panics: GoPanic;
}

/** Everything the one Logs Insights query of a diagnosis reads: cold starts, memory, crashes. */
export interface InvocationLogStats extends ColdStartStats {
  memory: MemoryUse;
  crashes: CrashStats;
}

export interface ColdStartQuery {
  logGroup: string;
  window: TimeWindow;
  previous: TimeWindow;
}

/** A runbook's own Logs Insights step: its query over the current window. */
export interface InsightsQuery {
  logGroup: string;
  queryString: string;
  window: TimeWindow;
}

/** Result rows as Logs Insights returns them: field name → value (numbers arrive as text). */
export type InsightsRow = Record<string, string>;

export interface LogsPort {
  /**
   * ONE StartQuery over both windows reading the REPORT lines (both log formats) and the lines
   * Lambda and the Go runtime write when an invocation dies; GetQueryResults with backoff (at most
   * 10 polls), StopQuery if `opts.signal` aborts first.
   */
  getInvocationLogs(query: ColdStartQuery, opts?: CallOptions): Promise<InvocationLogStats>;
  /** A runbook's own query (same polling); its rows, at most 1,000. */
  runQuery(query: InsightsQuery, opts?: CallOptions): Promise<InsightsRow[]>;
}
