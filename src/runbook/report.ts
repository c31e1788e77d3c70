import type { ActionKind, EvidenceValue, Link, StepStatus } from '../checks/types';

/** An action a report offers, with everything needed to plan it later (CLI or button). */
export interface OfferedAction {
  kind: ActionKind;
  /** Button-sized label, e.g. "Roll back v42 → v41". */
  label: string;
  /** The same action in the terminal, e.g. "gofn rollback orders-api". */
  command: string;
  /** The step that offered it. */
  stepId: string;
  params: Record<string, string | number>;
}

export interface StepReport {
  id: string;
  title: string;
  status: StepStatus;
  /** One line with the numbers. */
  summary: string;
  /** The numbers behind the summary. */
  evidence: Record<string, EvidenceValue>;
  /** The runbook's advice, when the step is at warn or critical. */
  recommendation: string | null;
  actions: OfferedAction[];
  links: Link[];
  /** Why the status is `unknown`. */
  reason: string | null;
  /** A step that gives guidance rather than a measurement. */
  informational: boolean;
  /** The cause as a clause, for the verdict when this step is the primary cause. */
  headline: string | null;
}

/** Requests to the alias in the window, from the same metrics the steps read. */
export interface Traffic {
  invocations: number;
  throttles: number;
}

/** The result of walking a runbook against one function; renderers are pure functions of it. */
export interface Report {
  function: string;
  region: string;
  alias: string;
  version: string | null;
  /**
   * Weighted routing of the alias: a canary version and its share of traffic, e.g. {"43": 0.1};
   * empty when the alias sends everything to `version`.
   */
  routing: Record<string, number>;
  accountId: string | null;
  /** The configured account's name, when several accounts and regions are configured (src/targets.ts). */
  account?: string | undefined;
  window: { start: string; end: string };
  /**
   * The worst step status; `no-traffic` when the alias had no request in the window and no step
   * found a problem: never `ok` for a function nothing ran on.
   */
  status: StepStatus;
  /** Requests to the alias in the window; null when the metrics could not be read. */
  traffic: Traffic | null;
  /** The first step in runbook order at the worst status, when that status is warn or critical. */
  primaryCause: string | null;
  /** One sentence: what is wrong, or that nothing is. */
  verdict: string;
  steps: StepReport[];
  /** Function-level console links: metrics, logs, traces, alias. */
  links: Link[];
  awsCalls: Record<string, number>;
  durationMs: number;
  runbook: string;
  /** `aws` or `simulated`. */
  source: string;
  /** Set when the deadline cut the diagnosis short: what is missing. */
  incomplete: string | null;
  /** Slack user and user-group IDs in the function's `gofn:owners` tag: who may act on it. */
  owners: string[];
  /**
   * What the reader should know about how the diagnosis was made, as sentences: a function
   * without aliases diagnosed as $LATEST (and how to add one).
   */
  notes: string[];
  /** The alarm that asked for the diagnosis, when one did: the report leads with it. */
  alarm: AlarmLead | null;
}

/** The alarm a report answers, and what its metric did in the window. */
export interface AlarmLead {
  name: string;
  /** "Errors Sum > 5 for 2 of 3 periods of 1 min". */
  condition: string;
  /** The metric, as the alarm names it: "AWS/Lambda Errors (FunctionName=orders-api)". */
  metric: string;
  threshold: number | null;
  /** The alarm's statistic over the current window (from the same GetMetricData), when gofn could read it. */
  value: number | null;
  /** What CloudWatch said when it changed state. */
  reason: string;
  since: string;
}
