import * as z from 'zod';
import type { WatchedMetric } from '../runbook/engine';

/**
 * A CloudWatch alarm state change as SNS delivers it (the Message string of an SNS record), in
 * the shapes the CloudWatch User Guide ("Using Amazon SNS notifications", schemas of the
 * notifications sent when alarms change state) and PutMetricAlarm describe: a single-metric
 * alarm carries `Trigger.MetricName`/`Dimensions`; a metric-math or anomaly-detection alarm
 * carries `Trigger.Metrics[]` (each a `MetricStat.Metric` or an `Expression`) and no
 * `Dimensions`; a composite alarm carries `AlarmRule` and `TriggeringChildren` and no `Trigger`.
 * Only what gofn uses is required.
 */
const dimension = z.object({ name: z.string(), value: z.string() }).loose();

const metricSchema = z
  .object({
    Namespace: z.string().optional(),
    MetricName: z.string().optional(),
    Dimensions: z.array(dimension).default([]),
  })
  .loose();

const metricDataQuery = z
  .object({
    Id: z.string().max(255).optional(),
    Expression: z.string().max(2048).optional(),
    Label: z.string().max(1024).nullable().optional(),
    ReturnData: z.boolean().optional(),
    MetricStat: z
      .object({ Metric: metricSchema, Stat: z.string().optional(), Period: z.number().optional() })
      .loose()
      .optional(),
  })
  .loose();

const triggerSchema = z
  .object({
    MetricName: z.string().optional(),
    Namespace: z.string().optional(),
    Statistic: z.string().nullable().optional(),
    ExtendedStatistic: z.string().nullable().optional(),
    Dimensions: z.array(dimension).default([]),
    Metrics: z.array(metricDataQuery).max(100).default([]),
    ThresholdMetricId: z.string().nullable().optional(),
    Period: z.number().positive().optional(),
    EvaluationPeriods: z.number().int().positive().optional(),
    DatapointsToAlarm: z.number().int().positive().nullable().optional(),
    ComparisonOperator: z.string().optional(),
    Threshold: z.number().nullable().optional(),
  })
  .loose();

/** The User Guide's schema says `[String]`; the notifications CloudWatch sends carry objects with the child's ARN and state. */
const triggeringChild = z.union([z.string().max(2048), z.object({ Arn: z.string().max(2048) }).loose()]);

export const alarmMessageSchema = z
  .object({
    AlarmName: z.string().min(1).max(255),
    AlarmDescription: z.string().max(1024).nullable().optional(),
    AWSAccountId: z.string().optional(),
    NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
    OldStateValue: z.string().optional(),
    NewStateReason: z.string().max(4000).default(''),
    StateChangeTime: z.string().min(1),
    AlarmArn: z.string().optional(),
    Trigger: triggerSchema.optional(),
    AlarmRule: z.string().max(10_240).optional(),
    TriggeringChildren: z.array(triggeringChild).max(100).optional(),
  })
  .loose();

export type AlarmMessage = z.output<typeof alarmMessageSchema>;

export type AlarmKind = 'metric' | 'metric-math' | 'anomaly-detection' | 'composite';

/** The function an alarm is about, and how gofn knows. */
export interface AlarmTarget {
  functionName: string;
  /** From a `Resource` dimension like `orders-api:live`. */
  alias: string | undefined;
  /** From `ExecutedVersion`, or a `Resource` dimension like `orders-api:42`. */
  version: string | undefined;
  via: 'dimension' | 'description' | 'child' | 'tag';
}

export interface UnderstoodAlarm {
  name: string;
  arn: string | undefined;
  kind: AlarmKind;
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  /** Set when gofn could tell the function. */
  target: AlarmTarget | undefined;
  /** Why gofn cannot tell the function, as a clause ("its metrics name two functions: a, b"). */
  unmapped: string | undefined;
  /** Shortcut for `target?.functionName`. */
  functionName: string | undefined;
  alias: string | undefined;
  /** The metric in one phrase: "Errors", "errors/invocations". */
  metric: string;
  /** "Errors > 5 for 2 of 3 periods of 1 min" */
  condition: string;
  reason: string;
  changedAt: Date;
  /** Names of a composite alarm's triggering children (or of every alarm its rule names). */
  children: string[];
  /** The one metric a single-metric alarm watches, with its statistic, period and threshold. */
  watched?: WatchedMetric | undefined;
}

/** SNS notifications spell statistics as enum names (SUM, SAMPLE_COUNT); GetMetricData wants Sum, SampleCount. */
const STATISTICS: Record<string, string> = {
  SUM: 'Sum',
  AVERAGE: 'Average',
  MAXIMUM: 'Maximum',
  MINIMUM: 'Minimum',
  SAMPLE_COUNT: 'SampleCount',
  SAMPLECOUNT: 'SampleCount',
};

const OPERATORS: Record<string, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '≥',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};

