/**
 * What running a function costs: its configuration, its usage over whole days, and the sources
 * that price or judge it (Cost Explorer, Compute Optimizer). Every method answers for many
 * functions at once, so a fleet costs a few batched requests, not a round trip per function.
 */
import type { CallOptions, TimeWindow } from './common';

export type Architecture = 'arm64' | 'x86_64';

/** The configuration a function's cost depends on, as ListFunctions or GetFunction reports it. */
export interface FunctionCostConfig {
  name: string;
  /** Unqualified function ARN. */
  arn: string;
  architecture: Architecture;
  memoryMb: number;
  timeoutSeconds: number;
  /** LoggingConfig.LogGroup, or Lambda's default `/aws/lambda/<name>`. */
  logGroup: string;
  /** TracingConfig.Mode: `Active` or `PassThrough`; undefined when not reported. */
  tracingMode: string | undefined;
}

/** Whole UTC days, oldest first, as Cost Explorer bills them and CloudWatch aligns daily periods. */
export interface CostWindow extends TimeWindow {
  days: number;
}

/** One function of a cost read, as the usage port is asked about it. */
export interface CostTarget {
  functionName: string;
  /** The log group whose AWS/Logs IncomingBytes is the function's log ingestion. */
  logGroup: string;
}

/** GetMetricData accepts at most 500 queries per request; a function's queries travel together. */
export const COST_QUERIES_PER_REQUEST = 500;

/**
 * Queries per function: Invocations (6-hour periods, so the last one can be set against the
 * traces X-Ray recorded then), Duration Sum, Duration p99, ProvisionedConcurrencyInvocations
 * (daily), and IncomingBytes of its log group (daily). 500 ÷ 5 = 100 functions a request.
 */
export const COST_QUERIES_PER_FUNCTION = 5;

/** The invocations series has this period, and X-Ray is asked about the last period of the window. */
export const RECENT_PERIOD_HOURS = 6;

/** One UTC day of a function's usage. */
export interface DayUsage {
  invocations: number;
  /** Sum of Duration (ms): the billed handler time, without init. */
  durationMs: number;
  /** Invocations served by provisioned concurrency (ProvisionedConcurrencyInvocations). */
  provisionedInvocations: number;
  /** IncomingBytes of the log group. */
  logBytes: number;
}

export interface CostUsage {
  /** One entry per day of the window, oldest first. */
  days: DayUsage[];
  /** The highest daily Duration p99 of the window; undefined without data or where not served. */
  durationP99Ms: number | undefined;
  /** Invocations in the last RECENT_PERIOD_HOURS of the window. */
  recentInvocations: number;
  /** Statistics CloudWatch did not serve for this function, e.g. "IncomingBytes". */
  missing: string[];
}

/** The usage of a function nothing invoked over `days` days: what CloudWatch's empty series add up to. */
export function noUsage(days: number, missing: string[] = []): CostUsage {
  return {
    days: Array.from({ length: days }, () => ({
      invocations: 0,
      durationMs: 0,
      provisionedInvocations: 0,
      logBytes: 0,
    })),
    durationP99Ms: undefined,
    recentInvocations: 0,
    missing,
  };
}

export type CostUsageEntry = { served: true; usage: CostUsage } | { served: false; reason: string };

/** What the REPORT lines (or platform.report records) of one log group say over the memory window. */
export interface LogGroupMemory {
  /** REPORT lines and platform.report records counted: one per invocation. */
  reports: number;
  /** The highest Max Memory Used, in MB. */
  maxUsedMb: number | undefined;
  /** The highest Memory Size the reports name, in MB (a resize within the window shows the larger). */
  memorySizeMb: number | undefined;
  /** Reports with an init duration (cold starts), and their total init time: billed like duration. */
  initCount: number;
  initMsSum: number;
}

export interface MemoryUseAnswer {
  byLogGroup: Map<string, LogGroupMemory>;
  /** Log groups whose query failed, each with the reason; the others still answered. */
  unanswered: Map<string, string>;
  /** The Logs Insights query that was run, for the console link and --explain. */
  queryString: string;
  window: TimeWindow;
}

