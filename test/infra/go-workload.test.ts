import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GoWorkload, type GoWorkloadProps, goMemLimit } from '../../infra/lib/go-workload';
import { type FakeBuild, fakeBuildOutputs, newApp, onlyResource } from './fixtures';

let build: FakeBuild;
beforeAll(() => {
  build = fakeBuildOutputs();
});
afterAll(() => build.cleanup());

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:gofn-alarms';

function synth(overrides: Partial<GoWorkloadProps> = {}): { template: Template; workload: GoWorkload } {
  // Prepare
  const stack = new Stack(newApp(), 'Test');
  const workload = new GoWorkload(stack, 'Orders', {
    functionName: 'orders-api',
    bootstrapDir: path.join(build.workloadsDist, 'hello'),
    alarmTopic: sns.Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN),
    owner: 'payments',
    owners: ['U012AB3CD', 'S0614TZR7'],
    env: 'prod',
    ...overrides,
  });
  // Act
  return { template: Template.fromStack(stack), workload };
}

describe('GoWorkload defaults', () => {
  let template: Template;
  beforeAll(() => {
    template = synth({ trigger: { kind: 'http' } }).template;
  });

  it('runs the bootstrap on provided.al2023, arm64, with GOMEMLIMIT at 90% of memory', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'orders-api',
      Runtime: 'provided.al2023',
      Architectures: ['arm64'],
      Handler: 'bootstrap',
      MemorySize: 256,
      Timeout: 10,
      Environment: { Variables: { GOMEMLIMIT: '230MiB' } },
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: 10,
      LoggingConfig: { LogFormat: 'Text', LogGroup: Match.anyValue() },
    });
  });

  it('logs to /aws/lambda/<function> for a month', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/orders-api',
      RetentionInDays: 30,
    });
  });

  it('tags the function for gofn and its owners', () => {
    const [, fn] = onlyResource(template, 'AWS::Lambda::Function');
    const [appId] = onlyResource(template, 'AWS::CodeDeploy::Application');
    const [dlqId] = onlyResource(template, 'AWS::SQS::Queue');
    expect(fn.Properties?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'gofn:managed', Value: 'true' },
        { Key: 'gofn:owners', Value: 'U012AB3CD S0614TZR7' },
        { Key: 'service', Value: 'orders-api' },
        { Key: 'env', Value: 'prod' },
        { Key: 'owner', Value: 'payments' },
        { Key: 'gofn:deployment-group', Value: { 'Fn::Join': ['', [{ Ref: appId }, '/live']] } },
        { Key: 'gofn:dlq', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } },
      ]),
    );
  });

  it('keeps gofn tags off everything but the function, so listing by tag finds functions only', () => {
    for (const type of ['AWS::SQS::Queue', 'AWS::CloudWatch::Alarm', 'AWS::CodeDeploy::DeploymentGroup']) {
      for (const resource of Object.values(template.findResources(type))) {
        const keys = ((resource.Properties?.Tags ?? []) as { Key: string }[]).map((t) => t.Key);
        expect(keys.filter((k) => k.startsWith('gofn:'))).toEqual([]);
        expect(keys).toEqual(expect.arrayContaining(['service', 'env', 'owner']));
      }
    }
  });

  it('moves alias live with a CodeDeploy canary that rolls back on errors, throttles and p99 duration', () => {
    const [aliasId] = onlyResource(template, 'AWS::Lambda::Alias', { Name: 'live' });
    const [groupId, group] = onlyResource(template, 'AWS::CodeDeploy::DeploymentGroup');
    expect(group.Properties).toMatchObject({
      DeploymentGroupName: 'live',
      DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      AutoRollbackConfiguration: {
        Enabled: true,
        Events: expect.arrayContaining([
          'DEPLOYMENT_FAILURE',
          'DEPLOYMENT_STOP_ON_ALARM',
          'DEPLOYMENT_STOP_ON_REQUEST',
        ]),
      },
    });
    const alarmIds = (group.Properties?.AlarmConfiguration as { Alarms: { Name: { Ref: string } }[] }).Alarms.map(
      (a) => a.Name.Ref,
    );
    const names = alarmIds.map((id) => template.toJSON().Resources[id].Properties.AlarmName);
    expect(names.sort()).toEqual(['orders-api-errors', 'orders-api-p99-duration', 'orders-api-throttles']);
    expect(template.toJSON().Resources[aliasId].UpdatePolicy).toEqual({
      CodeDeployLambdaAliasUpdate: { ApplicationName: expect.anything(), DeploymentGroupName: { Ref: groupId } },
    });
  });

  it('retains old versions so there is something to roll back to', () => {
    template.hasResource('AWS::Lambda::Version', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it.each([
    ['orders-api-errors', 'Errors', { Statistic: 'Sum', Threshold: 5 }],
    ['orders-api-throttles', 'Throttles', { Statistic: 'Sum', Threshold: 0 }],
    ['orders-api-p99-duration', 'Duration', { ExtendedStatistic: 'p99', Threshold: 8000 }],
  ])('alarm %s watches %s of the function and notifies the gofn topic', (name, metric, extra) => {
    const [fnId] = onlyResource(template, 'AWS::Lambda::Function');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: name,
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Period: 60,
      TreatMissingData: 'notBreaching',
      AlarmActions: [TOPIC_ARN],
      OKActions: [TOPIC_ARN],
      ...extra,
    });
  });

  it('alarms on any message in the DLQ, which is the target of failed async invocations', () => {
    const [dlqId] = onlyResource(template, 'AWS::SQS::Queue');
    template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-api-dlq-depth',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 0,
      AlarmActions: [TOPIC_ARN],
      // The queue's metric has no FunctionName dimension: the description names the function.
      AlarmDescription: Match.stringLikeRegexp('\\(gofn:function=orders-api\\)$'),
    });
  });

  it('saves the four Logs Insights queries on the function log group', () => {
    const [logGroupId] = onlyResource(template, 'AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/orders-api' });
    const queries = Object.values(template.findResources('AWS::Logs::QueryDefinition'));
    expect(queries.map((q) => q.Properties.Name).sort()).toEqual([
      'gofn/orders-api/cold-starts-per-hour',
      'gofn/orders-api/errors-with-request-ids',
      'gofn/orders-api/memory-utilisation',
      'gofn/orders-api/p99-duration',
    ]);
    for (const q of queries) expect(q.Properties.LogGroupNames).toEqual([{ Ref: logGroupId }]);
  });

  it('serves HTTP through the live alias, so API traffic follows the canary', () => {
    const [aliasId] = onlyResource(template, 'AWS::Lambda::Alias');
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { Ref: aliasId },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });
});

