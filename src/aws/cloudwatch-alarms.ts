import { DescribeAlarmsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmMetric, AlarmsPort, CallOptions, MetricAlarmInfo } from '../ports';
import { callAws } from './call';
import type { AwsClients } from './clients';

/** DescribeAlarms takes at most 100 names per request (CloudWatch API reference, DescribeAlarms). */
const NAMES_PER_REQUEST = 100;

/**
 * AlarmsPort over CloudWatch DescribeAlarms and ListTagsForResource: how gofn maps a composite
 * alarm to a function through the metric alarms it is made of, or through its own tags.
 */
export class CloudWatchAlarms implements AlarmsPort {
  constructor(private readonly clients: AwsClients) {}

  async metricAlarms(names: string[], opts?: CallOptions): Promise<MetricAlarmInfo[]> {
    const out: MetricAlarmInfo[] = [];
    for (let i = 0; i < names.length; i += NAMES_PER_REQUEST) {
      const page = await callAws(
        { service: 'CloudWatch', operation: 'DescribeAlarms' },
        opts,
        this.clients.settings.callTimeoutMs,
        (abortSignal) =>
          this.clients.cloudWatch.send(
            new DescribeAlarmsCommand({
              AlarmNames: names.slice(i, i + NAMES_PER_REQUEST),
              AlarmTypes: ['MetricAlarm'],
              MaxRecords: NAMES_PER_REQUEST,
            }),
            { abortSignal },
          ),
      );
      for (const alarm of page.MetricAlarms ?? []) {
        if (!alarm.AlarmName) continue;
        const dims = (list: { Name?: string; Value?: string }[] | undefined) =>
          (list ?? []).flatMap((d) => (d.Name && d.Value !== undefined ? [{ name: d.Name, value: d.Value }] : []));
        const metrics: AlarmMetric[] = alarm.Metrics?.length
          ? alarm.Metrics.flatMap((m) =>
              m.MetricStat?.Metric
                ? [
                    {
                      namespace: m.MetricStat.Metric.Namespace,
                      metricName: m.MetricStat.Metric.MetricName,
                      dimensions: dims(m.MetricStat.Metric.Dimensions),
                    },
                  ]
                : [],
            )
          : [{ namespace: alarm.Namespace, metricName: alarm.MetricName, dimensions: dims(alarm.Dimensions) }];
        out.push({ name: alarm.AlarmName, description: alarm.AlarmDescription, metrics });
      }
    }
    return out;
  }

  async alarmTags(alarmArn: string, opts?: CallOptions): Promise<Record<string, string>> {
    const out = await callAws(
      { service: 'CloudWatch', operation: 'ListTagsForResource', subject: alarmArn },
      opts,
      this.clients.settings.callTimeoutMs,
      (abortSignal) =>
        this.clients.cloudWatch.send(new ListTagsForResourceCommand({ ResourceARN: alarmArn }), { abortSignal }),
    );
    return Object.fromEntries((out.Tags ?? []).flatMap((t) => (t.Key ? [[t.Key, t.Value ?? '']] : [])));
  }
}
