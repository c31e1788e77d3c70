import {
  ArnFormat,
  Aws,
  CfnOutput,
  CfnParameter,
  DefaultStackSynthesizer,
  Duration,
  Stack,
  Tags,
  type StackProps,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { TAG, lambdaLogGroupName } from './conventions';
import { suppress } from './nag';
import { PROFILE_PREFIX } from './profiling';
import { readStatements } from './worker-permissions';

/** The role's name in every member account, so that one configuration line names it anywhere. */
export const DEFAULT_MEMBER_ROLE_NAME = 'gofn-member';

export interface MemberStackProps extends StackProps {
  /** Name of the role gofn assumes; the same in every account. @default 'gofn-member' */
  readonly roleName?: string;
}

/**
 * What gofn needs in an account it manages but does not run in: one role, which gofn's worker
 * role assumes with an external ID, that reads the monitoring APIs of every region and changes
 * only functions and queues tagged `gofn:managed=true`.
 *
 * Deployable as a CloudFormation StackSet: the template has no assets and no bootstrap check, and
 * takes what differs per organisation as parameters (TrustedRoleArn: the bot stack's
 * WorkerRoleArn output; ExternalId). IAM is global, so deploy it to one region per account: the
 * role works in every region.
 */
export class MemberStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberStackProps = {}) {
    super(scope, id, {
      ...props,
      // A StackSet instance cannot rely on the CDK bootstrap stack of each target account.
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    Tags.of(this).add(TAG.service, 'gofn');

    const trusted = new CfnParameter(this, 'TrustedRoleArn', {
      type: 'String',
      description:
        "gofn's worker role, the only principal that may assume this role (the bot stack's WorkerRoleArn output)",
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$',
      constraintDescription: 'must be an IAM role ARN like arn:aws:iam::111122223333:role/GofnBot-WorkerBasicsRole',
    });
    const externalId = new CfnParameter(this, 'ExternalId', {
      type: 'String',
      description:
        'The external ID gofn passes when it assumes the role (its GOFN_TARGETS externalId for this account)',
      // STS AssumeRole's ExternalId: 2 to 1,224 of these characters.
      minLength: 2,
      maxLength: 1224,
      allowedPattern: '^[\\w+=,.@:/-]+$',
      noEcho: true,
    });

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName ?? DEFAULT_MEMBER_ROLE_NAME,
      description: 'gofn: diagnose any function, and act only on those tagged gofn:managed=true',
      assumedBy: new iam.ArnPrincipal(trusted.valueAsString).withConditions({
        StringEquals: { 'sts:ExternalId': externalId.valueAsString },
      }),
      // gofn's worker assumes it from its own role: role chaining caps the session at an hour anyway.
      maxSessionDuration: Duration.hours(1),
    });
    this.grantReads();
    this.grantActions();

