import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { LIVE_ALIAS, TAG, lambdaLogGroupName } from './conventions';
import type { ManagedWorkloadRef } from './managed-workloads';
import { suppress } from './nag';
import { PROFILES_BUCKET_NAME } from './profiling';

/** One grant: the IAM actions, and the gofn call (src/aws adapter and SDK command) that needs them. */
export interface Grant {
  readonly actions: readonly string[];
  readonly neededBy: string;
}

/**
 * Every read gofn makes, by the resource it is scoped to. Each entry names the adapter call that
 * makes it; `grep -rn "Command(" src/aws` lists them all. Actions whose Service Authorization
 * Reference entry names no resource type need Resource "*".
 */
const READS_ON_ANY_RESOURCE: readonly Grant[] = [
  { actions: ['cloudwatch:GetMetricData'], neededBy: 'cloudwatch-metrics.ts GetMetricDataCommand: every metric step' },
  {
    actions: ['cloudwatch:GetMetricWidgetImage'],
    neededBy: 'cloudwatch-charts.ts GetMetricWidgetImageCommand: the report chart',
  },
  { actions: ['logs:StopQuery'], neededBy: 'insights-cold-starts.ts StopQueryCommand: give back an abandoned query' },
  // The reference ties GetQueryResults to a log group, but the call carries only a query ID, so
  // a group ARN can never match it; StartQuery (below) is what is limited to Lambda's groups.
  { actions: ['logs:GetQueryResults'], neededBy: 'insights-cold-starts.ts GetQueryResultsCommand: cold starts' },
  {
    actions: ['xray:GetServiceGraph'],
    neededBy:
      'xray-traces.ts GetServiceGraphCommand: downstream latency; xray-traced.ts: traced requests per function (gofn cost)',
  },
  { actions: ['xray:GetTraceSummaries'], neededBy: 'xray-traces.ts GetTraceSummariesCommand: error traces' },
  { actions: ['xray:BatchGetTraces'], neededBy: 'xray-traces.ts BatchGetTracesCommand: error trace samples' },
  { actions: ['tag:GetResources'], neededBy: 'lambda-functions.ts GetResourcesCommand: the fleet (gofn:managed=true)' },
  {
    actions: ['lambda:ListFunctions'],
    neededBy:
      'lambda-functions.ts ListFunctionsCommand: "did you mean"; lambda-cost-configs.ts ListFunctionsCommand: memory and architecture of many functions (gofn cost)',
  },
  {
    actions: ['ce:GetCostAndUsage'],
    neededBy: 'cost-explorer.ts GetCostAndUsageCommand: billed cost by service tag beside the estimate (gofn cost)',
  },
  {
    actions: ['compute-optimizer:GetLambdaFunctionRecommendations'],
    neededBy:
      "compute-optimizer.ts GetLambdaFunctionRecommendationsCommand: Compute Optimizer's memory size beside gofn's (gofn cost)",
  },
  { actions: ['lambda:GetAccountSettings'], neededBy: 'lambda-functions.ts GetAccountSettingsCommand: headroom' },
  {
    actions: ['lambda:ListEventSourceMappings'],
    neededBy: "lambda-functions.ts ListEventSourceMappingsCommand: an SQS consumer's source queue",
  },
  {
    actions: ['codedeploy:BatchGetDeploymentTargets', 'codedeploy:ListDeploymentTargets'],
    neededBy:
      'codedeploy-deploys.ts BatchGetDeploymentTargetsCommand / ListDeploymentTargetsCommand: which alias and versions a deployment moves',
  },
];

