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
    const [keyId] = onlyResource(template, 'AWS::KMS::Key');
    expect(queue.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 86_400,
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
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
    for (const action of ['lambda:UpdateAlias', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency']) {
      const granting = withAction(statements, action);
      expect(granting).toHaveLength(1);
      expect(granting[0]).toMatchObject({
        Effect: 'Allow',
        Condition: { StringEquals: { 'aws:ResourceTag/gofn:managed': 'true' } },
      });
    }
    // Nothing else grants Lambda writes on functions: the tag condition cannot be sidestepped.
    const lambdaWrites = statements.flatMap((s) =>
      asArray(s.Action as string | string[]).filter((a) => /^lambda:(Update|Put|Delete|Create|Publish)/.test(a)),
    );
    expect(lambdaWrites.sort()).toEqual([
      'lambda:DeleteFunctionConcurrency',
      'lambda:PutFunctionConcurrency',
      'lambda:UpdateAlias',
      'lambda:UpdateEventSourceMapping',
    ]);
    // Mappings carry no tag of their function: their one write is granted on mappings only.
    expect(withAction(statements, 'lambda:UpdateEventSourceMapping')).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':lambda:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':event-source-mapping:*',
            ],
          ],
        },
      }),
    ]);
  });

  it("moves messages only from the workloads' DLQs back to their source queues", () => {
    const statements = statementsOf(template, 'gofn-worker');
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:StartMessageMoveTask']) {
      expect(withAction(statements, action).map((s) => s.Resource)).toEqual([WORKLOAD.deadLetterQueueArn]);
    }
    // Besides the worker's own dead-letter queue, which Lambda sends failed invocations to.
    const [ownDlq] = onlyResource(template, 'AWS::SQS::Queue', { QueueName: 'gofn-worker-dlq' });
    const sends = withAction(statements, 'sqs:SendMessage').map((s) => s.Resource);
    expect(sends.filter((r) => JSON.stringify(r) !== JSON.stringify({ 'Fn::GetAtt': [ownDlq, 'Arn'] }))).toEqual([
      WORKLOAD.sourceQueueArn,
    ]);
    // Queues encrypted with a customer-managed key: their keys, through SQS only.
    expect(withAction(statements, 'kms:Decrypt')).toContainEqual(
      expect.objectContaining({
        Sid: 'UseQueueKeysThroughSqs',
        Condition: {
          StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sqs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
        },
      }),
    );
  });

  it("reads the attributes of any queue of the account, so tag-managed functions' DLQs are read too", () => {
    const statements = statementsOf(template, 'gofn-worker');
    for (const action of ['sqs:GetQueueAttributes', 'sqs:ListMessageMoveTasks']) {
      expect(withAction(statements, action).map((s) => s.Resource)).toEqual([
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':sqs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*'],
          ],
        },
      ]);
    }
  });

  it('stops deployments on any resource, the only way AWS authorizes StopDeployment, and replays only into the listed functions', () => {
    const statements = statementsOf(template, 'gofn-worker');
    // The Service Authorization Reference lists no resource type for codedeploy:StopDeployment.
    expect(withAction(statements, 'codedeploy:StopDeployment').map((s) => s.Resource)).toEqual(['*']);
    expect(withAction(statements, 'lambda:InvokeFunction').map((s) => s.Resource)).toEqual([
      [WORKLOAD.functionArn, `${WORKLOAD.functionArn}:live`],
    ]);
  });

  it('reads exactly the APIs the adapters in src/aws call, with no action wildcard', () => {
    const actions = statementsOf(template, 'gofn-worker')
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => asArray(s.Action as string | string[]));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
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
        'tag:GetResources',
        'lambda:GetFunction',
        'lambda:GetAlias',
        'lambda:ListVersionsByFunction',
        'lambda:GetFunctionConcurrency',
        'lambda:GetFunctionEventInvokeConfig',
        'lambda:ListFunctions',
        'lambda:GetAccountSettings',
        'lambda:ListEventSourceMappings',
        'codedeploy:ListDeployments',
        'codedeploy:BatchGetDeployments',
        'codedeploy:GetDeployment',
        'cloudwatch:DescribeAlarms',
        'cloudwatch:ListTagsForResource',
      ]),
    );
  });

  it("grants wildcard resources only where AWS's action has no resource type", () => {
    const star = allStatements(template).filter((s) => s.Effect === 'Allow' && asArray(s.Resource).includes('*'));
    const actions = new Set(star.flatMap((s) => asArray(s.Action as string | string[])));
    expect([...actions].sort()).toEqual(
      [
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'cloudwatch:GetMetricData',
        'cloudwatch:GetMetricWidgetImage',
        'logs:GetQueryResults',
        'logs:StopQuery',
        'xray:GetServiceGraph',
        'xray:GetTraceSummaries',
        'xray:BatchGetTraces',
        'tag:GetResources',
        'lambda:ListFunctions',
        'lambda:GetAccountSettings',
        'lambda:ListEventSourceMappings',
        'codedeploy:BatchGetDeploymentTargets',
        'codedeploy:ListDeploymentTargets',
        'codedeploy:StopDeployment',
        // gofn cost: account-wide billing and recommendation reads.
        'ce:GetCostAndUsage',
        'compute-optimizer:GetLambdaFunctionRecommendations',
      ].sort(),
    );
  });

  it('lets the worker read and write its records but never delete one, nor change an audit record', () => {
    const statements = statementsOf(template, 'gofn-worker');
    const [tableId] = onlyResource(template, 'AWS::DynamoDB::Table');
    const allowed = statements
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => asArray(s.Action as string | string[]))
      .filter((a) => a.startsWith('dynamodb:'));
    expect(allowed.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(statements.find((s) => s.Sid === 'AuditRecordsAreAppendOnly')).toEqual({
      Sid: 'AuditRecordsAreAppendOnly',
      Effect: 'Deny',
      Action: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
      Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['audit#*'] } },
    });
  });
});