    new CfnOutput(this, 'RoleArn', {
      value: this.role.roleArn,
      description: 'The roleArn of this account in GOFN_TARGETS',
    });
  }

  /** The profiles buckets of this account, whatever the region (profiling.ts's PROFILES_BUCKET_NAME). */
  private profilesBuckets(): string {
    return `arn:${Aws.PARTITION}:s3:::gofn-profiles-${Aws.ACCOUNT_ID}-*`;
  }

  /** ARNs of this account in every region: gofn looks at the regions its configuration lists. */
  private anyRegion(service: string, resource: string, resourceName?: string, format = ArnFormat.COLON_RESOURCE_NAME) {
    return this.formatArn({ service, region: '*', resource, resourceName, arnFormat: format });
  }

  /**
   * The reads the worker makes in its own account (worker-permissions.ts), in every region; reads
   * of functions only of those tagged `gofn:managed=true`, the functions gofn manages.
   */
  private grantReads(): void {
    const managed = { StringEquals: { [`aws:ResourceTag/${TAG.managed}`]: 'true' } };
    const anyFunction = this.anyRegion('lambda', 'function', '*');
    const functionLogs = this.anyRegion('logs', 'log-group', lambdaLogGroupName('*'));
    const anyDeploymentGroup = this.anyRegion('codedeploy', 'deploymentgroup', '*');
    const anyQueue = this.anyRegion('sqs', '*', undefined, ArnFormat.NO_RESOURCE_NAME);
    const anyAlarm = this.anyRegion('cloudwatch', 'alarm', '*');
    const anyMapping = this.anyRegion('lambda', 'event-source-mapping', '*');
    const read = new iam.Policy(this, 'ReadPolicy', {
      statements: readStatements(
        {
          functionLogs,
          functions: anyFunction,
          deploymentGroups: anyDeploymentGroup,
          queues: anyQueue,
          alarms: anyAlarm,
          mappings: anyMapping,
        },
        { sid: 'ReadManagedFunctions', conditions: managed },
      ),
    });
    read.attachToRole(this.role);
    const why: [string, string][] = [
      [
        'Resource::*',
        'Read-only monitoring APIs (GetMetricData, Logs Insights results, X-Ray, tag:GetResources, Lambda account and list calls) do not support resource-level permissions',
      ],
      [
        `Resource::arn:<AWS::Partition>:logs:*:<AWS::AccountId>:log-group:${lambdaLogGroupName('*')}`,
        "Logs Insights queries over Lambda's log groups only, in any region gofn is configured for",
      ],
      [
        'Resource::arn:<AWS::Partition>:lambda:*:<AWS::AccountId>:function:*',
        'Read-only Lambda calls, only on functions tagged gofn:managed=true (aws:ResourceTag condition), in any region',
      ],
      [
        'Resource::arn:<AWS::Partition>:codedeploy:*:<AWS::AccountId>:deploymentgroup:*',
        'Read-only CodeDeploy calls: a function names its group in its gofn:deployment-group tag',
      ],
      [
        'Resource::arn:<AWS::Partition>:sqs:*:<AWS::AccountId>:*',
        "Queue attributes and move tasks: a managed function's DLQ is found from its configuration",
      ],
      [
        'Resource::arn:<AWS::Partition>:cloudwatch:*:<AWS::AccountId>:alarm:*',
        "Alarm descriptions and tags: a composite alarm's children are named only when it fires",
      ],
      [
        'Resource::arn:<AWS::Partition>:lambda:*:<AWS::AccountId>:event-source-mapping:*',
        'GetEventSourceMapping of any mapping: the read-back of a mapping gofn changed, named by UUID',
      ],
    ];
    for (const [finding, reason] of why) suppress(read, 'AwsSolutions-IAM5', reason, [finding]);
  }

  /**
   * The actions (lambda-control.ts, sqs-control.ts, codedeploy-control.ts), on functions and
   * queues tagged `gofn:managed=true` only: tag the queues a managed function's replay moves
   * messages between too.
   */
  private grantActions(): void {
    const managed = { StringEquals: { [`aws:ResourceTag/${TAG.managed}`]: 'true' } };
    const act = new iam.Policy(this, 'ActPolicy', {
      statements: [
        new iam.PolicyStatement({
          // UpdateAliasCommand (rollback), PutFunctionConcurrencyCommand and
          // DeleteFunctionConcurrencyCommand (raise, lower or remove a reservation), InvokeCommand
          // (replay of an async function's DLQ into the function through its alias).
          sid: 'ActOnManagedFunctions',
          actions: [
            'lambda:UpdateAlias',
            'lambda:PutFunctionConcurrency',
            'lambda:DeleteFunctionConcurrency',
            'lambda:InvokeFunction',
          ],
          resources: [this.anyRegion('lambda', 'function', '*')],
          conditions: managed,
        }),
        new iam.PolicyStatement({
          // UpdateEventSourceMappingCommand: turn a mapping off or on, set its MaximumConcurrency.
          // A mapping carries no tag of its function; gofn acts only on a mapping it listed for a
          // function it authorized (src/actions/plan-sources.ts).
          sid: 'SwitchEventSourceMappings',
          actions: ['lambda:UpdateEventSourceMapping'],
          resources: [this.anyRegion('lambda', 'event-source-mapping', '*')],
        }),
        new iam.PolicyStatement({
          // ReceiveMessageCommand, DeleteMessageBatchCommand, SendMessageBatchCommand,
          // StartMessageMoveTaskCommand: a DLQ replay.
          sid: 'ReplayManagedQueues',
          actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage', 'sqs:StartMessageMoveTask'],
          resources: [this.anyRegion('sqs', '*', undefined, ArnFormat.NO_RESOURCE_NAME)],
          conditions: managed,
        }),
        new iam.PolicyStatement({
          // StopDeploymentCommand: has no resource type in the Service Authorization Reference.
          sid: 'StopDeployments',
          actions: ['codedeploy:StopDeployment'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          // ssm-profile-flags.ts GetParameterCommand / PutParameterCommand: a function's profiling
          // flag, under /gofn/profile/ (profiling.ts enableProfiling).
          sid: 'FlipProfilingFlags',
          actions: ['ssm:GetParameter', 'ssm:PutParameter'],
          resources: [this.anyRegion('ssm', 'parameter', 'gofn/profile/*', ArnFormat.SLASH_RESOURCE_NAME)],
        }),
        new iam.PolicyStatement({
          // s3-profile-store.ts ListObjectsV2Command: the account's profiles buckets (one a region).
          sid: 'ListProfiles',
          actions: ['s3:ListBucket'],
          resources: [this.profilesBuckets()],
        }),
        new iam.PolicyStatement({
          // s3-profile-store.ts GetObjectCommand / PutObjectCommand: the instances' profiles, and the merge.
          sid: 'ReadAndMergeProfiles',
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: [`${this.profilesBuckets()}/${PROFILE_PREFIX}/*`],
        }),
        new iam.PolicyStatement({
          // The same SQS calls on queues encrypted with a customer-managed key, through SQS only.
          sid: 'UseQueueKeysThroughSqs',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [this.anyRegion('kms', 'key', '*', ArnFormat.SLASH_RESOURCE_NAME)],
          conditions: { StringLike: { 'kms:ViaService': 'sqs.*.amazonaws.com' } },
        }),
      ],
    });
    act.attachToRole(this.role);
    const why: [string, string][] = [
      [
        'Resource::arn:<AWS::Partition>:lambda:*:<AWS::AccountId>:function:*',
        'Alias, concurrency and invoke only on functions tagged gofn:managed=true (aws:ResourceTag condition)',
      ],
      [
        'Resource::arn:<AWS::Partition>:sqs:*:<AWS::AccountId>:*',
        'Receive, delete, send and move only on queues tagged gofn:managed=true (aws:ResourceTag condition)',
      ],
      [
        'Resource::arn:<AWS::Partition>:lambda:*:<AWS::AccountId>:event-source-mapping:*',
        'UpdateEventSourceMapping: a mapping carries no tag of its function; gofn changes only a mapping it listed for a managed function it authorized',
      ],
      [
        'Resource::*',
        'codedeploy:StopDeployment supports no resource-level permissions; gofn stops only deployments of the alias it rolls back',
      ],
      [
        'Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:parameter/gofn/profile/*',
        'Profiling flags only, under /gofn/profile/: one parameter per function gofn may profile',
      ],
      [
        'Resource::arn:<AWS::Partition>:s3:::gofn-profiles-<AWS::AccountId>-*',
        "The account's profiles buckets, one per region (profiling.ts names them gofn-profiles-<account>-<region>)",
      ],
      [
        `Resource::arn:<AWS::Partition>:s3:::gofn-profiles-<AWS::AccountId>-*/${PROFILE_PREFIX}/*`,
        'Profiles are read and the merged one written under profiles/ of those buckets only',
      ],
      [
        'Resource::arn:<AWS::Partition>:kms:*:<AWS::AccountId>:key/*',
        'Queue keys are not known here; use is limited to calls SQS makes (kms:ViaService)',
      ],
    ];
    for (const [finding, reason] of why) suppress(act, 'AwsSolutions-IAM5', reason, [finding]);
  }
}
