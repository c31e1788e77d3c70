import { parseManagedWorkloads } from '../../infra/lib/managed-workloads';

const ref = {
  functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:payments',
  deadLetterQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:payments-dlq',
  deploymentGroupArn: 'arn:aws:codedeploy:eu-west-1:111122223333:deploymentgroup:payments/live',
};

describe('parseManagedWorkloads', () => {
  it('reads nothing when the context is not set', () => {
    expect(parseManagedWorkloads(undefined)).toEqual([]);
  });

  it('reads an array from cdk.json and its string form from -c', () => {
    const withQueue = { ...ref, sourceQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:payments' };
    expect(parseManagedWorkloads([withQueue])).toEqual([withQueue]);
    expect(parseManagedWorkloads(JSON.stringify([ref]))).toEqual([ref]);
  });

  it('needs no deployment group: StopDeployment cannot be limited to one anyway', () => {
    const { deploymentGroupArn: _unused, ...withoutGroup } = ref;
    expect(parseManagedWorkloads([withoutGroup])).toEqual([withoutGroup]);
  });

  it.each([
    ['{not json', /is not JSON/],
    [{ functionArn: ref.functionArn }, /must be a JSON array/],
    [[null], /managedWorkloads\[0\] must be an object/],
    [[{ ...ref, functionArn: 'payments' }], /managedWorkloads\[0\]\.functionArn must be an arn:<partition>:lambda:/],
    [[{ ...ref, deadLetterQueueArn: ref.functionArn }], /deadLetterQueueArn must be an arn:<partition>:sqs:/],
    [[{ ...ref, deploymentGroupArn: 'payments/live' }], /deploymentGroupArn must be an arn:<partition>:codedeploy:/],
    [[{ ...ref, dlqArn: ref.deadLetterQueueArn }], /unknown field\(s\) dlqArn/],
  ])('rejects %j, naming the entry and the field', (value, message) => {
    expect(() => parseManagedWorkloads(value)).toThrow(message);
  });
});
