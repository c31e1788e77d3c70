import type { Dimension, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  COST_QUERIES_PER_FUNCTION,
  COST_QUERIES_PER_REQUEST,
  RECENT_PERIOD_HOURS,
  type CostTarget,
  type CostWindow,
} from '../ports';
import { assertWindow, metricStat } from './metric-plan';

/**
 * What the cost read asks GetMetricData, as a pure function of the functions and the window: per
 * function Invocations (Sum, 6-hour periods), Duration (Sum and p99), ProvisionedConcurrencyInvocations
 * (Sum) by FunctionName, every version and alias together as they are all billed, and IncomingBytes
 * (Sum, AWS/Logs, LogGroupName) of its log group, daily. The window is whole UTC days, so each
 * daily datapoint is one billing day. 100 functions to a request.
 */

export type CostStat = 'invocations' | 'duration' | 'p99' | 'provisioned' | 'logBytes';

export interface CostBatch {
  queries: MetricDataQuery[];
  /** Query id → which function and statistic it holds. */
  ids: Map<string, { functionName: string; stat: CostStat }>;
  functionNames: string[];
}

export interface CostMetricsPlan {
  startTime: Date;
  endTime: Date;
  dayPeriod: number;
  recentPeriod: number;
  batches: CostBatch[];
}

const DAY_SECONDS = 86_400;

/** Ids are `c<index>_<stat>`: a function name may hold `-`, which a query id may not. */
export function planCostMetrics(targets: CostTarget[], window: CostWindow): CostMetricsPlan {
  assertWindow(window, 'cost');
  const recentPeriod = RECENT_PERIOD_HOURS * 3600;
  const batches: CostBatch[] = [];
  let batch: CostBatch = { queries: [], ids: new Map(), functionNames: [] };
  targets.forEach((target, index) => {
    if (batch.queries.length + COST_QUERIES_PER_FUNCTION > COST_QUERIES_PER_REQUEST) {
      batches.push(batch);
      batch = { queries: [], ids: new Map(), functionNames: [] };
    }
    const { functionName } = target;
    const fn: Dimension[] = [{ Name: 'FunctionName', Value: functionName }];
    const add = (stat: CostStat, query: (id: string) => MetricDataQuery) => {
      const id = `c${index}_${stat}`;
      batch.queries.push(query(id));
      batch.ids.set(id, { functionName, stat });
    };
    add('invocations', (id) => metricStat(id, 'AWS/Lambda', 'Invocations', fn, recentPeriod, 'Sum'));
    add('duration', (id) => metricStat(id, 'AWS/Lambda', 'Duration', fn, DAY_SECONDS, 'Sum'));
    add('p99', (id) => metricStat(id, 'AWS/Lambda', 'Duration', fn, DAY_SECONDS, 'p99'));
    add('provisioned', (id) =>
      metricStat(id, 'AWS/Lambda', 'ProvisionedConcurrencyInvocations', fn, DAY_SECONDS, 'Sum'),
    );
    add('logBytes', (id) =>
      metricStat(
        id,
        'AWS/Logs',
        'IncomingBytes',
        [{ Name: 'LogGroupName', Value: target.logGroup }],
        DAY_SECONDS,
        'Sum',
      ),
    );
    batch.functionNames.push(functionName);
  });
  if (batch.queries.length > 0) batches.push(batch);
  return { startTime: window.start, endTime: window.end, dayPeriod: DAY_SECONDS, recentPeriod, batches };
}