describe('BotStack alarm delivery and encryption', () => {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });
  const alarmConditions = {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: {
      'aws:SourceArn': {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudwatch:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':alarm:*',
          ],
        ],
      },
    },
  };

  it.each(['gofn-alarms', 'gofn-bot-alarms'])(
    "lets this account's CloudWatch alarms publish to %s, over TLS only, encrypted with the stack key",
    (topicName) => {
      // Prepare
      const [topicId] = onlyResource(template, 'AWS::SNS::Topic', { TopicName: topicName });
      const [keyId] = onlyResource(template, 'AWS::KMS::Key');
      const [, policy] = onlyResource(template, 'AWS::SNS::TopicPolicy', { Topics: [{ Ref: topicId }] });
      const statements = (policy.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;

      // Assess
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: topicName,
        KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
      expect(statements).toContainEqual({
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: alarmConditions,
      });
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    },
  );

  it('has one customer-managed key, rotated, whose policy lets CloudWatch alarms and Logs use it', () => {
    const [, key] = onlyResource(template, 'AWS::KMS::Key');
    expect(key.Properties).toMatchObject({ EnableKeyRotation: true });
    expect(key.DeletionPolicy).toBe('Retain');
    const statements = (key.Properties?.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual({
      Sid: 'CloudWatchAlarmsPublishToEncryptedTopics',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: alarmConditions,
    });
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'CloudWatchLogsUseForThisAccountsLogGroups',
        Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
        Condition: { StringLike: { 'kms:EncryptionContext:aws:logs:arn': expect.anything() } },
      }),
    );
  });

  it('encrypts the table, the secret and every log group with that key', () => {
    const [keyId] = onlyResource(template, 'AWS::KMS::Key');
    const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: keyArn });
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(2);
    for (const group of groups) expect(group.Properties.KmsKeyId).toEqual(keyArn);
  });

  it('reserves concurrency for both functions and tags them service, env and owner', () => {
    for (const [name, reserved] of [
      ['gofn-ingress', 20],
      ['gofn-worker', 10],
    ] as const) {
      const [, fn] = onlyResource(template, 'AWS::Lambda::Function', { FunctionName: name });
      expect(fn.Properties?.ReservedConcurrentExecutions).toBe(reserved);
      expect(fn.Properties?.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'service', Value: 'gofn' },
          { Key: 'env', Value: 'prod' },
          { Key: 'owner', Value: 'platform' },
        ]),
      );
    }
  });

  it('lets a deletion take the table and its key only when asked', () => {
    const deletable = synth({ retainAuditTable: false });
    deletable.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    deletable.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
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
  it('keeps the tag-conditioned statement and changes no queue but its own DLQ, invokes nothing', () => {
    const template = synth({ managedWorkloads: [] });
    const [ownDlq] = onlyResource(template, 'AWS::SQS::Queue', { QueueName: 'gofn-worker-dlq' });
    const statements = statementsOf(template, 'gofn-worker');
    expect(withAction(statements, 'lambda:UpdateAlias')).toHaveLength(1);
    const others = statements.filter(
      (s) => JSON.stringify(s.Resource) !== JSON.stringify({ 'Fn::GetAtt': [ownDlq, 'Arn'] }),
    );
    expect(JSON.stringify(others)).not.toMatch(
      /sqs:(SendMessage|ReceiveMessage|DeleteMessage|StartMessageMoveTask)|lambda:InvokeFunction/,
    );
  });

  it('fails with a clear message when the Lambda bundles are missing', () => {
    expect(() => synth({ lambdaDist: '/nonexistent' })).toThrow(/run node scripts\/bundle-lambdas.mjs first/);
  });
});
