import { understandAlarm } from '../../src/slack/alarm-message';

const base = {
  AlarmName: 'orders-worker-dlq-depth',
  NewStateValue: 'ALARM',
  NewStateReason: 'Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).',
  StateChangeTime: '2026-11-26T14:22:05.123+0000',
};

describe('understandAlarm', () => {
  it('maps an alarm on a queue metric to its function through the description', () => {
    // Act
    const result = understandAlarm(
      JSON.stringify({
        ...base,
        AlarmDescription: 'orders-worker: more than 0 messages wait in its DLQ (gofn:function=orders-worker)',
        Trigger: {
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Namespace: 'AWS/SQS',
          Statistic: 'MAXIMUM',
          Dimensions: [{ name: 'QueueName', value: 'orders-worker-dlq' }],
          Period: 60,
          EvaluationPeriods: 1,
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
        },
      }),
    );

    // Assess
    expect(result).toEqual({
      alarm: expect.objectContaining({
        functionName: 'orders-worker',
        condition: 'ApproximateNumberOfMessagesVisible > 0 for 1 of 1 periods of 1 min',
        changedAt: new Date('2026-11-26T14:22:05.123Z'),
      }),
    });
  });

  it('reads the alias of an alarm on a Resource dimension', () => {
    // Act
    const result = understandAlarm(
      JSON.stringify({
        ...base,
        Trigger: {
          MetricName: 'Errors',
          Namespace: 'AWS/Lambda',
          Dimensions: [{ name: 'Resource', value: 'orders-api:live' }],
        },
      }),
    );

    // Assess
    expect(result).toEqual({ alarm: expect.objectContaining({ functionName: 'orders-api', alias: 'live' }) });
  });

  it('says why it does not understand a message', () => {
    expect(understandAlarm('not json')).toEqual({ problem: 'not-json' });
    expect(understandAlarm('{"AlarmName":"x"}')).toEqual({ problem: 'not-an-alarm' });
    expect(understandAlarm(JSON.stringify({ ...base, StateChangeTime: 'yesterday' }))).toEqual({ problem: 'bad-time' });
    expect(understandAlarm(JSON.stringify({ ...base, Trigger: { Namespace: 'AWS/EC2', Dimensions: [] } }))).toEqual({
      alarm: expect.objectContaining({
        functionName: undefined,
        unmapped: "it watches AWS/EC2 ?, not a Lambda function's metric, and its description names no function",
      }),
    });
  });
});
