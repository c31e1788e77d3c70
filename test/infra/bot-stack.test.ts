import { Match, Template } from 'aws-cdk-lib/assertions';
import { BotStack, type BotStackProps } from '../../infra/lib/bot-stack';
import { type FakeBuild, allStatements, asArray, fakeBuildOutputs, newApp, onlyResource } from './fixtures';

let build: FakeBuild;
beforeAll(() => {
  build = fakeBuildOutputs();
});
afterAll(() => build.cleanup());

const WORKLOAD = {
  functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:orders-worker',
  deadLetterQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:orders-dlq',
  sourceQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:orders',
  deploymentGroupArn: 'arn:aws:codedeploy:eu-west-1:111122223333:deploymentgroup:orders-app/live',
};

function synth(props: Partial<BotStackProps> = {}): Template {
  const stack = new BotStack(newApp(), 'Bot', {
    lambdaDist: build.lambdaDist,
    alarmChannel: 'C0123456789',
    managedWorkloads: [WORKLOAD],
    ...props,
  });
  return Template.fromStack(stack);
}

const fnId = (template: Template, name: string) =>
  onlyResource(template, 'AWS::Lambda::Function', { FunctionName: name })[0];

/** The statements of the policies attached to a function's role. */
function statementsOf(template: Template, functionName: string): Record<string, unknown>[] {
  const [, fn] = onlyResource(template, 'AWS::Lambda::Function', { FunctionName: functionName });
  const roleId = (fn.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
}

const withAction = (statements: Record<string, unknown>[], action: string) =>
  statements.filter((s) => asArray(s.Action as string | string[]).includes(action));

describe('BotStack', () => {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });

  it.each(['gofn-ingress', 'gofn-worker'])('runs %s on nodejs22.x, arm64, from the esbuild bundle', (name) => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('exposes the ingress through a Function URL for Slack', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [fnId(template, 'gofn-ingress'), 'Arn'] },
    });
    // The name slack-app-manifest.yaml tells people to copy.
    template.hasOutput('FunctionUrl', Match.anyValue());
  });

  it('configures the functions through their environment', () => {
    const [tableId] = onlyResource(template, 'AWS::DynamoDB::Table');
    const [secretId] = onlyResource(template, 'AWS::SecretsManager::Secret');
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'gofn-worker',
      Environment: {
        Variables: { TABLE_NAME: { Ref: tableId }, SLACK_SECRET_ARN: { Ref: secretId }, ALARM_CHANNEL: 'C0123456789' },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'gofn-ingress',
      Environment: {
        Variables: {
          SLACK_SECRET_ARN: { Ref: secretId },
          WORKER_FUNCTION_NAME: { Ref: fnId(template, 'gofn-worker') },
        },
      },
    });
  });

  it('keeps threads, audit and idempotency in one on-demand table with PITR and TTL', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    });
  });

  it('keeps the Slack credentials in a secret with the keys the handlers read, and no value in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'gofn/slack',
      GenerateSecretString: { SecretStringTemplate: '{"botToken":""}', GenerateStringKey: 'signingSecret' },
    });
    const [, secret] = onlyResource(template, 'AWS::SecretsManager::Secret');
    expect(secret.Properties).not.toHaveProperty('SecretString');
  });

  it('subscribes the worker to the alarm topic', () => {
    const [topicId] = onlyResource(template, 'AWS::SNS::Topic', { TopicName: 'gofn-alarms' });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topicId },
      Endpoint: { 'Fn::GetAtt': [fnId(template, 'gofn-worker'), 'Arn'] },
    });
  });

  it.each(['gofn-ingress-errors', 'gofn-ingress-throttles', 'gofn-worker-errors', 'gofn-worker-throttles'])(
    'alarms on %s to the bot alarm topic, not to the worker',
    (name) => {
      const [botTopicId] = onlyResource(template, 'AWS::SNS::Topic', { TopicName: 'gofn-bot-alarms' });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: name,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.anyValue() } }],
        Threshold: 0,
        AlarmActions: [{ Ref: botTopicId }],
      });
    },
  );

  it("keeps the worker's failed jobs and notifications in an encrypted dead-letter queue, with an alarm on its depth", () => {
    const [queueId, queue] = onlyResource(template, 'AWS::SQS::Queue', { QueueName: 'gofn-worker-dlq' });
    expect(queue.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 86_400, SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'gofn-worker',
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    });
    expect(withAction(statementsOf(template, 'gofn-worker'), 'sqs:SendMessage')).toContainEqual(
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }),
    );
    const [botTopicId] = onlyResource(template, 'AWS::SNS::Topic', { TopicName: 'gofn-bot-alarms' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'gofn-worker-dlq-depth',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 0,
      AlarmActions: [{ Ref: botTopicId }],
    });
  });

  it('lets the ingress invoke the worker and nothing else', () => {
    const statements = statementsOf(template, 'gofn-ingress');
    expect(withAction(statements, 'lambda:InvokeFunction')).toEqual([
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [fnId(template, 'gofn-worker'), 'Arn'] } }),
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb|codedeploy|sqs:/);
  });

  it('lets the worker change aliases and concurrency only of functions tagged gofn:managed=true', () => {
    const statements = statementsOf(template, 'gofn-worker');
    for (const action of ['lambda:UpdateAlias', 'lambda:PutFunctionConcurrency']) {
      const granting = withAction(statements, action);
      expect(granting).toHaveLength(1);
      expect(granting[0]).toMatchObject({
        Effect: 'Allow',
        Condition: { StringEquals: { 'aws:ResourceTag/gofn:managed': 'true' } },
      });
    }
    // Nothing else grants Lambda writes: the tag condition cannot be sidestepped.
    const lambdaWrites = statements.flatMap((s) =>
      asArray(s.Action as string | string[]).filter((a) => /^lambda:(Update|Put|Delete|Create|Publish)/.test(a)),
    );
    expect(lambdaWrites.sort()).toEqual(['lambda:PutFunctionConcurrency', 'lambda:UpdateAlias']);
  });

  it("moves messages only from the workloads' DLQs back to their source queues", () => {
    const statements = statementsOf(template, 'gofn-worker');
    for (const action of [
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:StartMessageMoveTask',
      'sqs:ListMessageMoveTasks',
    ]) {
      expect(withAction(statements, action).map((s) => s.Resource)).toEqual([WORKLOAD.deadLetterQueueArn]);
    }
    // Besides the worker's own dead-letter queue, which Lambda sends failed invocations to.
    const [ownDlq] = onlyResource(template, 'AWS::SQS::Queue', { QueueName: 'gofn-worker-dlq' });
    const sends = withAction(statements, 'sqs:SendMessage').map((s) => s.Resource);
    expect(sends.filter((r) => JSON.stringify(r) !== JSON.stringify({ 'Fn::GetAtt': [ownDlq, 'Arn'] }))).toEqual([
      WORKLOAD.sourceQueueArn,
    ]);
  });

  it("stops deployments only in the workloads' deployment groups, and replays only into their functions", () => {
    const statements = statementsOf(template, 'gofn-worker');
    expect(withAction(statements, 'codedeploy:StopDeployment').map((s) => s.Resource)).toEqual([
      WORKLOAD.deploymentGroupArn,
    ]);
    expect(withAction(statements, 'lambda:InvokeFunction').map((s) => s.Resource)).toEqual([
      [WORKLOAD.functionArn, `${WORKLOAD.functionArn}:live`],
    ]);
  });

  it('reads CloudWatch, Logs, X-Ray, Lambda and CodeDeploy', () => {
    const actions = statementsOf(template, 'gofn-worker').flatMap((s) => asArray(s.Action as string | string[]));
    expect(actions).toEqual(
      expect.arrayContaining([
        'cloudwatch:GetMetricData',
        'cloudwatch:GetMetricWidgetImage',
        'logs:StartQuery',
        'logs:GetQueryResults',
        'logs:StopQuery',
        'xray:GetServiceGraph',
        'xray:GetTraceSummaries',
        'xray:BatchGetTraces',
        'lambda:Get*',
        'lambda:List*',
        'codedeploy:Get*',
        'codedeploy:List*',
        'codedeploy:BatchGet*',
        'tag:GetResources',
      ]),
    );
  });

  it('grants wildcard resources to execution roles only for X-Ray trace upload', () => {
    const star = allStatements(template).filter(
      (s) =>
        asArray(s.Resource).includes('*') &&
        !asArray(s.Action as string | string[]).some((a) =>
          /^(cloudwatch|logs|xray|tag|lambda|codedeploy):(Get|List|Describe|BatchGet|StopQuery)/.test(a),
        ),
    );
    for (const s of star)
      expect(asArray(s.Action as string | string[]).sort()).toEqual([
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
  });
});