const READS_ON_FUNCTIONS: readonly Grant[] = [
  { actions: ['lambda:GetFunction'], neededBy: 'lambda-functions.ts GetFunctionCommand: configuration, tags, DLQ' },
  { actions: ['lambda:GetAlias'], neededBy: 'lambda-control.ts GetAliasCommand: where live points' },
  {
    actions: ['lambda:ListVersionsByFunction'],
    neededBy: 'lambda-functions.ts ListVersionsByFunctionCommand: rollback targets',
  },
  {
    actions: ['lambda:GetFunctionConcurrency'],
    neededBy: 'lambda-control.ts GetFunctionConcurrencyCommand: reserved concurrency',
  },
  {
    actions: ['lambda:ListTags'],
    neededBy: 'lambda-functions.ts ListTagsCommand: tags when GetFunction could not return them (who owns the alias)',
  },
  {
    actions: ['lambda:GetFunctionEventInvokeConfig'],
    neededBy: 'lambda-functions.ts GetFunctionEventInvokeConfigCommand: on-failure destination',
  },
  {
    actions: ['lambda:ListAliases'],
    neededBy: 'lambda-functions.ts ListAliasesCommand: a function without aliases is diagnosed as $LATEST',
  },
  {
    actions: ['lambda:ListProvisionedConcurrencyConfigs'],
    neededBy:
      'lambda-cost-configs.ts ListProvisionedConcurrencyConfigsCommand: provisioned concurrency paid for (gofn cost)',
  },
];

/** Reads of event-source mappings by UUID: the read-back of a mapping change. */
const READS_ON_MAPPINGS: readonly Grant[] = [
  {
    actions: ['lambda:GetEventSourceMapping'],
    neededBy: 'lambda-control.ts GetEventSourceMappingCommand: verify a mapping turned off or on, or its cap',
  },
];

const READS_ON_DEPLOYMENT_GROUPS: readonly Grant[] = [
  {
    actions: ['codedeploy:ListDeployments'],
    neededBy: 'codedeploy-deploys.ts and codedeploy-control.ts ListDeploymentsCommand: recent deploys',
  },
  {
    actions: ['codedeploy:BatchGetDeployments'],
    neededBy: 'codedeploy-deploys.ts and codedeploy-control.ts BatchGetDeploymentsCommand',
  },
  { actions: ['codedeploy:GetDeployment'], neededBy: 'codedeploy-control.ts GetDeploymentCommand: verify a stop' },
];

/**
 * Reads of any queue of the account and region: a function's DLQ is found from its own
 * configuration, so tag-managed functions deployed anywhere have theirs read too.
 */
const READS_ON_QUEUES: readonly Grant[] = [
  { actions: ['sqs:GetQueueAttributes'], neededBy: 'sqs-queues.ts GetQueueAttributesCommand: DLQ depth' },
  { actions: ['sqs:ListMessageMoveTasks'], neededBy: 'sqs-control.ts ListMessageMoveTasksCommand: a replay under way' },
];

/** Reads of the account's alarms: which function a composite alarm's children watch. */
const READS_ON_ALARMS: readonly Grant[] = [
  {
    actions: ['cloudwatch:DescribeAlarms'],
    neededBy: "cloudwatch-alarms.ts DescribeAlarmsCommand: a composite alarm's children",
  },
  {
    actions: ['cloudwatch:ListTagsForResource'],
    neededBy: 'cloudwatch-alarms.ts ListTagsForResourceCommand: a composite alarm tagged gofn:function',
  },
];

const actionsOf = (grants: readonly Grant[]): string[] => grants.flatMap((g) => g.actions);

/** Where gofn reads: the bot's own account and region, or every region of a member account. */
export interface ReadResources {
  functionLogs: string;
  functions: string;
  deploymentGroups: string;
  queues: string;
  alarms: string;
  mappings: string;
}

/**
 * The read statements of a role gofn diagnoses through, the worker's own or a member account's:
 * the same actions over the resources given, functions under the statement's own sid and
 * condition (a member role reads only managed ones).
 */
