import type { FunctionInfo, TimeWindow } from '../ports';
import type { Evidence } from './evidence';

/**
 * How a runbook step ended. `unknown`: its data source failed or did not answer in time.
 * `no-traffic`: the alias had no requests in the window, so there is nothing to judge: never
 * "ok", because a function nobody calls is not known to be healthy.
 */
export type StepStatus = 'ok' | 'warn' | 'critical' | 'unknown' | 'no-traffic';

/** A {warn, critical} pair from the runbook; either may be absent. */
export interface ThresholdPair {
  warn?: number | undefined;
  critical?: number | undefined;
}

export type ActionKind = 'rollback' | 'replay-dlq' | 'raise-concurrency' | 'profile';

export interface Link {
  label: string;
  url: string;
}

export type EvidenceValue = number | string | boolean | null | string[] | number[];

/** What a check hands to the action offers of its step, when the step offers actions. */
export interface ActionHints {
  rollback?: {
    fromVersion: string;
    toVersion: string | undefined;
    deploymentId: string | undefined;
    /** Set during a canary: rolling back keeps `toVersion` (the stable one) and clears this version's share. */
    canary?: { version: string; weight: number } | undefined;
  };
  replayDlq?: {
    queueName: string;
    queueArn: string;
    messages: number;
    kind: 'sqs-source' | 'dead-letter-config' | 'on-failure';
  };
  raiseConcurrency?: { current: number | undefined; suggested: number; headroom: number | undefined };
  /** The function can be profiled: its version, and how long to record. */
  profile?: { version: string; seconds: number };
}

export interface CheckResult {
  status: StepStatus;
  /** One line with the numbers, e.g. "412 throttled of 18,240 (2.3%) · peak concurrency 100 of 100 reserved (100%)". */
  summary: string;
  /** The numbers behind the summary, machine-readable. */
  evidence: Record<string, EvidenceValue>;
  links: Link[];
  /** The cause as a clause, used when this step is the primary cause. */
  headline?: string;
  hints?: ActionHints;
  /** Why the status is `unknown`. */
  reason?: string;
}

export interface CheckContext {
  fn: FunctionInfo;
  window: TimeWindow;
  previous: TimeWindow;
  evidence: Evidence;
  now: Date;
}
