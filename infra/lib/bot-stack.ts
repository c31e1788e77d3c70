import * as path from 'node:path';
import * as fs from 'node:fs';
import { CfnOutput, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { DEFAULT_BOT_PREFIX, TAG, alarmTopicName, slackIds } from './conventions';
import { cloudWatchAlarmConditions, stackKey } from './encryption';
import { FunctionBasics, functionAlarm } from './function-basics';
import type { ManagedWorkloadRef } from './managed-workloads';
import { FUNCTION_CHECKOV_SKIPS, checkovSkip, suppress } from './nag';
import { grantFleetAccess } from './worker-permissions';

export interface BotStackProps extends StackProps {
  /** Directory with `ingress/index.js` and `worker/index.js`, as `scripts/bundle-lambdas.mjs` writes it. */
  readonly lambdaDist: string;
  /** ID of the Slack channel where alarm threads open, like `C0123456789`. @default - none: no alarm threads */
  readonly alarmChannel?: string;
  /** Slack user and user-group IDs allowed to run actions on every managed function (GOFN_ADMINS). @default [] */
  readonly admins?: readonly string[];
  /** Workloads the bot may act on. Reads need no entry; see {@link ManagedWorkloadRef}. @default [] */
  readonly managedWorkloads?: readonly ManagedWorkloadRef[];
  /** Prefix of the fixed names: `<prefix>-ingress`, `<prefix>-worker`, `<prefix>-alarms`, `<prefix>/slack`. @default 'gofn' */
  readonly namePrefix?: string;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default 512 */
  readonly ingressMemorySize?: number;
  /** @default 1024 */
  readonly workerMemorySize?: number;
  /**
   * How long one diagnosis or action may run. Keep it under the worker's 5-minute job lease, or
   * a retry could take over a job that is still running. @default Duration.seconds(60)
   */
  readonly workerTimeout?: Duration;
  /**
   * Where the bot's own alarms go. Not gofn's alarm topic: that would ask a possibly broken
   * worker to report on itself. Subscribe a pager or an email address to it.
   * @default - a new topic `<prefix>-bot-alarms`
   */
  readonly botAlarmTopic?: sns.ITopic;
  /**
   * Keep the table (the audit trail of every action) and the key that encrypts it when the
   * stack is deleted. `npm run destroy -- --delete-audit-table` deploys with false first.
   * @default true
   */
  readonly retainAuditTable?: boolean;
  /** Reserved concurrency of the ingress: Slack's requests, each acked in well under a second. @default 20 */
  readonly ingressReservedConcurrency?: number;
  /** Reserved concurrency of the worker: diagnoses and actions at once. @default 10 */
  readonly workerReservedConcurrency?: number;
  /** `env` tag on everything the stack creates. @default 'prod' */
  readonly envTag?: string;
  /** `owner` tag: the team that runs the bot. @default 'platform' */
  readonly ownerTag?: string;
  /**
   * Accounts and regions gofn manages beyond its own (GOFN_TARGETS, src/targets.ts): the worker
   * gets them in its environment and may assume each account's role (the member stack's).
   * @default - its own account and region only
   */
  readonly targets?: BotTargets;
}

/** The accounts and regions of GOFN_TARGETS, as far as the stack needs to know them. */
export interface BotTargets {
  readonly accounts: readonly {
    readonly name: string;
    readonly id: string;
    readonly roleArn?: string;
    readonly externalId?: string;
    readonly regions?: readonly string[];
  }[];
  readonly regions: readonly string[];
}

/**
 * Lambda allows 4 KB of environment variables in all; GOFN_TARGETS may take most of it, not all:
 * the worker's other variables need the rest.
 */
const MAX_TARGETS_JSON = 3000;

/**
 * The gofn bot: a Function URL for Slack in front of the ingress function, which verifies, acks
 * and hands each job to the worker; the worker runs diagnoses and actions, and receives gofn's
 * alarm topic. State (alarm threads, audit, idempotency) lives in one DynamoDB table.
 */
export class BotStack extends Stack {
  readonly ingress: lambda.Function;
  readonly worker: lambda.Function;
  /** What the member stacks trust (their TrustedRoleArn parameter). */
  readonly workerRole: iam.Role;
  /** Where the worker's async invocations go after Lambda's retries. */
  readonly workerDeadLetterQueue: sqs.Queue;
  readonly functionUrl: lambda.FunctionUrl;
  readonly alarmTopic: sns.Topic;
  readonly botAlarmTopic: sns.ITopic;
  readonly table: dynamodb.Table;
  readonly slackSecret: secretsmanager.Secret;
  /** Encrypts the topics, the DLQ, the table, the secret and the log groups. */
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: BotStackProps) {
    super(scope, id, props);
    const prefix = props.namePrefix ?? DEFAULT_BOT_PREFIX;
    const names = { ingress: `${prefix}-ingress`, worker: `${prefix}-worker` };
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const retainAuditTable = props.retainAuditTable ?? true;

    // Ownership tags on everything the stack creates, the functions included (seed §10).
    Tags.of(this).add(TAG.service, 'gofn');
    Tags.of(this).add(TAG.env, props.envTag ?? 'prod');
    Tags.of(this).add(TAG.owner, props.ownerTag ?? 'platform');

    this.key = stackKey(this, 'Key', {
      description: `gofn bot (${prefix}): topics, dead-letter queue, table, Slack secret and logs`,
      retain: retainAuditTable,
      alarmTopics: true,
    });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      // It holds the audit trail of every action taken: deleting the stack must not delete it
      // unless someone asked for exactly that.
      removalPolicy: retainAuditTable ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.slackSecret = new secretsmanager.Secret(this, 'SlackCredentials', {
      secretName: `${prefix}/slack`,
      description: 'gofn Slack app credentials: {"signingSecret": "...", "botToken": "xoxb-..."}',
      encryptionKey: this.key,
      // Deploys with a random signing secret, so every request fails verification until the
      // real credentials are put in; nothing secret is ever part of the template.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ botToken: '' }),
        generateStringKey: 'signingSecret',
        excludePunctuation: true,
      },
    });
    suppress(
      this.slackSecret,
      'AwsSolutions-SMG4',
      'Slack issues the signing secret and bot token; they are rotated in the Slack app settings, which no rotation Lambda can do',
    );

    this.alarmTopic = this.alarmTopicFor('AlarmTopic', alarmTopicName(prefix), 'gofn alarms');
    this.botAlarmTopic =
      props.botAlarmTopic ?? this.alarmTopicFor('BotAlarmTopic', `${prefix}-bot-alarms`, 'gofn bot alarms');

    // Jobs and alarm notifications that still fail after Lambda's two retries land here instead
    // of being dropped; an alarm on its depth tells whoever runs the bot.
    this.workerDeadLetterQueue = new sqs.Queue(this, 'WorkerDeadLetterQueue', {
      queueName: `${prefix}-worker-dlq`,
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
    });
    suppress(
      this.workerDeadLetterQueue,
      'AwsSolutions-SQS3',
      "this queue is the worker's dead-letter queue; nothing consumes it to fail again",
    );

    const worker = this.botFunction('Worker', {
      functionName: names.worker,
      description: 'gofn worker: runs diagnoses and actions, posts to Slack',
      bundleDir: path.join(props.lambdaDist, 'worker'),
      memorySize: props.workerMemorySize ?? 1024,
      // Two minutes: a profile from the thread waits 30 s of flag cache, 30 s of recording and the
      // uploads inside this invocation (docs/profiling.md); a diagnosis needs far less.
      timeout: props.workerTimeout ?? Duration.minutes(2),
      logRetention,
      environment: {
        TABLE_NAME: this.table.tableName,
        SLACK_SECRET_ARN: this.slackSecret.secretArn,
        ...(props.alarmChannel ? { ALARM_CHANNEL: slackChannelId(props.alarmChannel) } : {}),
        ...(props.admins?.length ? { GOFN_ADMINS: slackIds(props.admins, 'admins').join(' ') } : {}),
        ...(props.targets ? { GOFN_TARGETS: targetsJson(props.targets) } : {}),
      },
      deadLetterQueue: this.workerDeadLetterQueue,
      reservedConcurrency: props.workerReservedConcurrency ?? 10,
    });
    // Lambda's own retries of async invocations stay on: the worker claims each job in the
    // table, so a retry runs only what a failed attempt gave back.
    this.worker = worker.fn;
    // Lambda sends a failed job to the encrypted DLQ with the worker's own role.
    this.key.grant(worker.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.grantTableAccess(worker.role);
    this.slackSecret.grantRead(this.worker);
    this.alarmTopic.addSubscription(new subscriptions.LambdaSubscription(this.worker));
    grantFleetAccess(this, worker.role, props.managedWorkloads ?? []);
    this.grantAssumeMemberRoles(worker.role, props.targets);
    this.workerRole = worker.role;

    this.ingress = this.botFunction('Ingress', {
      functionName: names.ingress,
      description: 'gofn ingress: verifies Slack requests, acks, hands jobs to the worker',
      bundleDir: path.join(props.lambdaDist, 'ingress'),
      memorySize: props.ingressMemorySize ?? 512,
      // Slack gives up after 3 s; anything longer only burns concurrency.
      timeout: Duration.seconds(10),
      reservedConcurrency: props.ingressReservedConcurrency ?? 20,
      logRetention,
      environment: {
        SLACK_SECRET_ARN: this.slackSecret.secretArn,
        WORKER_FUNCTION_NAME: this.worker.functionName,
      },
    }).fn;
    this.slackSecret.grantRead(this.ingress);
    // The worker itself, unqualified, as the ingress invokes it; grantInvoke would add every
    // version and alias too.
    this.ingress.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.worker.functionArn] }),
    );
    // Slack cannot sign AWS requests; the ingress verifies Slack's signature on every request.
    this.functionUrl = this.ingress.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    checkovSkip(
      this.functionUrl,
      'CKV_AWS_258',
      "Slack cannot sign AWS requests; the ingress verifies Slack's request signature before anything else",
    );
    checkovSkip(
      this.ingress,
      'CKV_AWS_116',
      'Invoked synchronously by its Function URL: Slack gets the error; a DLQ only receives failed asynchronous invocations',
    );

    this.botAlarms('Ingress', this.ingress, names.ingress);
    this.botAlarms('Worker', this.worker, names.worker);
    functionAlarm(this, 'WorkerDeadLetterAlarm', {
      functionName: names.worker,
      signal: 'dlq-depth',
      metric: this.workerDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      description: `gofn bot: jobs or alarm notifications that ${names.worker} could not handle are in ${prefix}-worker-dlq`,
      topic: this.botAlarmTopic,
    });

    new CfnOutput(this, 'FunctionUrl', {
      value: this.functionUrl.url,
      description: 'Slash command and interactivity request URL for slack-app-manifest.yaml',
    });
    new CfnOutput(this, 'SlackSecretName', { value: `${prefix}/slack` });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'BotAlarmTopicArn', { value: this.botAlarmTopic.topicArn });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'WorkerRoleArn', {
      value: this.workerRole.roleArn,
      description:
        'The TrustedRoleArn parameter of the member stack (infra/lib/member-stack.ts) in each account gofn manages',
    });
  }

  /**
   * sts:AssumeRole on exactly the configured accounts' roles (src/aws/accounts.ts sends it); each
   * role's trust policy (the member stack's) decides the rest, with the external ID.
   */
  private grantAssumeMemberRoles(role: iam.IRole, targets: BotTargets | undefined): void {
    const roles = [...new Set((targets?.accounts ?? []).flatMap((a) => (a.roleArn ? [a.roleArn] : [])))];
    if (roles.length === 0) return;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'AssumeMemberRoles', actions: ['sts:AssumeRole'], resources: roles }),
    );
  }

  /**
   * A topic CloudWatch alarms publish to: encrypted with the stack's key (whose policy lets
   * CloudWatch use it), TLS only, and a topic policy that lets this account's alarms publish.
   * The TLS statement makes CDK write a topic policy, which replaces SNS's default one; without
   * the statement below, alarm notifications would be refused.
   */
  private alarmTopicFor(id: string, topicName: string, displayName: string): sns.Topic {
    const topic = new sns.Topic(this, id, { topicName, displayName, enforceSSL: true, masterKey: this.key });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: cloudWatchAlarmConditions(this),
      }),
    );
    return topic;
  }

  /**
   * The four DynamoDB calls of dynamo-record-store.ts (GetCommand, PutCommand, UpdateCommand,
   * QueryCommand), and no DeleteItem or batch write. Audit records (partition `audit#<function>`)
   * are written once and never changed: an update of one is denied outright.
   */
  private grantTableAccess(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAndWriteGofnRecords',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        resources: [this.table.tableArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AuditRecordsAreAppendOnly',
        effect: iam.Effect.DENY,
        actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['audit#*'] } },
      }),
    );
    // The table is encrypted with the stack's key; DynamoDB uses it on the caller's behalf.
    this.key.grant(role, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');
  }

  /** Any error or throttle of the bot's own functions, to the bot alarm topic. */
  private botAlarms(id: string, fn: lambda.Function, functionName: string): void {
    const period = Duration.minutes(5);
    const common = {
      functionName,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 0,
      topic: this.botAlarmTopic,
    };
    functionAlarm(this, `${id}ErrorsAlarm`, {
      ...common,
      signal: 'errors',
      metric: fn.metricErrors({ period, statistic: 'Sum' }),
      description: `gofn bot: ${functionName} failed in the last 5 minutes`,
    });
    functionAlarm(this, `${id}ThrottlesAlarm`, {
      ...common,
      signal: 'throttles',
      metric: fn.metricThrottles({ period, statistic: 'Sum' }),
      description: `gofn bot: ${functionName} was throttled in the last 5 minutes`,
    });
  }

  private botFunction(
    id: string,
    props: {
      functionName: string;
      description: string;
      bundleDir: string;
      memorySize: number;
      timeout: Duration;
      logRetention: logs.RetentionDays;
      environment: Record<string, string>;
      reservedConcurrency: number;
      deadLetterQueue?: sqs.IQueue;
    },
  ): { fn: lambda.Function; role: iam.Role } {
    if (!fs.existsSync(path.join(props.bundleDir, 'index.js'))) {
      throw new Error(`no ${path.join(props.bundleDir, 'index.js')}; run node scripts/bundle-lambdas.mjs first`);
    }
    const basics = new FunctionBasics(this, `${id}Basics`, {
      functionName: props.functionName,
      logRetention: props.logRetention,
      encryptionKey: this.key,
    });
    const fn = new lambda.Function(this, id, {
      functionName: props.functionName,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      // The bundle script is the one bundling configuration (benchmarks measure the same files);
      // its source map and metafile stay on disk, the worker's runbooks/ travel with it.
      code: lambda.Code.fromAsset(props.bundleDir, { exclude: ['*.map', 'meta.json'] }),
      memorySize: props.memorySize,
      timeout: props.timeout,
      environment: props.environment,
      tracing: lambda.Tracing.ACTIVE,
      // Bounds what a flood of Slack requests or alarms can take from the account, and keeps
      // the bot's own capacity when the functions it diagnoses take everything else.
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: basics.role,
      logGroup: basics.logGroup,
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
    });
    for (const [check, reason] of FUNCTION_CHECKOV_SKIPS) checkovSkip(fn, check, reason);
    suppress(
      fn,
      'AwsSolutions-L1',
      'gofn deploys on nodejs22.x: the bundle targets node22 and the pinned AWS SDK is tested on it',
    );
    return { fn, role: basics.role };
  }
}

function slackChannelId(channel: string): string {
  // The worker's configuration accepts channel IDs only; names can be renamed away.
  if (!/^[CG][A-Z0-9]+$/.test(channel)) {
    throw new Error(`alarmChannel ${JSON.stringify(channel)} is not a Slack channel ID like C0123456789`);
  }
  return channel;
}

/** GOFN_TARGETS for the worker, within what Lambda's environment can hold. */
function targetsJson(targets: BotTargets): string {
  const json = JSON.stringify(targets);
  if (json.length > MAX_TARGETS_JSON) {
    throw new Error(
      `targets: ${json.length} characters of JSON; the worker's environment holds at most ${MAX_TARGETS_JSON} (Lambda allows 4 KB for all its variables). List fewer accounts, or leave out names and regions that repeat the defaults.`,
    );
  }
  return json;
}