/** Requests X-Ray recorded a trace of, per function, over one window of the service graph. */
export interface TracedRequests {
  window: TimeWindow;
  byFunction: Map<string, number>;
  /** Set when the graph was read only in part. */
  partial: string | undefined;
}

/** A provisioned concurrency configuration (ListProvisionedConcurrencyConfigs). */
export interface ProvisionedConfig {
  /** The alias or version it is configured on. */
  qualifier: string;
  /** AllocatedProvisionedConcurrentExecutions: what is being paid for now. */
  allocated: number;
  requested: number;
  /** LastModified: the allocation is assumed unchanged since then. */
  since: Date | undefined;
}

/** Compute Optimizer's memory recommendation for one function ($LATEST). */
export interface MemoryRecommendation {
  /** Optimized, NotOptimized or Unavailable. */
  finding: string;
  /** MemoryOverprovisioned, MemoryUnderprovisioned, InsufficientData, Inconclusive. */
  reasons: string[];
  currentMemoryMb: number | undefined;
  /** The first-ranked option's memory size; undefined when it offers none. */
  recommendedMemoryMb: number | undefined;
  monthlySavings: { amount: number; currency: string } | undefined;
  /** The duration it expects at the recommended size (ms), its upper bound when given. */
  projectedDurationMs: number | undefined;
  lookbackDays: number | undefined;
  invocations: number | undefined;
}

export type RecommendationsAnswer =
  { available: true; byFunction: Map<string, MemoryRecommendation> } | { available: false; reason: string };

/** One row of billed cost: a value of the cost allocation tag (empty: untagged) and an AWS service. */
export interface BilledRow {
  tagValue: string;
  /** Cost Explorer's SERVICE dimension, e.g. `AWS Lambda`, `AmazonCloudWatch`, `AWS X-Ray`. */
  service: string;
  amount: number;
}

export type BilledAnswer =
  { available: true; currency: string; rows: BilledRow[]; estimated: boolean } | { available: false; reason: string };

/** The AWS services whose billed cost is set against gofn's estimate (Cost Explorer SERVICE values). */
export const BILLED_SERVICES = ['AWS Lambda', 'AmazonCloudWatch', 'AWS X-Ray'] as const;

export interface CostPort {
  /** Every function's configuration, a page at a time (ListFunctions, 50 a page). */
  functionConfigPages(opts?: CallOptions): AsyncIterable<FunctionCostConfig[]>;
  /**
   * Daily usage of many functions over the window, in ⌈functions ÷ 100⌉ GetMetricData requests
   * sent concurrently. A request CloudWatch refuses makes its functions `served: false` with the
   * reason; only the caller's signal aborting rejects.
   */
  getUsage(targets: CostTarget[], window: CostWindow, opts?: CallOptions): Promise<Map<string, CostUsageEntry>>;
  /**
   * Max memory used and init time from the REPORT lines of many log groups: one Logs Insights
   * query per 50 log groups (StartQuery's limit), a few at a time. A query that fails leaves its
   * log groups in `unanswered`.
   */
  getMemoryUse(logGroups: string[], window: TimeWindow, opts?: CallOptions): Promise<MemoryUseAnswer>;
  /** Traced requests of every function in the account and region, from one service graph. */
  getTracedRequests(window: TimeWindow, opts?: CallOptions): Promise<TracedRequests>;
  /** The function's provisioned concurrency configurations; empty when it has none. */
  getProvisionedConcurrency(functionName: string, opts?: CallOptions): Promise<ProvisionedConfig[]>;
  /**
   * Compute Optimizer's memory recommendations for the functions of the account and region.
   * Not opted in, or not allowed, is an answer (`available: false`), not a failure.
   */
  getMemoryRecommendations(opts?: CallOptions): Promise<RecommendationsAnswer>;
  /**
   * Billed cost over the window of the Lambda, CloudWatch and X-Ray usage in `region`, by value of
   * the cost allocation tag `tagKey`. Cost Explorer not enabled, or not allowed, is an answer.
   */
  getBilledCost(window: CostWindow, tagKey: string, region: string, opts?: CallOptions): Promise<BilledAnswer>;
}
