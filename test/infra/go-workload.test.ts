import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GoWorkload, type GoWorkloadProps, goMemLimit } from '../../infra/lib/go-workload';
import { type FakeBuild, allStatements, asArray, fakeBuildOutputs, newApp, onlyResource } from './fixtures';

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
    encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
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
    template = synth({ trigger: { kind: 'http', routeKey: 'GET /orders/{id}' } }).template;
  });

  it('runs the bootstrap on provided.al2023, arm64, with GOMEMLIMIT at 90% of memory', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'orders-api',
      Runtime: 'provided.al2023',
      Architectures: ['arm64'],
      Handler: 'bootstrap',
      MemorySize: 256,
      Timeout: 10,
      Environment: { Variables: Match.objectLike({ GOMEMLIMIT: '230MiB' }) },
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: 10,
    });
  });

  it('logs JSON filtered at INFO, keeping the platform.report records the cold-start check reads', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: {
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'INFO',
        LogGroup: Match.anyValue(),
      },
      Environment: { Variables: Match.objectLike({ LOG_LEVEL: 'INFO' }) },
    });
  });

  it('samples explicitly: Lambda decides under an invocation, 5% of the traces the function starts itself', () => {
    const [, fn] = onlyResource(template, 'AWS::Lambda::Function');
    const vars = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(vars).toMatchObject({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' });
    // The daemon path: no OTLP endpoint, so the Go telemetry package sends subsegments to the daemon.
    expect(Object.keys(vars).filter((k) => k.startsWith('OTEL_EXPORTER'))).toEqual([]);
  });

  it("encrypts the log group and the DLQ with the stack's key", () => {
    const [keyId] = onlyResource(template, 'AWS::KMS::Key');
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/orders-api',
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 86_400,
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    // Lambda sends failed async invocations to the encrypted DLQ with the function's role.
    const kmsGrant = allStatements(template).find((s) => asArray(s.Action as string[]).includes('kms:GenerateDataKey'));
    expect(kmsGrant).toMatchObject({ Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } });
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

  it("moves alias live with a CodeDeploy canary that rolls back on the new version's error rate and p99, and on throttles", () => {
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
    expect(names.sort()).toEqual([
      'orders-api-canary-error-rate',
      'orders-api-canary-p99-duration',
      'orders-api-throttles',
    ]);
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

  it("rolls back on the deployed version's error rate: FunctionName + Resource (alias) + ExecutedVersion, with a minimum of invocations", () => {
    // Prepare
    const [fnId] = onlyResource(template, 'AWS::Lambda::Function');
    const [versionId] = onlyResource(template, 'AWS::Lambda::Version');
    const [, alarm] = onlyResource(template, 'AWS::CloudWatch::Alarm', { AlarmName: 'orders-api-canary-error-rate' });
    const metrics = alarm.Properties?.Metrics as {
      Id: string;
      Expression?: string;
      ReturnData?: boolean;
      MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: unknown }[] }; Stat: string };
    }[];

    // Assess
    const expression = metrics.find((m) => m.Expression);
    expect(expression).toMatchObject({
      Expression: 'IF(invocations >= 5, 100 * errors / invocations, 0)',
      ReturnData: true,
    });
    for (const [id, name] of [
      ['errors', 'Errors'],
      ['invocations', 'Invocations'],
    ]) {
      expect(metrics.find((m) => m.Id === id)).toMatchObject({
        ReturnData: false,
        MetricStat: {
          Stat: 'Sum',
          Metric: {
            Namespace: 'AWS/Lambda',
            MetricName: name,
            Dimensions: expect.arrayContaining([
              { Name: 'FunctionName', Value: { Ref: fnId } },
              { Name: 'Resource', Value: { 'Fn::Join': ['', [{ Ref: fnId }, ':live']] } },
              { Name: 'ExecutedVersion', Value: { 'Fn::GetAtt': [versionId, 'Version'] } },
            ]),
          },
        },
      });
    }
    expect(alarm.Properties).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('watches the p99 duration of the deployed version too', () => {
    const [versionId] = onlyResource(template, 'AWS::Lambda::Version');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-api-canary-p99-duration',
      ExtendedStatistic: 'p99',
      Dimensions: Match.arrayWith([{ Name: 'ExecutedVersion', Value: { 'Fn::GetAtt': [versionId, 'Version'] } }]),
      Threshold: 8000,
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

  it('serves its route through the live alias, so API traffic follows the canary', () => {
    const [aliasId] = onlyResource(template, 'AWS::Lambda::Alias');
    const [integrationId] = onlyResource(template, 'AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { Ref: aliasId },
      PayloadFormatVersion: '2.0',
    });
    // The one route, not $default: only a named route hands the handler its path variables.
    const [, route] = onlyResource(template, 'AWS::ApiGatewayV2::Route');
    expect(route.Properties).toMatchObject({
      RouteKey: 'GET /orders/{id}',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
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
    const [keyId] = onlyResource(template, 'AWS::KMS::Key');
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 24 * 3600,
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
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
    [{ environment: { OTEL_TRACES_SAMPLER: 'always_on' } }, /OTEL_TRACES_SAMPLER is set by the construct/],
    [{ trigger: { kind: 'http', routeKey: '/hello/{id}' } }, /is not a route key like "GET \/hello\/\{id\}"/],
    [{ traceSampleRatio: 2 }, /traceSampleRatio must be in \[0, 1\]/],
    [{ alarms: { canaryMinInvocations: 0 } }, /canaryMinInvocations must be a whole number >= 1/],
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

describe('GoWorkload traces', () => {
  const envOf = (template: Template) =>
    (
      onlyResource(template, 'AWS::Lambda::Function')[1].Properties?.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;

  it("sends spans straight to X-Ray's OTLP endpoint, signed with the role, which may PutSpans", () => {
    const { template } = synth({ traces: { exporter: 'otlp-xray' } });
    expect(envOf(template).OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toEqual({
      'Fn::Join': ['', ['https://xray.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/v1/traces']],
    });
    expect(allStatements(template)).toContainEqual(
      expect.objectContaining({ Action: 'xray:PutSpans', Resource: '*', Effect: 'Allow' }),
    );
    // Lambda's own segments still need active tracing.
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
  });

  it('sends spans to a collector layer on localhost when given one', () => {
    const layerArn = 'arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-collector-arm64-ver-0-117-0:1';
    const stack = new Stack(newApp(), 'Layer');
    new GoWorkload(stack, 'W', {
      functionName: 'orders-api',
      bootstrapDir: path.join(build.workloadsDist, 'hello'),
      alarmTopic: sns.Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN),
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      owner: 'payments',
      owners: [],
      env: 'prod',
      traces: { exporter: 'otel-collector', layer: lambda.LayerVersion.fromLayerVersionArn(stack, 'L', layerArn) },
    });
    const template = Template.fromStack(stack);
    expect(envOf(template).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://localhost:4318');
    template.hasResourceProperties('AWS::Lambda::Function', { Layers: [layerArn] });
    expect(JSON.stringify(allStatements(template))).not.toContain('xray:PutSpans');
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
