import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { LIVE_ALIAS, TAG, lambdaLogGroupName } from './conventions';
import type { ManagedWorkloadRef } from './managed-workloads';
import { suppress } from './nag';
import { PROFILES_BUCKET_NAME } from './profiling';

/**
 * Least privilege for the gofn worker: read the monitoring and deployment APIs anywhere; change
 * only functions tagged `gofn:managed=true`, and the queues, aliases and deployment groups of
 * the listed workloads. Reads and writes are separate policies, so each cdk-nag acknowledgment
 * names exactly the wildcard it covers.
 */
export function grantFleetAccess(scope: Construct, role: iam.IRole, workloads: readonly ManagedWorkloadRef[]): void {
  const stack = Stack.of(scope);
  const arn = (service: string, resource: string, resourceName: string) =>
    stack.formatArn({ service, resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

  const read = new iam.Policy(scope, 'ReadFleetPolicy', {
    statements: [
      new iam.PolicyStatement({
        sid: 'ReadMonitoring',
        actions: [
          'cloudwatch:GetMetricData',
          'cloudwatch:GetMetricWidgetImage',
          'logs:GetQueryResults',
          'logs:StopQuery',
          'xray:GetServiceGraph',
          'xray:GetTraceSummaries',
          'xray:BatchGetTraces',
          'tag:GetResources',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'QueryFunctionLogs',
        actions: ['logs:StartQuery'],
        resources: [arn('logs', 'log-group', lambdaLogGroupName('*'))],
      }),
      new iam.PolicyStatement({
        sid: 'ReadFunctionsAndDeployments',
        actions: ['lambda:Get*', 'lambda:List*', 'codedeploy:Get*', 'codedeploy:List*', 'codedeploy:BatchGet*'],
        resources: ['*'],
      }),
    ],
  });
  read.attachToRole(role);
  suppress(
    read,
    'AwsSolutions-IAM5',
    'Read-only monitoring APIs (GetMetricData, Logs Insights results, X-Ray, tag:GetResources) do not support resource-level permissions; gofn diagnoses any function',
    ['Resource::*'],
  );
  suppress(
    read,
    'AwsSolutions-IAM5',
    'Logs Insights queries over Lambda log groups only: gofn diagnoses any function by name',
    [`Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${lambdaLogGroupName('*')}`],
  );
  suppress(
    read,
    'AwsSolutions-IAM5',
    'Read-only action families of Lambda and CodeDeploy (Get, List, BatchGet): they cannot change anything, and the adapters need most of them',
    ['lambda:Get*', 'lambda:List*', 'codedeploy:Get*', 'codedeploy:List*', 'codedeploy:BatchGet*'].map(
      (action) => `Action::${action}`,
    ),
  );

  const listed = (pick: (w: ManagedWorkloadRef) => string | undefined) =>
    workloads.map(pick).filter((a): a is string => a !== undefined);
  // Statements on listed resources only; one with no resource would be invalid, so it is left out.
  const perWorkload: [sid: string, actions: string[], resources: string[]][] = [
    [
      // Replayed events reach the version live traffic reaches, through the alias.
      'ReplayIntoManagedFunctions',
      ['lambda:InvokeFunction'],
      listed((w) => w.functionArn).flatMap((fn) => [fn, `${fn}:${LIVE_ALIAS}`]),
    ],
    [
      'DrainManagedDeadLetterQueues',
      [
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:StartMessageMoveTask',
        'sqs:ListMessageMoveTasks',
      ],
      listed((w) => w.deadLetterQueueArn),
    ],
    ['RefillManagedSourceQueues', ['sqs:GetQueueAttributes', 'sqs:SendMessage'], listed((w) => w.sourceQueueArn)],
    ['StopManagedDeployments', ['codedeploy:StopDeployment'], listed((w) => w.deploymentGroupArn)],
    ['ProfileManagedFunctions', ['ssm:GetParameter', 'ssm:PutParameter'], listed((w) => w.profileParameterArn)],
  ];
  // With a function to profile: its instances' profiles, in the account's profiles bucket.
  const profilesBucket = `arn:${Aws.PARTITION}:s3:::${PROFILES_BUCKET_NAME}`;
  const profiling = listed((w) => w.profileParameterArn).length > 0;
  if (profiling) {
    perWorkload.push(
      ['ListProfiles', ['s3:ListBucket'], [profilesBucket]],
      ['ReadAndMergeProfiles', ['s3:GetObject', 's3:PutObject'], [`${profilesBucket}/profiles/*`]],
    );
  }
  const act = new iam.Policy(scope, 'ActOnManagedPolicy', {
    statements: [
      new iam.PolicyStatement({
        sid: 'RollBackAndResizeManagedFunctions',
        actions: ['lambda:UpdateAlias', 'lambda:PutFunctionConcurrency'],
        resources: [arn('lambda', 'function', '*')],
        conditions: { StringEquals: { [`aws:ResourceTag/${TAG.managed}`]: 'true' } },
      }),
      ...perWorkload
        .filter(([, , resources]) => resources.length > 0)
        .map(([sid, actions, resources]) => new iam.PolicyStatement({ sid, actions, resources })),
    ],
  });
  act.attachToRole(role);
  if (profiling) {
    suppress(
      act,
      'AwsSolutions-IAM5',
      'Profiles are read and the merged one written under profiles/ of the profiles bucket only; their names carry function, version, instance and session',
      ['Resource::arn:<AWS::Partition>:s3:::gofn-profiles-<AWS::AccountId>-<AWS::Region>/profiles/*'],
    );
  }
  suppress(
    act,
    'AwsSolutions-IAM5',
    'Alias and concurrency changes are allowed on any function only under the condition aws:ResourceTag/gofn:managed = true',
    ['Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:*'],
  );
}