describe('BotStack settings', () => {
  it('passes admins to the worker as GOFN_ADMINS', () => {
    synth({ admins: ['U012AB3CD', 'S0614TZR7'] }).hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'gofn-worker',
      Environment: { Variables: Match.objectLike({ GOFN_ADMINS: 'U012AB3CD S0614TZR7' }) },
    });
  });

  it('leaves ALARM_CHANNEL unset when no channel is given', () => {
    const [, worker] = onlyResource(synth({ alarmChannel: undefined }), 'AWS::Lambda::Function', {
      FunctionName: 'gofn-worker',
    });
    expect(worker.Properties?.Environment).not.toHaveProperty('Variables.ALARM_CHANNEL');
  });

  it.each([
    [{ alarmChannel: '#gofn-alarms' }, /not a Slack channel ID like C0123456789/],
    [{ admins: ['maria'] }, /admins: "maria" is not a Slack user/],
  ] as [Partial<BotStackProps>, RegExp][])(
    'rejects %j, which the worker would refuse at start-up',
    (props, message) => {
      expect(() => synth(props)).toThrow(message);
    },
  );
});

describe('BotStack without managed workloads', () => {
  it('keeps the tag-conditioned statement and grants no queue but its own DLQ, no deployment or invoke access', () => {
    const template = synth({ managedWorkloads: [] });
    const [ownDlq] = onlyResource(template, 'AWS::SQS::Queue', { QueueName: 'gofn-worker-dlq' });
    const statements = statementsOf(template, 'gofn-worker');
    expect(withAction(statements, 'lambda:UpdateAlias')).toHaveLength(1);
    const others = statements.filter(
      (s) => JSON.stringify(s.Resource) !== JSON.stringify({ 'Fn::GetAtt': [ownDlq, 'Arn'] }),
    );
    expect(JSON.stringify(others)).not.toMatch(/sqs:|codedeploy:StopDeployment|lambda:InvokeFunction/);
  });

  it('fails with a clear message when the Lambda bundles are missing', () => {
    expect(() => synth({ lambdaDist: '/nonexistent' })).toThrow(/run node scripts\/bundle-lambdas.mjs first/);
  });
});
