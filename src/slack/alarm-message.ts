import * as z from 'zod';

/**
 * A CloudWatch alarm state change as SNS delivers it (the Message string of an SNS record).
 * Only what gofn uses is required; the rest may vary between alarm kinds.
 */
const dimension = z.object({ name: z.string(), value: z.string() }).loose();

const triggerSchema = z
  .object({
    MetricName: z.string().optional(),
    Namespace: z.string().optional(),
    Statistic: z.string().nullable().optional(),
    ExtendedStatistic: z.string().nullable().optional(),
    Dimensions: z.array(dimension).default([]),
    Period: z.number().positive().optional(),
    EvaluationPeriods: z.number().int().positive().optional(),
    DatapointsToAlarm: z.number().int().positive().nullable().optional(),
    ComparisonOperator: z.string().optional(),
    Threshold: z.number().optional(),
  })
  .loose();

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
  })
  .loose();

export type AlarmMessage = z.output<typeof alarmMessageSchema>;

export interface UnderstoodAlarm {
  name: string;
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  functionName: string;
  /** The alias from a `Resource` dimension like `orders-api:live`, if the alarm is on one. */
  alias: string | undefined;
  metric: string;
  /** "Errors > 5 for 2 of 3 periods of 1 min" */
  condition: string;
  reason: string;
  changedAt: Date;
}

const OPERATORS: Record<string, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '≥',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};

/** CloudWatch writes "+0000" offsets, which Date does not parse everywhere. */
function parseAlarmTime(text: string): Date | undefined {
  const normalised = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const at = new Date(normalised);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

export type AlarmProblem = 'not-json' | 'not-an-alarm' | 'bad-time' | 'not-a-function-metric';

/**
 * Which function an alarm is about: the FunctionName dimension of an AWS/Lambda metric, or an
 * explicit `gofn:function=<name>` in the description (how the workloads' DLQ-depth alarms say it).
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
  const dims = new Map((trigger?.Dimensions ?? []).map((d) => [d.name, d.value]));
  const described = /gofn:function=([A-Za-z0-9_-]{1,64})/.exec(message.AlarmDescription ?? '')?.[1];
  const resource = dims.get('Resource');
  const fromDimension =
    trigger?.Namespace === 'AWS/Lambda' ? (dims.get('FunctionName') ?? resource?.split(':')[0]) : undefined;
  const functionName = fromDimension ?? described;
  if (!functionName || !/^[A-Za-z0-9_-]{1,64}$/.test(functionName)) return { problem: 'not-a-function-metric' };

  const metric = trigger?.MetricName ?? 'metric';
  const op = OPERATORS[trigger?.ComparisonOperator ?? ''] ?? trigger?.ComparisonOperator ?? '';
  const periodMin = trigger?.Period ? Math.max(1, Math.round(trigger.Period / 60)) : undefined;
  const of = trigger?.EvaluationPeriods;
  const need = trigger?.DatapointsToAlarm ?? of;
  const condition =
    `${metric}${trigger?.ExtendedStatistic ? ` ${trigger.ExtendedStatistic}` : ''} ${op} ${trigger?.Threshold ?? '?'}`.trim() +
    (of && periodMin ? ` for ${need} of ${of} periods of ${periodMin} min` : '');
  return {
    alarm: {
      name: message.AlarmName,
      state: message.NewStateValue,
      functionName,
      alias: resource?.includes(':') ? resource.split(':')[1] : undefined,
      metric,
      condition,
      reason: message.NewStateReason,
      changedAt,
    },
  };
}