/** Anomaly-detection alarms compare against a band (PutMetricAlarm, ComparisonOperator). */
const BAND_OPERATORS: Record<string, string> = {
  GreaterThanUpperThreshold: 'above the expected band',
  LessThanLowerThreshold: 'below the expected band',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the expected band',
};

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const QUALIFIER = /^[A-Za-z0-9$_-]{1,128}$/;

/** CloudWatch writes "+0000" offsets, which Date does not parse everywhere. */
export function parseAlarmTime(text: string): Date | undefined {
  const normalised = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const at = new Date(normalised);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

export type AlarmProblem = 'not-json' | 'not-an-alarm' | 'bad-time';

type Metric = z.output<typeof metricSchema>;

/** The function a Lambda metric names (FunctionName, or the function part of Resource), with its qualifier. */
function lambdaTarget(metric: Metric): Omit<AlarmTarget, 'via'> | undefined {
  return lambdaTargetOf(metric.Namespace, metric.Dimensions);
}

export function lambdaTargetOf(
  namespace: string | undefined,
  dimensions: { name: string; value: string }[],
): Omit<AlarmTarget, 'via'> | undefined {
  if (namespace !== 'AWS/Lambda') return undefined;
  const dims = new Map(dimensions.map((d) => [d.name, d.value]));
  const [resourceFn, qualifier] = (dims.get('Resource') ?? '').split(':');
  const functionName = dims.get('FunctionName') ?? (resourceFn || undefined);
  if (!functionName || !FUNCTION_NAME.test(functionName)) return undefined;
  const q = qualifier && QUALIFIER.test(qualifier) ? qualifier : undefined;
  const executed = dims.get('ExecutedVersion');
  const version = executed && /^\d{1,10}$/.test(executed) ? executed : q && /^\d+$/.test(q) ? q : undefined;
  const alias = q && !/^\d+$/.test(q) && q !== '$LATEST' ? q : undefined;
  return { functionName, alias, version };
}

function describeMetric(metric: Metric): string {
  const dims = metric.Dimensions.map((d) => `${d.name}=${d.value}`).join(', ');
  return `${metric.Namespace ?? '?'} ${metric.MetricName ?? '?'}${dims ? ` (${dims})` : ''}`;
}

/** An alarm's name from its ARN (`arn:aws:cloudwatch:region:account:alarm:NAME`), or the name itself. */
export function alarmNameOf(arnOrName: string): string {
  const at = arnOrName.indexOf(':alarm:');
  return at >= 0 ? arnOrName.slice(at + ':alarm:'.length) : arnOrName;
}

/** The alarms a composite rule names: ALARM("x"), OK(y), INSUFFICIENT_DATA(arn…). */
function ruleChildren(rule: string): string[] {
  const names: string[] = [];
  for (const match of rule.matchAll(/\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*"?([^")]+?)"?\s*\)/g)) {
    names.push(alarmNameOf(match[1]!.trim()));
  }
  return names;
}

function clause(list: string[], max = 3): string {
  const shown = list.slice(0, max).join(', ');
  return list.length > max ? `${shown} and ${list.length - max} more` : shown;
}

/**
 * What an alarm is and which function it is about: the FunctionName or Resource dimension of
 * the AWS/Lambda metric(s) it watches (one function across all of them), or an explicit
 * `gofn:function=<name>` in its description (how the workloads' DLQ-depth alarms say it). A
 * composite alarm is mapped later, through its children (see the worker). An alarm that parses
 * but cannot be mapped is still understood: `unmapped` says why.
 */
