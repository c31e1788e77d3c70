/** CloudWatch alarms themselves: what a composite alarm's children watch, and an alarm's tags. */
import type { CallOptions } from './common';

export interface AlarmMetric {
  namespace: string | undefined;
  metricName: string | undefined;
  dimensions: { name: string; value: string }[];
}

export interface MetricAlarmInfo {
  name: string;
  description: string | undefined;
  /** The metric of a single-metric alarm, or every MetricStat of a metric-math one. */
  metrics: AlarmMetric[];
}

export interface AlarmsPort {
  /** DescribeAlarms (AlarmTypes MetricAlarm) by name; names CloudWatch does not know are left out. */
  metricAlarms(names: string[], opts?: CallOptions): Promise<MetricAlarmInfo[]>;
  /** ListTagsForResource of an alarm ARN. */
  alarmTags(alarmArn: string, opts?: CallOptions): Promise<Record<string, string>>;
}
