import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  type DescribeAlarmsCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CloudWatchAlarms } from '../../src/aws/cloudwatch-alarms';
import { describeAlarmsOutput } from '../slack/fixtures/alarm-notifications';
import { mockedClients } from './helpers';

const cloudWatch = mockClient(CloudWatchClient);

describe('CloudWatchAlarms', () => {
  beforeEach(() => cloudWatch.reset());

  it("reads the metrics of a composite alarm's children with DescribeAlarms", async () => {
    // Prepare: DescribeAlarms output as in the CloudWatch API Reference (MetricAlarms), one
    // single-metric alarm and one metric-math alarm (Metrics[].MetricStat.Metric)
    const output = describeAlarmsOutput([{ name: 'orders-api-errors', functionName: 'orders-api' }]);
    output.MetricAlarms.push({
      ...output.MetricAlarms[0]!,
      AlarmName: 'orders-api-rate',
      MetricName: undefined as unknown as string,
      Namespace: undefined as unknown as string,
      Dimensions: [],
      Metrics: [
        { Id: 'rate', Expression: 'errors / invocations', ReturnData: true },
        {
          Id: 'errors',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: [{ Name: 'Resource', Value: 'orders-api:live' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
      ],
    } as (typeof output.MetricAlarms)[number]);
    cloudWatch.on(DescribeAlarmsCommand).resolves(output as unknown as DescribeAlarmsCommandOutput);
    const alarms = new CloudWatchAlarms(mockedClients());

    // Act
    const children = await alarms.metricAlarms(['orders-api-errors', 'orders-api-rate']);

    // Assess
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: ['orders-api-errors', 'orders-api-rate'],
      AlarmTypes: ['MetricAlarm'],
    });
    expect(children).toEqual([
      {
        name: 'orders-api-errors',
        description: undefined,
        metrics: [
          {
            namespace: 'AWS/Lambda',
            metricName: 'Errors',
            dimensions: [{ name: 'FunctionName', value: 'orders-api' }],
          },
        ],
      },
      {
        name: 'orders-api-rate',
        description: undefined,
        metrics: [
          {
            namespace: 'AWS/Lambda',
            metricName: 'Errors',
            dimensions: [{ name: 'Resource', value: 'orders-api:live' }],
          },
        ],
      },
    ]);
  });

  it("reads an alarm's tags with ListTagsForResource", async () => {
    // Prepare: ListTagsForResource output (CloudWatch API Reference): Tags of Key/Value
    cloudWatch.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'gofn:function', Value: 'orders-api' }] });

    // Act
    const tags = await new CloudWatchAlarms(mockedClients()).alarmTags(
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-degraded',
    );

    // Assess
    expect(tags).toEqual({ 'gofn:function': 'orders-api' });
  });
});