export function readStatements(
  resources: ReadResources,
  functions: { sid: string; conditions?: Record<string, Record<string, string>> },
): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid: 'ReadMonitoring', actions: actionsOf(READS_ON_ANY_RESOURCE), resources: ['*'] }),
    new iam.PolicyStatement({
      // insights-cold-starts.ts StartQueryCommand: cold starts, and insights-memory.ts
      // StartQueryCommand: peak memory for right-sizing (gofn cost), from Lambda's log groups only.
      sid: 'QueryFunctionLogs',
      actions: ['logs:StartQuery'],
      resources: [resources.functionLogs],
    }),
    new iam.PolicyStatement({
      sid: functions.sid,
      actions: actionsOf(READS_ON_FUNCTIONS),
      resources: [resources.functions],
      ...(functions.conditions ? { conditions: functions.conditions } : {}),
    }),
    new iam.PolicyStatement({
      sid: 'ReadDeployments',
      actions: actionsOf(READS_ON_DEPLOYMENT_GROUPS),
      resources: [resources.deploymentGroups],
    }),
    new iam.PolicyStatement({ sid: 'ReadQueues', actions: actionsOf(READS_ON_QUEUES), resources: [resources.queues] }),
    new iam.PolicyStatement({ sid: 'ReadAlarms', actions: actionsOf(READS_ON_ALARMS), resources: [resources.alarms] }),
    new iam.PolicyStatement({
      sid: 'ReadEventSourceMappings',
      actions: actionsOf(READS_ON_MAPPINGS),
      resources: [resources.mappings],
    }),
  ];
}

/**
 * Least privilege for the gofn worker: read the monitoring and deployment APIs anywhere; change
 * only functions tagged `gofn:managed=true`, and the queues and functions of the listed
 * workloads. Reads and writes are separate policies, so each cdk-nag acknowledgment names
 * exactly the wildcard it covers; every action is one the adapters in src/aws call.
 */