export function understandAlarm(messageText: string): { alarm: UnderstoodAlarm } | { problem: AlarmProblem } {
  let json: unknown;
  try {
    json = JSON.parse(messageText);
  } catch {
    return { problem: 'not-json' };
  }
  const parsed = alarmMessageSchema.safeParse(json);
  if (!parsed.success) return { problem: 'not-an-alarm' };
  const message = parsed.data;
  const changedAt = parseAlarmTime(message.StateChangeTime);
  if (!changedAt) return { problem: 'bad-time' };

  const trigger = message.Trigger;
  const isComposite = message.AlarmRule !== undefined || message.TriggeringChildren !== undefined;
  const stats = (trigger?.Metrics ?? []).filter((m) => m.MetricStat);
  const band = (trigger?.Metrics ?? []).find((m) => /ANOMALY_DETECTION_BAND/i.test(m.Expression ?? ''));
  const kind: AlarmKind = isComposite
    ? 'composite'
    : band || trigger?.ThresholdMetricId
      ? 'anomaly-detection'
      : stats.length > 0
        ? 'metric-math'
        : 'metric';

  const metrics: Metric[] =
    kind === 'metric'
      ? trigger?.Namespace
        ? [{ Namespace: trigger.Namespace, MetricName: trigger.MetricName, Dimensions: trigger.Dimensions }]
        : []
      : stats.map((m) => m.MetricStat!.Metric);
  const found = metrics.map(lambdaTarget).filter((t) => t !== undefined);
  const functions = [...new Set(found.map((t) => t.functionName))];
  const described = /gofn:function=([A-Za-z0-9_-]{1,64})/.exec(message.AlarmDescription ?? '')?.[1];

  let target: AlarmTarget | undefined;
  let unmapped: string | undefined;
  if (functions.length === 1) {
    const forFn = found.filter((t) => t.functionName === functions[0]);
    const one = <K extends 'alias' | 'version'>(key: K) => {
      const values = [...new Set(forFn.map((t) => t[key]).filter(Boolean))];
      return values.length === 1 ? values[0] : undefined;
    };
    target = { functionName: functions[0]!, alias: one('alias'), version: one('version'), via: 'dimension' };
  } else if (described) {
    target = { functionName: described, alias: undefined, version: undefined, via: 'description' };
  } else if (functions.length > 1) {
    unmapped = `its metrics name ${functions.length} functions (${clause(functions)})`;
  } else if (kind === 'composite') {
    unmapped = 'gofn could not map its triggering children to a function';
  } else if (metrics.length > 0) {
    unmapped = `it watches ${clause(metrics.map(describeMetric), 2)}, not a Lambda function's metric, and its description names no function`;
  } else {
    unmapped = 'its notification names no metric';
  }

  const children = isComposite
    ? [
        ...new Set([
          ...(message.TriggeringChildren ?? []).map((c) => alarmNameOf(typeof c === 'string' ? c : c.Arn)),
          ...ruleChildren(message.AlarmRule ?? ''),
        ]),
      ].slice(0, 20)
    : [];

  return {
    alarm: {
      name: message.AlarmName,
      arn: message.AlarmArn,
      kind,
      state: message.NewStateValue,
      target,
      unmapped,
      functionName: target?.functionName,
      alias: target?.alias,
      metric: metricPhrase(kind, trigger, metrics),
      condition: conditionOf(kind, message),
      reason: message.NewStateReason,
      changedAt,
      children,
      watched: kind === 'metric' ? watchedOf(trigger) : undefined,
    },
  };
}

function watchedOf(trigger: Trigger | undefined): WatchedMetric | undefined {
  if (!trigger?.Namespace || !trigger.MetricName) return undefined;
  const stat = trigger.ExtendedStatistic || STATISTICS[(trigger.Statistic ?? '').toUpperCase()];
  if (!stat) return undefined;
  return {
    namespace: trigger.Namespace,
    metricName: trigger.MetricName,
    dimensions: trigger.Dimensions.map((d) => ({ name: d.name, value: d.value })),
    stat,
    periodSeconds: trigger.Period,
    threshold: typeof trigger.Threshold === 'number' ? trigger.Threshold : undefined,
  };
}

type Trigger = z.output<typeof triggerSchema>;

function metricPhrase(kind: AlarmKind, trigger: Trigger | undefined, metrics: Metric[]): string {
  if (kind === 'composite') return 'composite';
  if (kind === 'metric') return trigger?.MetricName ?? 'metric';
  const expression = trigger?.Metrics.find(
    (m) => m.ReturnData !== false && m.Expression && !/ANOMALY/i.test(m.Expression),
  );
  if (expression) return expression.Label || expression.Expression!;
  return [...new Set(metrics.map((m) => m.MetricName ?? 'metric'))].join(', ') || 'metric';
}

function conditionOf(kind: AlarmKind, message: AlarmMessage): string {
  if (kind === 'composite') return `composite: ${(message.AlarmRule ?? '').slice(0, 300)}`;
  const trigger = message.Trigger;
  const metric = metricPhrase(
    kind,
    trigger,
    (trigger?.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : [])),
  );
  const periodMin = trigger?.Period ? Math.max(1, Math.round(trigger.Period / 60)) : undefined;
  const of = trigger?.EvaluationPeriods;
  const need = trigger?.DatapointsToAlarm ?? of;
  const over = of && periodMin ? ` for ${need} of ${of} periods of ${periodMin} min` : '';
  if (kind === 'anomaly-detection') {
    const stat = trigger?.Metrics.find((m) => m.MetricStat)?.MetricStat?.Stat;
    const where = BAND_OPERATORS[trigger?.ComparisonOperator ?? ''] ?? 'outside the expected band';
    return `${metric}${stat ? ` ${stat}` : ''} ${where}${over}`;
  }
  const op = OPERATORS[trigger?.ComparisonOperator ?? ''] ?? trigger?.ComparisonOperator;
  const statistic = kind === 'metric' && trigger?.ExtendedStatistic ? ` ${trigger.ExtendedStatistic}` : '';
  const threshold = typeof trigger?.Threshold === 'number' ? trigger.Threshold : undefined;
  const test = op && threshold !== undefined ? ` ${op} ${threshold}` : '';
  return `${metric}${statistic}${test}${over}`;
}
