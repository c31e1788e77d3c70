import type { Architecture } from '../ports';

/** The cost of one item over the window, and over a month at the recent rate. */
export interface CostAmount {
  /** Over the window's days (the last 30 whole UTC days by default). */
  window: number;
  /** 30 days at the daily average of the window's last 7 days. */
  month: number;
}

export const COST_ITEMS = ['requests', 'compute', 'provisioned', 'logs', 'xray'] as const;
export type CostItem = (typeof COST_ITEMS)[number];

/** What bites: a cost that is easy to miss and easy to fix. */
export type CostFlagKind =
  'logs-over-compute' | 'xray-full-sampling' | 'idle-provisioned' | 'memory-far-above-use' | 'memory-near-limit';

export interface CostFlag {
  kind: CostFlagKind;
  /** E.g. "logs cost more than compute ($58.10 vs $41.20 a month)". */
  text: string;
}

export type RightSizingStatus = 'shrink' | 'raise' | 'ok' | 'not-enough-data';

export interface RightSizing {
  status: RightSizingStatus;
  currentMb: number;
  /** The size gofn suggests; null when it suggests none. */
  suggestedMb: number | null;
  /** Compute saved a month at the suggested size if duration stays the same (negative: it costs more). */
  monthlySaving: number | null;
  /** How likely the suggestion hurts: Go's CPU share shrinks with memory, and p99 may reach the timeout. */
  risk: 'low' | 'medium' | 'high' | null;
  /** The sentence behind the risk, e.g. "CPU-bound, p99 could reach 3.2 s of the 10 s timeout". */
  riskText: string | null;
  /** What the size rests on, e.g. "peak 212 MB over 18,240 reports in 7 days, + 30% headroom". */
  basis: string;
}

export interface OptimizerComparison {
  /** `recommends` a size, finds the current one `optimized`, `unavailable` for this function, or `absent`. */
  status: 'recommends' | 'optimized' | 'unavailable' | 'absent';
  memoryMb: number | null;
  monthlySavings: number | null;
  /** Why Compute Optimizer and gofn differ, or that they agree; why it has nothing. */
  text: string;
}

export interface FunctionUsage {
  invocations: number;
  /** Handler duration and billed init time, in GB-seconds, over the window. */
  gbSeconds: number;
  /** Init time billed over the window (s), estimated from the memory window's cold starts; null when unknown. */
  initSeconds: number | null;
  logGb: number | null;
  /** Traces X-Ray recorded over the window; null when unknown. */
  traces: number | null;
  /** Share of invocations X-Ray traced in the last 6 h of the window; null when unknown. */
  tracedShare: number | null;
  /** Share of invocations served by provisioned concurrency. */
  provisionedShare: number;
  /** Provisioned concurrency configured now; null when not read. */
  provisioned: { qualifier: string; allocated: number; utilization: number | null }[] | null;
  durationP99Ms: number | null;
  maxMemoryUsedMb: number | null;
  memoryReports: number;
}

export interface FunctionCost {
  function: string;
  /** Value of the `service` tag; null when untagged. */
  service: string | null;
  architecture: Architecture;
  memoryMb: number;
  timeoutSeconds: number;
  /** Null for an item that could not be priced (see `unknown`). */
  items: Record<CostItem, CostAmount | null>;
  /** Sum of the items that could be priced. */
  total: CostAmount;
  usage: FunctionUsage;
  /** How each item was computed, numbers filled in, for --explain. */
  formulas: Record<CostItem, string>;
  flags: CostFlag[];
  rightSizing: RightSizing;
  computeOptimizer: OptimizerComparison | null;
  /** What could not be read for this function, as sentences. */
  unknown: string[];
}

/** A function listed but not priced: its usage request failed, or it has no configuration. */
export interface UnpricedFunction {
  function: string;
  reason: string;
}

export interface BilledComparisonRow {
  /** Value of the cost allocation tag. */
  service: string;
  billed: number;
  estimated: number;
  difference: number;
  /** Difference as a percentage of the estimate; null when the estimate is 0. */
  differencePercent: number | null;
}

export type BilledComparison =
  | {
      status: 'compared';
      tagKey: string;
      currency: string;
      rows: BilledComparisonRow[];
      /** Billed cost of resources without the tag (all of the account's untagged usage of these services). */
      untagged: number;
      /** Cost Explorer marks the newest days as estimated until the bill closes. */
      estimated: boolean;
    }
  | { status: 'unavailable'; reason: string }
  | { status: 'skipped'; reason: string };

export interface CostReport {
  region: string;
  /** What was asked: "every managed function", "service=orders" or a function name. */
  selection: string;
  window: { start: string; end: string; days: number };
  /** The Logs Insights window of the memory query; null when it was not run. */
  memoryWindow: { start: string; end: string } | null;
  prices: { date: string; region: string; fallback: string | null; sources: string[] };
  /** Most expensive first (projected month), unless sorted by name. */
  functions: FunctionCost[];
  unpriced: UnpricedFunction[];
  total: CostAmount & { items: Record<CostItem, CostAmount> };
  billed: BilledComparison;
  computeOptimizer: { available: boolean; reason: string | null };
  /** Sentences about the whole read: what was not read, what is assumed. */
  notes: string[];
  awsCalls: Record<string, number>;
  durationMs: number;
  source: string;
}