describe('GoWorkload as an SQS consumer', () => {
  let template: Template;
  let workload: GoWorkload;
  beforeAll(() => {
    ({ template, workload } = synth({ trigger: { kind: 'sqs' }, timeout: Duration.seconds(20) }));
  });

  it('consumes its queue through the live alias, reporting batch item failures', () => {
    const [aliasId] = onlyResource(template, 'AWS::Lambda::Alias');
    const [, mapping] = onlyResource(template, 'AWS::Lambda::EventSourceMapping');
    expect(mapping.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    expect(JSON.stringify(mapping.Properties?.FunctionName)).toContain(aliasId);
  });

  it('redrives to the DLQ after three receives, with a visibility timeout of six function timeouts', () => {
    const [dlqId] = onlyResource(template, 'AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 120,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 3 },
      SqsManagedSseEnabled: true,
    });
  });

  it('has no async DeadLetterConfig: its failures go through the redrive policy', () => {
    const [, fn] = onlyResource(template, 'AWS::Lambda::Function');
    expect(fn.Properties?.DeadLetterConfig).toBeUndefined();
  });

  it('gives the bot the queue, DLQ, function and deployment group it may act on', () => {
    expect(Object.keys(workload.ref).sort()).toEqual([
      'deadLetterQueueArn',
      'deploymentGroupArn',
      'functionArn',
      'sourceQueueArn',
    ]);
  });
});

describe('GoWorkload overrides', () => {
  it('takes every default from typed props', () => {
    // Act
    const { template } = synth({
      memorySize: 1024,
      goMemLimitRatio: 0.8,
      timeout: Duration.seconds(30),
      reservedConcurrency: 50,
      logRetention: logs.RetentionDays.ONE_WEEK,
      deploymentConfig: codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
      service: 'orders',
      environment: { STAGE: 'prod' },
      alarms: { errors: 1, p99Duration: Duration.seconds(2), period: Duration.minutes(5), rollbackOn: ['errors'] },
    });
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 30,
      ReservedConcurrentExecutions: 50,
      Environment: { Variables: { GOMEMLIMIT: '819MiB', STAGE: 'prod' } },
      Tags: Match.arrayWith([{ Key: 'service', Value: 'orders' }]),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
      AlarmConfiguration: { Alarms: [Match.anyValue()], Enabled: true },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-api-errors',
      Threshold: 1,
      Period: 300,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'orders-api-p99-duration', Threshold: 2000 });
  });

  it('omits gofn:owners when nobody may act, rather than writing an empty tag', () => {
    const { template } = synth({ owners: [] });
    const [, fn] = onlyResource(template, 'AWS::Lambda::Function');
    expect((fn.Properties?.Tags as { Key: string }[]).map((t) => t.Key)).not.toContain('gofn:owners');
  });

  it.each([
    [{ bootstrapDir: '/nonexistent' }, /no \/nonexistent\/bootstrap; build the Go workloads first/],
    [{ environment: { GOMEMLIMIT: '1GiB' } }, /GOMEMLIMIT is set by the construct/],
    [{ owners: ['U1,U2'] }, /gofn:owners: "U1,U2" is not a Slack user/],
    [{ owners: ['@maria'] }, /is not a Slack user \(U…, W…\) or user-group \(S…\) ID/],
    [{ memorySize: 64 }, /memorySize must be 128-10240 MB/],
    [{ goMemLimitRatio: 1.5 }, /goMemLimitRatio must be in \(0, 1\]/],
    [{ reservedConcurrency: 0 }, /reservedConcurrency must be >= 1/],
    [{ functionName: 'has space' }, /functionName must be/],
    [{ alarms: { datapointsToAlarm: 4 } }, /datapointsToAlarm must not exceed evaluationPeriods/],
  ] as [Partial<GoWorkloadProps>, RegExp][])('rejects %j before anything is deployed', (overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });
});

describe('goMemLimit', () => {
  it.each([
    [128, '115MiB'],
    [256, '230MiB'],
    [512, '460MiB'],
    [10240, '9216MiB'],
  ])('%i MB → %s', (memory, expected) => {
    expect(goMemLimit(memory, 0.9)).toBe(expected);
  });
});