export function grantFleetAccess(scope: Construct, role: iam.IRole, workloads: readonly ManagedWorkloadRef[]): void {
  const stack = Stack.of(scope);
  const arn = (service: string, resource: string, resourceName: string) =>
    stack.formatArn({ service, resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const anyFunction = arn('lambda', 'function', '*');
  const anyDeploymentGroup = arn('codedeploy', 'deploymentgroup', '*');
  const anyAlarm = arn('cloudwatch', 'alarm', '*');
  const anyQueue = stack.formatArn({ service: 'sqs', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME });
  const anyMapping = arn('lambda', 'event-source-mapping', '*');

  const read = new iam.Policy(scope, 'ReadFleetPolicy', {
    statements: readStatements(
      {
        functionLogs: arn('logs', 'log-group', lambdaLogGroupName('*')),
        functions: anyFunction,
        deploymentGroups: anyDeploymentGroup,
        queues: anyQueue,
        alarms: anyAlarm,
        mappings: anyMapping,
      },
      { sid: 'ReadFunctions' },
    ),
  });
  read.attachToRole(role);
  suppress(
    read,
    'AwsSolutions-IAM5',
    'Read-only monitoring APIs (GetMetricData, Logs Insights results, X-Ray, tag:GetResources, Lambda account and list calls, Cost Explorer and Compute Optimizer reads) do not support resource-level permissions; gofn diagnoses and prices any function',
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
    'Read-only Lambda calls on any function of the account: gofn diagnoses any function by name',
    ['Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:*'],
  );
  suppress(
    read,
    'AwsSolutions-IAM5',
    'Read-only CodeDeploy calls on any deployment group: a function names its group in its gofn:deployment-group tag',
    ['Resource::arn:<AWS::Partition>:codedeploy:<AWS::Region>:<AWS::AccountId>:deploymentgroup:*'],
  );
  suppress(
    read,
    'AwsSolutions-IAM5',
    'GetEventSourceMapping of any mapping: the read-back of a mapping gofn changed, named by UUID',
    ['Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:event-source-mapping:*'],
  );
  suppress(
    read,
    'AwsSolutions-IAM5',
    "Alarm descriptions and tags of any alarm of the account: a composite alarm's children are named only when it fires",
    ['Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:*'],
  );
  suppress(
    read,
    'AwsSolutions-IAM5',
    "Queue attributes and move tasks of any queue: a tag-managed function's DLQ is found from its configuration, not listed at deploy time",
    ['Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:*'],
  );

  const listed = (pick: (w: ManagedWorkloadRef) => string | undefined) =>
    workloads.map(pick).filter((a): a is string => a !== undefined);
  // Statements on listed resources only; one with no resource would be invalid, so it is left out.
  const perWorkload: [sid: string, actions: string[], resources: string[]][] = [
    [
      // lambda-control.ts InvokeCommand: replayed events reach the version live traffic reaches,
      // through the alias.
      'ReplayIntoManagedFunctions',
      ['lambda:InvokeFunction'],
      listed((w) => w.functionArn).flatMap((fn) => [fn, `${fn}:${LIVE_ALIAS}`]),
    ],
    [
      // sqs-control.ts StartMessageMoveTaskCommand (a move task also receives and deletes), and
      // ReceiveMessageCommand / DeleteMessageBatchCommand for an async function's DLQ.
      'DrainManagedDeadLetterQueues',
      ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:StartMessageMoveTask'],
      listed((w) => w.deadLetterQueueArn),
    ],
    // sqs-control.ts SendMessageBatchCommand, and the destination of a move task.
    ['RefillManagedSourceQueues', ['sqs:SendMessage'], listed((w) => w.sourceQueueArn)],
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
        // lambda-control.ts UpdateAliasCommand (rollback), PutFunctionConcurrencyCommand (raise or
        // lower) and DeleteFunctionConcurrencyCommand (remove a reservation).
        sid: 'RollBackAndResizeManagedFunctions',
        actions: ['lambda:UpdateAlias', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency'],
        resources: [anyFunction],
        conditions: { StringEquals: { [`aws:ResourceTag/${TAG.managed}`]: 'true' } },
      }),
      new iam.PolicyStatement({
        // lambda-control.ts UpdateEventSourceMappingCommand: turn a mapping off or on, set its
        // MaximumConcurrency. A mapping carries no tag of its function; the worker acts only on a
        // mapping it listed for a function it authorized (src/actions/plan-sources.ts).
        sid: 'SwitchEventSourceMappings',
        actions: ['lambda:UpdateEventSourceMapping'],
        resources: [anyMapping],
      }),
      new iam.PolicyStatement({
        // codedeploy-control.ts StopDeploymentCommand: rollback of an alias CodeDeploy is moving.
        // StopDeployment has no resource type in the Service Authorization Reference, so a
        // statement scoped to deployment groups never matches and the call is denied.
        sid: 'StopDeployments',
        actions: ['codedeploy:StopDeployment'],
        resources: ['*'],
      }),
      ...perWorkload
        .filter(([, , resources]) => resources.length > 0)
        .map(([sid, actions, resources]) => new iam.PolicyStatement({ sid, actions, resources })),
      ...(workloads.length > 0
        ? [
            new iam.PolicyStatement({
              // The same SQS calls on queues encrypted with a customer-managed key: SQS decrypts
              // and makes data keys on the caller's behalf. Any key of the account, through SQS only.
              sid: 'UseQueueKeysThroughSqs',
              actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
              resources: [
                stack.formatArn({
                  service: 'kms',
                  resource: 'key',
                  resourceName: '*',
                  arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
                }),
              ],
              conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
            }),
          ]
        : []),
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
  suppress(
    act,
    'AwsSolutions-IAM5',
    'Event-source mappings are named by UUID and carry no tag of the function they feed; gofn changes only mappings it listed for a function it authorized',
    ['Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:event-source-mapping:*'],
  );
  suppress(
    act,
    'AwsSolutions-IAM5',
    'codedeploy:StopDeployment supports no resource-level permissions (Service Authorization Reference); gofn stops only deployments of the alias it is rolling back',
    ['Resource::*'],
  );
  if (workloads.length > 0) {
    suppress(
      act,
      'AwsSolutions-IAM5',
      'Queue keys of the managed workloads are not known here; use is limited to calls SQS makes (kms:ViaService)',
      ['Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*'],
    );
  }
}
