import type { Dimension, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { FLEET_QUERIES_PER_REQUEST, fleetQueriesFor, type FleetTarget, type TimeWindow } from '../ports';
import {
  alignDown,
  alignUp,
  assertWindow,
  coarsestRetention,
  metricStat,
  roundPeriod,
  windowSeconds,
} from './metric-plan';

/**
 * What the fleet overview asks GetMetricData, as a pure function of the functions and the window:
 * the same statistics the report grades, for many functions, packed 500 queries to a request.
 */

export type FleetStat = 'invocations' | 'errors' | 'throttles' | 'p99' | 'concurrency' | 'dlq';

export interface FleetBatch {
  queries: MetricDataQuery[];
  /** Query id → which function and statistic it holds. */
  ids: Map<string, { functionName: string; stat: FleetStat }>;
  /** The functions whose queries the request carries, in order. */
  functionNames: string[];
}

export interface FleetMetricsPlan {
  startTime: Date;
  /** Datapoints from here on belong to the window; earlier ones to the window before it. */
  currentFrom: Date;
  endTime: Date;
  /** Period of the Lambda statistics: the window's length, one datapoint per window. */
  period: number;
  /** Period of the DLQ depth: short, so its newest datapoint is a depth of the last minutes. */
  depthPeriod: number;
  batches: FleetBatch[];
}

/** SQS publishes its queue metrics every minute; five of them still make a recent depth. */
const DEPTH_PERIOD_SECONDS = 300;

/**
 * Per function (Lambda dimensions as the report uses them): Invocations, Errors, Throttles (Sum)
 * and Duration p99 of the alias (FunctionName + Resource `<function>:<alias>`), ConcurrentExecutions
 * (Maximum) of the function, whose reservation is per function, and ApproximateNumberOfMessagesVisible
 * (Maximum, AWS/SQS, QueueName) of the DLQ it names. Lambda statistics have Period = window length
 * and the range starts one period before the window, so each query also answers for the window
 * before at no extra query. A request closes when the next function's queries would not fit in
 * 500. Ids are `f<index>_<stat>`: a function name may hold `-`, which a query id may not.
 */
export function planFleetMetrics(targets: FleetTarget[], window: TimeWindow, now: Date): FleetMetricsPlan {
  assertWindow(window, 'fleet');
  const currentFrom = alignDown(window.start, 60);
  const endTime = alignUp(window.end, 60);
  const retention = coarsestRetention(window.start, now);
  const period = roundPeriod(windowSeconds(window), retention);
  const depthPeriod = roundPeriod(DEPTH_PERIOD_SECONDS, retention);
  const startTime = new Date(currentFrom.getTime() - period * 1000);
  assertWindow({ start: startTime, end: window.end }, 'fleet');

  const batches: FleetBatch[] = [];
  let batch: FleetBatch = { queries: [], ids: new Map(), functionNames: [] };
  targets.forEach((target, index) => {
    if (batch.queries.length + fleetQueriesFor(target) > FLEET_QUERIES_PER_REQUEST) {
      batches.push(batch);
      batch = { queries: [], ids: new Map(), functionNames: [] };
    }
    const { functionName } = target;
    const alias: Dimension[] = [
      { Name: 'FunctionName', Value: functionName },
      { Name: 'Resource', Value: `${functionName}:${target.alias}` },
    ];
    const fn: Dimension[] = [{ Name: 'FunctionName', Value: functionName }];
    const add = (stat: FleetStat, query: (id: string) => MetricDataQuery) => {
      const id = `f${index}_${stat}`;
      batch.queries.push(query(id));
      batch.ids.set(id, { functionName, stat });
    };
    add('invocations', (id) => metricStat(id, 'AWS/Lambda', 'Invocations', alias, period, 'Sum'));
    add('errors', (id) => metricStat(id, 'AWS/Lambda', 'Errors', alias, period, 'Sum'));
    add('throttles', (id) => metricStat(id, 'AWS/Lambda', 'Throttles', alias, period, 'Sum'));
    add('p99', (id) => metricStat(id, 'AWS/Lambda', 'Duration', alias, period, 'p99'));
    add('concurrency', (id) => metricStat(id, 'AWS/Lambda', 'ConcurrentExecutions', fn, period, 'Maximum'));
    const queue = target.deadLetterQueue;
    if (queue) {
      const dims = [{ Name: 'QueueName', Value: queue }];
      add('dlq', (id) => metricStat(id, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', dims, depthPeriod, 'Maximum'));
    }
    batch.functionNames.push(functionName);
  });
  if (batch.queries.length > 0) batches.push(batch);
  return { startTime, currentFrom, endTime, period, depthPeriod, batches };
}
